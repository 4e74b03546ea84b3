"""Helpers for talking to the web service: signing, posting, and real server processes."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.serialization import Encoding

from skill.simulator.device import SIMULATOR_SKILL_ID
from tests.support.pki import TestPKI, signed_headers

REPO = Path(__file__).parent.parent


@dataclass
class Reply:
    status: int
    body: dict[str, Any]


def post(url: str, body: bytes, headers: dict[str, str], timeout: float = 30) -> Reply:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return Reply(response.status, json.loads(response.read()))
    except urllib.error.HTTPError as error:
        return Reply(error.code, json.loads(error.read() or b"{}"))


def signed_post(url: str, pki: TestPKI, event: dict[str, Any], timeout: float = 30) -> Reply:
    body = json.dumps(event).encode()
    return post(url, body, signed_headers(pki, body), timeout)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        """Stop the server and return everything it printed."""
        self.process.terminate()
        self.process.wait(timeout=30)
        return self.log.read_text(errors="replace")


@contextmanager
def running(args: list[str], port: int, env: dict[str, str] | None = None) -> Iterator[Server]:
    """A real server process on a loopback port, stopped afterwards.

    Its output goes to a file, not a pipe: a busy server would fill a pipe nobody reads
    and stall on its own log lines.
    """
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "server.log"
        with log.open("wb") as sink:
            process = subprocess.Popen(
                [sys.executable, *args],
                cwd=REPO,
                stdout=sink,
                stderr=subprocess.STDOUT,
                env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
            )
        yield from _serve(Server(f"http://127.0.0.1:{port}", process, log))


def _serve(server: Server) -> Iterator[Server]:
    process = server.process
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, server.log.read_text(errors="replace")
            try:
                with urllib.request.urlopen(f"{server.url}/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)
        yield server
    finally:
        if process.poll() is None:
            process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def signed_server(
    pki: TestPKI, folder: Path, env: dict[str, str] | None = None
) -> Iterator[Server]:
    """The production server and app, verification on, trusting `pki`'s test authority."""
    root, chain = folder / "root.pem", folder / "chain.pem"
    root.write_bytes(pki.root.public_bytes(Encoding.PEM))
    chain.write_bytes(pki.chain_pem())
    port = free_port()
    args = ["-m", "tests.support.signed_server", str(root), str(chain), str(port)]
    with running(args, port, {"SKILL_ID": SIMULATOR_SKILL_ID, **(env or {})}) as server:
        yield server
