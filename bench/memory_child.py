"""`python -m bench.memory_child ours|baseline TEMPLATE_JSON REQUESTS`: one JSON line with
RSS after request 1,000, after the last, and the peak (MiB).

It imports only the skill's door and `bench.sessions` (no simulator, no statistics), so
what it reports is that skill's memory and nothing of the benchmark's.
"""

from __future__ import annotations

import gc
import importlib
import json
import sys
from pathlib import Path

from bench import sessions

DOORS = {"ours": "skill.lambda_function", "baseline": "bench.baseline_skill"}
CHECKPOINT = 1000


def _status_mib(field: str) -> float:
    """A VmRSS/VmHWM line of /proc/self/status, in MiB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def _rss_now() -> float:
    gc.collect()  # count what is kept, not garbage waiting for the next collection
    return _status_mib("VmRSS")


def child(which: str, template_path: str, requests: int) -> dict[str, float]:
    handler: sessions.Handler = importlib.import_module(DOORS[which]).lambda_handler
    template = json.loads(Path(template_path).read_text())
    if "logging" not in sys.modules:  # the baseline never logs: don't load logging for it
        return _run(handler, template, requests)
    with sessions.without_faults(f"memory {which}"):
        return _run(handler, template, requests)


def _run(handler: sessions.Handler, template: list[str], requests: int) -> dict[str, float]:
    done, at_checkpoint = 0, 0.0
    while done < requests:
        for event in sessions.events(template):
            handler(event, None)
            done += 1
            if done == CHECKPOINT:
                at_checkpoint = _rss_now()
            if done == requests:
                break
    final = _rss_now()
    return {"rss_checkpoint": at_checkpoint, "rss_final": final, "peak": _status_mib("VmHWM")}


if __name__ == "__main__":
    print(json.dumps(child(sys.argv[1], sys.argv[2], int(sys.argv[3]))))
