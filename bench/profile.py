"""`python -m bench.profile [latency|web|imports]`: where ours spends what the table shows.

- latency: a pyinstrument profile of our Lambda handler over realistic sessions
  (SQLite on), the handler call only.
- web: the same through our Flask app (Flask's test client, logging as under waitress).
- imports: what each module our door imports beyond the baseline's costs, in time and
  memory, from `python -X importtime` in a fresh interpreter.

Needs pyinstrument (a dev dependency) for the first two.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from bench import sessions

SESSIONS = 200


def _profile(run: Callable[[], object]) -> None:
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0005)
    profiler.start()
    run()
    profiler.stop()
    print(profiler.output_text(unicode=True, color=sys.stdout.isatty()))


def latency(workdir: Path) -> None:
    from bench.latency import handlers, run_block

    handler = handlers(workdir)["ours"]
    template = sessions.record(handler)
    run_block(handler, [sessions.events(template) for _ in range(5)])  # warm
    block = [sessions.events(template) for _ in range(SESSIONS)]
    _profile(lambda: run_block(handler, block))


def web(workdir: Path) -> None:
    from bench.latency import handlers
    from skill.server import LOG_FORMAT
    from skill.webservice import create_app

    # As `serve` sets it up: one INFO line a request, here to nowhere.
    with open(os.devnull, "w") as sink:
        logging.basicConfig(level=logging.INFO, format=LOG_FORMAT, stream=sink, force=True)
        template = sessions.record(handlers(workdir)["ours"])
        client = create_app(verify=False).test_client()

        def run() -> None:
            for _ in range(SESSIONS):
                for body in sessions.bodies(template):
                    client.post("/", data=body, content_type="application/json")

        _profile(run)


def imports(workdir: Path) -> None:
    """Self import time of each module ours loads after the baseline's, grouped."""
    code = "import bench.baseline_skill; import skill.lambda_function"
    env = {**os.environ, "SKILL_DB": f"sqlite:///{workdir / 'imports.db'}"}
    completed = subprocess.run(
        [sys.executable, "-I", "-X", "importtime", "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    lines = completed.stderr.splitlines()
    start = next(i for i, line in enumerate(lines) if line.endswith("| bench.baseline_skill"))
    costs: Counter[str] = Counter()
    for line in lines[start + 1 :]:
        match = re.match(r"import time:\s+(\d+) \|\s+\d+ \|\s*(\S+)", line)
        if match:
            costs[_group(match.group(2))] += int(match.group(1))
    print(f"imports ours adds over the baseline: {sum(costs.values()) / 1000:.0f} ms in all")
    for name, micros in costs.most_common(20):
        print(f"  {micros / 1000:6.1f} ms  {name}")


def _group(module: str) -> str:
    """Our modules one by one, the SDK's models by interface, anything else by package."""
    parts = module.split(".")
    depth = {"skill": 2, "ask_sdk_model": 3}.get(parts[0], 1)
    return ".".join(parts[:depth])


def main(argv: list[str]) -> int:
    what = argv[0] if argv else "latency"
    commands = {"latency": latency, "web": web, "imports": imports}
    if what not in commands:
        print(f"usage: python -m bench.profile [{'|'.join(commands)}]", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="recovery-coach-profile-") as folder:
        os.environ["SKILL_DB"] = f"sqlite:///{Path(folder) / 'shared.db'}"
        commands[what](Path(folder))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
