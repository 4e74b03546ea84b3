"""`python -m bench.run [--quick] [--only NAME ...]`: Recovery Coach against the baseline.

Prints one table of cost ratios (ours against `bench.baseline_skill`, measured in the
same run, interleaved) with their spread over repetitions and the targets. Timings are
reported, never asserted: the exit status is 0 whatever the ratios (non-zero only if a
measurement itself failed).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.stats import Figure, table

SECTIONS = ("cold", "latency", "web", "memory")


@dataclass(frozen=True)
class Settings:
    cold_reps: int
    latency_rounds: int
    sessions_per_block: int  # 15 requests a session
    web_rounds: int
    web_clients: int
    web_seconds: float
    memory_reps: int
    memory_requests: int


FULL = Settings(10, 16, 20, 3, 8, 5.0, 3, 10_000)
QUICK = Settings(3, 3, 5, 1, 8, 2.0, 1, 2_000)


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a fast smoke run (~1 minute)")
    parser.add_argument(
        "--only",
        action="append",
        choices=SECTIONS,
        metavar="NAME",
        help=f"run only this part (repeatable): {', '.join(SECTIONS)}",
    )
    return parser.parse_args(argv)


def measure(sections: tuple[str, ...], settings: Settings, workdir: Path) -> list[Figure]:
    # Importing our door builds the process's shared skill from SKILL_DB: keep it in the
    # temp dir (never the user's real progress file). Children inherit this too.
    os.environ["SKILL_DB"] = f"sqlite:///{workdir / 'shared.db'}"
    # Ours as the wheel ships it: templates compiled ahead, data as JSON (skill/_compiled,
    # ignored by git), before anything loads the skill.
    from skill import precompiled, resources

    precompiled.compile_all(resources.responses_dir(), precompiled.default_folder())
    from bench import cold, latency, memory, sessions, web

    figures: list[Figure] = []
    doors = latency.handlers(workdir)
    templates = {name: sessions.record(handler) for name, handler in doors.items()}
    if "cold" in sections:
        _say("cold start")
        figures += cold.measure(workdir, templates, settings.cold_reps)
    if "latency" in sections:
        _say("in-process latency")
        figures += latency.measure(
            doors, templates, settings.latency_rounds, settings.sessions_per_block
        )
    if "web" in sections:
        _say("web service")
        figures += web.measure(
            workdir, templates, settings.web_rounds, settings.web_clients, settings.web_seconds
        )
    if "memory" in sections:
        _say("memory")
        figures += memory.measure(templates, settings.memory_reps, settings.memory_requests)
    return figures


def _say(what: str) -> None:
    print(f"measuring {what} ...", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    settings = QUICK if args.quick else FULL
    sections = tuple(args.only) if args.only else SECTIONS
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="recovery-coach-bench-") as folder:
        figures = measure(sections, settings, Path(folder))
    from skill.server import server_settings

    print(
        f"\nRecovery Coach vs bench.baseline_skill ({'quick' if args.quick else 'full'} run; "
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs; waitress "
        f"with {server_settings()['threads']} threads)\n"
    )
    print(table(figures))
    print(f"\ntotal run time: {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
