"""Web-service throughput and p99 on loopback, each skill under waitress in turn.

A server process per skill and round (`python -m bench.serve`), on a free loopback port,
its output in a temp file (a pipe nobody reads would stall it). A bounded load: a few
client threads with keep-alive connections, each playing whole sessions (new runner
each time) back to back until the deadline; the same request mix for both skills.
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bench import sessions
from bench.stats import Figure, percentile

REPO = Path(__file__).resolve().parent.parent
START_TIMEOUT_S = 30
REQUEST_TIMEOUT_S = 10


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def server(which: str, workdir: Path) -> Iterator[int]:
    """A running server for `which`, on a free loopback port; stopped afterwards."""
    port = free_port()
    env = {**os.environ, "SKILL_DB": f"sqlite:///{workdir / f'web-{port}.db'}"}
    log_path = workdir / f"server-{which}-{port}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "bench.serve", which, str(port)],
            cwd=REPO,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_healthy(process, port, log_path)
        yield port
    finally:
        process.terminate()  # waitress stops gracefully on SIGTERM
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    faults = _faults(log_path.read_text(errors="replace"))
    if faults:
        raise RuntimeError(f"{which} server logged {len(faults)} faults, first: {faults[0]}")


# Ours answers a failed request with a 200 and an apology, so a status check alone would
# not notice a benchmark of the error path: its log would.
_FAULT_MARKS = ("ERROR", "CRITICAL", "Traceback", "progress store", '"outcome":"error"')


def _faults(log: str) -> list[str]:
    return [line for line in log.splitlines() if any(mark in line for mark in _FAULT_MARKS)]


def _wait_healthy(process: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{log.read_text(errors='replace')[-2000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("server did not answer /healthz in time")


@dataclass
class Load:
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    elapsed_s: float = 0.0

    @property
    def throughput(self) -> float:
        return len(self.latencies_ms) / self.elapsed_s


def _client(
    port: int, template: list[str], deadline: float, load: Load, lock: threading.Lock
) -> None:
    """Whole sessions, back to back, on one keep-alive connection, until the deadline."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT_S)
    headers = {"Content-Type": "application/json"}
    latencies, errors = [], 0
    try:
        while time.monotonic() < deadline:
            # Bodies are made before each session, outside the timed requests.
            for body in sessions.bodies(template):
                if time.monotonic() >= deadline:
                    break
                started = time.perf_counter()
                try:
                    connection.request("POST", "/", body=body.encode(), headers=headers)
                    reply = connection.getresponse()
                    reply.read()
                    ok = reply.status == 200
                except (OSError, http.client.HTTPException):
                    connection.close()  # reconnects on the next request
                    ok = False
                if ok:
                    latencies.append((time.perf_counter() - started) * 1000)
                else:
                    errors += 1
    finally:
        connection.close()
        with lock:
            load.latencies_ms.extend(latencies)
            load.errors += errors


def apply_load(port: int, template: list[str], clients: int, seconds: float) -> Load:
    load, lock = Load(), threading.Lock()
    started = time.monotonic()
    deadline = started + seconds
    threads = [
        threading.Thread(target=_client, args=(port, template, deadline, load, lock), daemon=True)
        for _ in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 2 * REQUEST_TIMEOUT_S)
    load.elapsed_s = time.monotonic() - started
    return load


def measure(
    workdir: Path, templates: dict[str, list[str]], rounds: int, clients: int, seconds: float
) -> list[Figure]:
    throughput: dict[str, list[float]] = {"ours": [], "baseline": []}
    p99: dict[str, list[float]] = {"ours": [], "baseline": []}
    for round_number in range(rounds):
        order = ("ours", "baseline") if round_number % 2 == 0 else ("baseline", "ours")
        for name in order:
            with server(name, workdir) as port:
                apply_load(port, templates[name], clients, min(1.0, seconds / 2))  # warm
                load = apply_load(port, templates[name], clients, seconds)
            if load.errors or not load.latencies_ms:
                raise RuntimeError(f"{name}: {load.errors} failed requests under load")
            throughput[name].append(load.throughput)
            p99[name].append(percentile(load.latencies_ms, 0.99))
            print(
                f"  web round {round_number + 1} {name}: {load.throughput:.0f} req/s, "
                f"p99 {p99[name][-1]:.1f} ms, {len(load.latencies_ms)} requests",
                file=sys.stderr,
            )
    return [
        Figure.ratio(
            "web throughput",
            "req/s",
            throughput["baseline"],
            throughput["ours"],
            1 / 0.9,
            higher_is_better=True,
            note="<= 1.11x (ours >= 0.9x req/s)",
        ),
        Figure.ratio("web p99", "ms", p99["baseline"], p99["ours"], 2.0),
    ]
