"""Cold start: a fresh interpreter importing each skill's door, as a Lambda init does
(Linux: peak memory comes from /proc)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from bench.stats import Figure

TIMEOUT_S = 60
DOORS = {"ours": "skill.lambda_function", "baseline": "bench.baseline_skill"}


# The child reports its own peak RSS. Its wait4/getrusage ru_maxrss is no good here: Linux
# carries the high-water mark across exec, and subprocess spawns with vfork, so a child's
# ru_maxrss is at least the *parent's* RSS (this benchmark's, ~20 MiB), which hides a
# smaller child. Reading /proc after the import adds microseconds, alike for both.
REPORT_PEAK = (
    "import sys; sys.stdout.write(next(line for line in open('/proc/self/status') "
    "if line.startswith('VmHWM:')))"
)


def start_once(module: str, env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of `python -I -c "import <module>"`."""
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-I", "-c", f"import {module}; {REPORT_PEAK}"],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if completed.returncode != 0:
        raise RuntimeError(f"importing {module} failed:\n{completed.stderr[-2000:]}")
    return elapsed, int(completed.stdout.split()[1]) / 1024  # VmHWM is in kB


def measure(workdir: Path, reps: int) -> list[Figure]:
    # Our door builds the skill at import with SKILL_DB's store: a throwaway SQLite file.
    env = {**os.environ, "SKILL_DB": f"sqlite:///{workdir / 'cold.db'}"}
    for module in DOORS.values():  # untimed: writes bytecode caches, warms the page cache
        start_once(module, env)
    times: dict[str, list[float]] = {"ours": [], "baseline": []}
    memory: dict[str, list[float]] = {"ours": [], "baseline": []}
    for rep in range(reps):
        # Alternate who goes first, so a drift in machine load falls on both alike.
        order = ("ours", "baseline") if rep % 2 == 0 else ("baseline", "ours")
        for name in order:
            seconds, mib = start_once(DOORS[name], env)
            times[name].append(seconds * 1000)
            memory[name].append(mib)
    return [
        Figure.ratio("cold start time", "ms", times["baseline"], times["ours"], 1.3),
        Figure.ratio("cold start peak RSS", "MiB", memory["baseline"], memory["ours"], 1.3),
    ]
