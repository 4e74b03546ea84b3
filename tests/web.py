"""Helpers for talking to the web service: signing, posting, and real server processes."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
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
        data = error.read()
        if (error.headers.get("Content-Type") or "").startswith("application/json"):
            return Reply(error.code, json.loads(data or b"{}"))
        # Refused by the server before the app (framing, size): plain text.
        return Reply(error.code, {"text": data.decode(errors="replace")})


def signed_post(url: str, pki: TestPKI, event: dict[str, Any], timeout: float = 30) -> Reply:
    body = json.dumps(event).encode()
    return post(url, body, signed_headers(pki, body), timeout)


def listening_socket() -> socket.socket:
    """A loopback socket bound to a port the kernel picked and already listening: a server
    given it has its port before it starts, and connections wait in its backlog until it
    accepts them (no free-port race, no polling for readiness)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(1024)
    sock.set_inheritable(True)
    return sock


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    def output(self) -> str:
        """Stop the server and return everything it printed."""
        self.process.terminate()
        self.process.wait(timeout=30)
        return self.log.read_text(errors="replace")


@contextmanager
def running(
    args: list[str], env: dict[str, str] | None = None, prefix: list[str] | None = None
) -> Iterator[Server]:
    """A real server process on a loopback socket made here and handed to it
    (`--listen-fd FD` is appended to `args`), stopped afterwards. `prefix` goes before the
    module arguments (`-c CODE` to run something first).

    Its output goes to a file, not a pipe: a busy server would fill a pipe nobody reads
    and stall on its own log lines.
    """
    with tempfile.TemporaryDirectory() as folder, listening_socket() as sock:
        log = Path(folder) / "server.log"
        fd = sock.fileno()
        with log.open("wb") as sink:
            process = subprocess.Popen(
                [sys.executable, *(prefix or []), *args, "--listen-fd", str(fd)],
                cwd=REPO,
                stdout=sink,
                stderr=subprocess.STDOUT,
                env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
                pass_fds=[fd],
            )
        server = Server(f"http://127.0.0.1:{sock.getsockname()[1]}", process, log)
        yield from _serve(server)


def _serve(server: Server) -> Iterator[Server]:
    process = server.process
    try:
        # The socket already listens: this waits in its backlog until the server is up.
        try:
            with urllib.request.urlopen(f"{server.url}/healthz", timeout=60) as response:
                assert response.status == 200
        except OSError as error:
            raise AssertionError(
                f"the server did not start: {error}\n{server.log.read_text(errors='replace')}"
            ) from None
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
    args = ["-m", "tests.support.signed_server", str(root), str(chain)]
    with running(args, {"SKILL_ID": SIMULATOR_SKILL_ID, **(env or {})}) as server:
        yield server
