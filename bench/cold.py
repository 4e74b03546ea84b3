"""Cold start, as the runner hears it: a fresh interpreter that imports a skill's Lambda
door and answers one LaunchRequest (the silence between "Alexa, open recovery coach" and
the welcome on a Lambda cold start), for each skill. Time is the whole process, wall
clock; peak memory comes from /proc (Linux)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from bench import sessions
from bench.stats import Figure

TIMEOUT_S = 60
DOORS = {"ours": "skill.lambda_function", "baseline": "bench.baseline_skill"}
JINJA = "baseline with jinja2"

# The child answers the launch in the event file, checks it said something, and reports
# its own peak RSS. Its wait4/getrusage ru_maxrss is no good here: Linux carries the
# high-water mark across exec, and subprocess spawns with vfork, so a child's ru_maxrss
# is at least the *parent's* RSS (this benchmark's, ~20 MiB), which hides a smaller
# child. Reading /proc after the answer adds microseconds, alike for both.
# A third argument names a module imported first: the baseline with Jinja2 imported too
# measures what Jinja2's import alone adds to a skill's cold start.
CHILD = """
import importlib, json, sys
for extra in sys.argv[3:]:
    importlib.import_module(extra)
with open(sys.argv[2]) as file:
    event = json.load(file)
reply = importlib.import_module(sys.argv[1]).lambda_handler(event, None)
if "<speak>" not in reply["response"]["outputSpeech"]["ssml"]:
    sys.exit("no speech in the answer")
sys.stdout.write(next(line for line in open("/proc/self/status") if line.startswith("VmHWM:")))
"""


def start_once(
    module: str, event_path: Path, env: dict[str, str], *first: str
) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of a fresh process answering the launch (having
    imported the modules `first` before the door)."""
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-I", "-c", CHILD, module, str(event_path), *first],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if completed.returncode != 0:
        raise RuntimeError(f"{module} did not answer a launch:\n{completed.stderr[-2000:]}")
    return elapsed, int(completed.stdout.split()[1]) / 1024  # VmHWM is in kB


def new_launch(template: list[str], path: Path) -> Path:
    """The skill's recorded LaunchRequest for a new runner (so the store is read and
    written as on a real first visit), where the child can read it."""
    path.write_text(sessions.bodies(template[:1])[0])
    return path


def measure(workdir: Path, templates: dict[str, list[str]], reps: int) -> list[Figure]:
    # Both doors open SKILL_DB's store at the first request: a throwaway SQLite file.
    env = {**os.environ, "SKILL_DB": f"sqlite:///{workdir / 'cold.db'}"}
    events = {name: workdir / f"launch-{name}.json" for name in DOORS}
    for name, module in DOORS.items():  # untimed: writes bytecode caches, warms the page cache
        start_once(module, new_launch(templates[name], events[name]), env)
    runs = {"ours": ("ours",), "baseline": ("baseline",), JINJA: ("baseline", "jinja2")}
    times: dict[str, list[float]] = {name: [] for name in runs}
    memory: dict[str, list[float]] = {name: [] for name in runs}
    for rep in range(reps):
        # Rotate who goes first, so a drift in machine load falls on all alike.
        names = list(runs)
        for name in names[rep % 3 :] + names[: rep % 3]:
            door, *first = runs[name]
            event = new_launch(templates[door], events[door])
            seconds, mib = start_once(DOORS[door], event, env, *first)
            times[name].append(seconds * 1000)
            memory[name].append(mib)
    # What Jinja2's import adds, per repetition: the baseline with it, less without it.
    # Ours less that is what our cold start would be if answers needed no Jinja2 at run
    # time (the bar holds rendering at run time to account for exactly this).
    jinja_ms = [j - b for j, b in zip(times[JINJA], times["baseline"], strict=True)]
    jinja_mib = [j - b for j, b in zip(memory[JINJA], memory["baseline"], strict=True)]
    ours_less_ms = [o - j for o, j in zip(times["ours"], jinja_ms, strict=True)]
    ours_less_mib = [o - j for o, j in zip(memory["ours"], jinja_mib, strict=True)]
    return [
        Figure.ratio("cold start to first answer", "ms", times["baseline"], times["ours"], 1.25),
        Figure.ratio("its peak RSS", "MiB", memory["baseline"], memory["ours"], 1.25),
        Figure.info("  Jinja2's import adds", "ms", jinja_ms, "(of ours above)"),
        Figure.info("  Jinja2's import adds", "MiB", jinja_mib, "(of ours above)"),
        Figure.ratio("  cold start less that", "ms", times["baseline"], ours_less_ms, 1.25),
        Figure.ratio("  peak RSS less that", "MiB", memory["baseline"], ours_less_mib, 1.25),
    ]
