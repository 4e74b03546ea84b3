"""In-process latency: the Lambda handler call alone, over realistic sessions.

Ours runs with SQLite persistence on (a throwaway file), built exactly as the door
builds it (`build_skill(store)` wrapped by `handler_for`). Envelopes are prebuilt before
each block; only the handler call is timed. Blocks of sessions alternate between the
skills, so all see the same machine.

A third door is ours reading envelopes with the SDK's own serializer (whose dateutil
parse of the request's timestamp `skill.envelope` replaces): shown, not judged, so the
table says how much of ours-against-baseline that one change accounts for.
"""

from __future__ import annotations

import gc
import sys
import time
from pathlib import Path

from bench import sessions
from bench.stats import Figure, percentile

SDK_TIMESTAMPS = "ours, SDK timestamps"


def handlers(workdir: Path) -> dict[str, sessions.Handler]:
    from ask_sdk_core.serialize import DefaultSerializer

    from bench import baseline_skill
    from skill.app import build_skill
    from skill.lambda_function import handler_for
    from skill.persistence.sqlite import SQLiteStore

    with_sdk_timestamps = build_skill(SQLiteStore(workdir / "latency-sdk.db"))
    with_sdk_timestamps.serializer = DefaultSerializer()
    return {
        "ours": handler_for(build_skill(SQLiteStore(workdir / "latency.db"))),
        "baseline": baseline_skill.lambda_handler,
        SDK_TIMESTAMPS: handler_for(with_sdk_timestamps),
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
    p50: dict[str, list[float]] = {name: [] for name in doors}
    p99: dict[str, list[float]] = {name: [] for name in doors}
    for round_number in range(rounds):
        order = list(doors) if round_number % 2 == 0 else list(reversed(doors))
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
        _without_envelope("  p50 reading timestamps as the SDK does", p50),
        Figure.ratio("in-process p99", "ms", p99["baseline"], p99["ours"], 1.5),
        _without_envelope("  p99 reading timestamps as the SDK does", p99),
    ]


def _without_envelope(name: str, figures: dict[str, list[float]]) -> Figure:
    """Ours reading timestamps as the SDK does, against the baseline: shown, not judged."""
    figure = Figure.ratio(name, "ms", figures["baseline"], figures[SDK_TIMESTAMPS], 0)
    figure.judged, figure.target = False, "(ours without skill.envelope)"
    return figure
