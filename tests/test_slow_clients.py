"""Slow clients against the real server (`python -m skill serve`'s, verification on) on a
loopback socket: they must not keep anyone else from being answered, and connections that
go silent are closed.

The bounds here are generous on purpose: the point is answered-at-once against
never-answered-while-the-slow-clients-stay, not a latency figure.
"""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest

from skill.simulator.device import SimulatedDevice
from tests.support.pki import make_test_pki
from tests.web import Server, signed_post, signed_server

pytestmark = pytest.mark.slow
PKI = make_test_pki()
ANSWER_WITHIN = 5.0  # seconds; an unstarved server answers in milliseconds
HEADERS_SO_FAR = b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "
WHOLE_HEADERS = (
    b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    b"Content-Length: 4000\r\n\r\n"
)


def _port(server: Server) -> int:
    return int(server.url.rsplit(":", 1)[1])


@contextmanager
def trickling(server: Server, headers: int, bodies: int) -> Iterator[list[socket.socket]]:
    """`headers` connections sending their headers and `bodies` sending their body, each
    a byte every half second, for as long as the block runs."""
    sockets: list[socket.socket] = []
    stop = threading.Event()
    try:
        for number in range(headers + bodies):
            sock = socket.create_connection(("127.0.0.1", _port(server)), timeout=5)
            sock.sendall(HEADERS_SO_FAR if number < headers else WHOLE_HEADERS)
            sockets.append(sock)

        def trickle() -> None:
            while not stop.wait(0.5):
                for sock in sockets:
                    with suppress(OSError):
                        sock.send(b"a")

        thread = threading.Thread(target=trickle, daemon=True)
        thread.start()
        # Connections are accepted in the order they were made: whatever the test sends
        # next comes after every slow one.
        yield sockets
    finally:
        stop.set()
        for sock in sockets:
            sock.close()


def timed(action):  # type: ignore[no-untyped-def]
    started = time.monotonic()
    result = action()
    return result, time.monotonic() - started


def test_slow_clients_do_not_starve_anyone(tmp_path: Path) -> None:
    with signed_server(PKI, tmp_path) as server, trickling(server, headers=64, bodies=32):

        def health() -> int:
            with urllib.request.urlopen(f"{server.url}/healthz", timeout=ANSWER_WITHIN) as reply:
                return int(reply.status)

        status, seconds = timed(health)
        assert status == 200 and seconds < ANSWER_WITHIN
        launch = SimulatedDevice().envelope_for_launch()
        reply, seconds = timed(lambda: signed_post(f"{server.url}/", PKI, launch, ANSWER_WITHIN))
        assert reply.status == 200 and seconds < ANSWER_WITHIN


def test_a_connection_that_goes_silent_is_closed(tmp_path: Path) -> None:
    with (
        signed_server(PKI, tmp_path, env={"WEB_IDLE_TIMEOUT": "1"}) as server,
        socket.create_connection(("127.0.0.1", _port(server)), timeout=30) as silent,
        socket.create_connection(("127.0.0.1", _port(server)), timeout=30) as half,
    ):
        half.sendall(WHOLE_HEADERS + b'{"version"')  # and then nothing more
        assert silent.recv(4096) == b"", "a connection that never sends is closed"
        assert half.recv(4096) == b"", "so is one that stops mid-request"
        launch = SimulatedDevice().envelope_for_launch()
        assert signed_post(f"{server.url}/", PKI, launch).status == 200


def test_kept_alive_and_pipelined_requests_are_answered(tmp_path: Path) -> None:
    with signed_server(PKI, tmp_path) as server:
        connection = http.client.HTTPConnection("127.0.0.1", _port(server), timeout=10)
        for _ in range(3):
            connection.request("GET", "/healthz")
            reply = connection.getresponse()
            assert (reply.status, json.loads(reply.read())) == (200, {"status": "ok"})
        connection.close()
        with socket.create_connection(("127.0.0.1", _port(server)), timeout=10) as sock:
            one = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
            sock.sendall(one * 2)
            received = b""
            while received.count(b'{"status":"ok"}') < 2:
                chunk = sock.recv(4096)
                assert chunk, received
                received += chunk
