"""In-process latency: the Lambda handler call alone, over realistic sessions.

Ours runs with SQLite persistence on (a throwaway file), built exactly as the door
builds it (`build_skill(store)` wrapped by `handler_for`). Envelopes are prebuilt before
each block; only the handler call is timed. Blocks of sessions alternate between the
two skills, so both see the same machine.
"""

from __future__ import annotations

import gc
import sys
import time
from pathlib import Path

from bench import sessions
from bench.stats import Figure, percentile


def handlers(workdir: Path) -> dict[str, sessions.Handler]:
    from bench import baseline_skill
    from skill.app import build_skill
    from skill.lambda_function import handler_for
    from skill.persistence.sqlite import SQLiteStore

    return {
        "ours": handler_for(build_skill(SQLiteStore(workdir / "latency.db"))),
        "baseline": baseline_skill.lambda_handler,
    }


def run_block(handler: sessions.Handler, block: list[list[sessions.Event]]) -> list[float]:
    """Milliseconds per handler call over the block's sessions, in order."""
    timings = []
    for session in block:
        for event in session:
            started = time.perf_counter_ns()
            handler(event, None)
            timings.append((time.perf_counter_ns() - started) / 1e6)
    return timings


def measure(
    doors: dict[str, sessions.Handler],
    templates: dict[str, list[str]],
    rounds: int,
    sessions_per_block: int,
) -> list[Figure]:
    for name, handler in doors.items():  # warm: templates compiled, connections open
        run_block(handler, [sessions.events(templates[name]) for _ in range(5)])
    p50: dict[str, list[float]] = {"ours": [], "baseline": []}
    p99: dict[str, list[float]] = {"ours": [], "baseline": []}
    for round_number in range(rounds):
        order = ("ours", "baseline") if round_number % 2 == 0 else ("baseline", "ours")
        for name in order:
            block = [sessions.events(templates[name]) for _ in range(sessions_per_block)]
            gc.collect()  # each block starts from the same heap state
            with sessions.without_faults(f"in-process {name}"):
                timings = run_block(doors[name], block)
            p50[name].append(percentile(timings, 0.50))
            p99[name].append(percentile(timings, 0.99))
    requests = rounds * sessions_per_block * len(templates["ours"])
    print(f"  in-process: {requests} timed requests per skill, {rounds} blocks", file=sys.stderr)
    return [
        Figure.ratio("in-process p50", "ms", p50["baseline"], p50["ours"], 1.3),
        Figure.ratio("in-process p99", "ms", p99["baseline"], p99["ours"], 1.5),
    ]
