"""Memory over 10,000 requests in one process: a child process per skill and repetition
(`bench.memory_child`), reporting RSS after request 1,000 and after the last."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.memory_child import CHECKPOINT
from bench.stats import Figure

TIMEOUT_S = 600


def run_child(which: str, template: list[str], requests: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as folder:
        template_path = Path(folder) / "template.json"
        template_path.write_text(json.dumps(template))
        env = {**os.environ, "SKILL_DB": f"sqlite:///{Path(folder) / 'memory.db'}"}
        completed = subprocess.run(
            [sys.executable, "-m", "bench.memory_child", which, str(template_path), str(requests)],
            env=env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            check=False,
            cwd=Path(__file__).resolve().parent.parent,
        )
    if completed.returncode != 0:
        raise RuntimeError(f"memory child {which} failed:\n{completed.stderr[-2000:]}")
    result: dict[str, float] = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


def measure(templates: dict[str, list[str]], reps: int, requests: int) -> list[Figure]:
    # Memory is not disturbed by a busy CPU, so one child per skill runs side by side.
    from concurrent.futures import ThreadPoolExecutor

    final: dict[str, list[float]] = {"ours": [], "baseline": []}
    growth: dict[str, list[float]] = {"ours": [], "baseline": []}
    with ThreadPoolExecutor(max_workers=2) as pool:
        for _ in range(reps):
            futures = {
                name: pool.submit(run_child, name, templates[name], requests)
                for name in ("ours", "baseline")
            }
            for name, future in futures.items():
                result = future.result()
                final[name].append(result["rss_final"])
                growth[name].append(result["rss_final"] - result["rss_checkpoint"])
    return [
        Figure.ratio(
            f"RSS after {requests:,} requests", "MiB", final["baseline"], final["ours"], 1.25
        ),
        Figure.absolute(
            f"RSS growth {CHECKPOINT:,}->{requests:,}",
            "MiB",
            growth["baseline"],
            growth["ours"],
            5.0,
        ),
    ]
