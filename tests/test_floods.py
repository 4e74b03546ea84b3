"""Floods against the real server (`python -m skill serve`'s), aimed only at loopback,
bounded in count and time: one client must not take the service down.

The margins are generous on purpose (two busy cores): the point is answered against
never answered, not a latency figure.
"""

from __future__ import annotations

import socket
import threading
from contextlib import ExitStack, suppress
from pathlib import Path

import pytest

from skill.simulator.device import SimulatedDevice
from tests.support.pki import make_test_pki
from tests.web import running, signed_post, signed_server

pytestmark = pytest.mark.slow
PKI = make_test_pki()
ANSWER_WITHIN = 20.0  # seconds a legitimate request may take during a flood (Alexa: 8)
AFTER_BURST_WITHIN = 10.0  # seconds the first request after a burst may take
BURST_SECONDS = 5.0  # the finding's burst: it left the service down for minutes
CHUNKED_HEAD = (
    b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    b"Transfer-Encoding: chunked\r\n\r\n"
)
ONE_BYTE_CHUNKS = b"1\r\n \r\n" * 20_000  # 140 KB on the wire for 20 KB of body
CONNECTIONS_PER_CLIENT = 200  # each carries 8 x 140 KB: 1.1 MB, past the 128 KiB limit


class Flood:
    """Clients sending bodies of one-byte chunks to loopback as fast as the kernel takes
    them (no pacing: far above the 2 MiB/s of the finding), each at most
    CONNECTIONS_PER_CLIENT connections, until stopped."""

    def __init__(self, port: int, clients: int) -> None:
        self.port = port
        self.stop = threading.Event()
        self.sent = [0] * clients
        self.threads = [
            threading.Thread(target=self._client, args=(n,), daemon=True) for n in range(clients)
        ]

    def _client(self, number: int) -> None:
        for _ in range(CONNECTIONS_PER_CLIENT):
            if self.stop.is_set():
                return
            with (
                suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=5) as sock,
            ):
                sock.sendall(CHUNKED_HEAD)
                for _ in range(8):
                    sock.sendall(ONE_BYTE_CHUNKS)
                    self.sent[number] += len(ONE_BYTE_CHUNKS)

    def __enter__(self) -> Flood:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=60)

    @property
    def bytes_sent(self) -> int:
        return sum(self.sent)


def launch_answered_within(server_url: str, seconds: float, user: str) -> int:
    launch = SimulatedDevice(user_id=f"amzn1.ask.account.{user}").envelope_for_launch()
    return signed_post(f"{server_url}/", PKI, launch, seconds).status


def test_a_flood_of_one_byte_chunks_does_not_stop_legitimate_requests(tmp_path: Path) -> None:
    """Four clients flooding at loopback speed while ten signed requests each get their
    answer: a flood costs the I/O thread parsing, but it can only queue a short backlog
    of connections ahead of anyone else."""
    with signed_server(PKI, tmp_path) as server, Flood(server.port, clients=4) as flood:
        for number in range(10):
            assert launch_answered_within(server.url, ANSWER_WITHIN, f"during{number}") == 200
        assert flood.bytes_sent > 4 * len(ONE_BYTE_CHUNKS), "the flood ran"


def test_the_service_answers_promptly_after_a_burst_of_one_byte_chunks(tmp_path: Path) -> None:
    """The finding's burst: one client sending one-byte chunks as fast as it can for 5 s
    left the service down for minutes, parsing what the kernel had queued for it. Now the
    first request after the burst is answered within seconds, and so is the next."""
    with signed_server(PKI, tmp_path) as server:
        with Flood(server.port, clients=1) as flood:
            flood.stop.wait(BURST_SECONDS)  # the burst's length, not a synchronisation
        assert flood.bytes_sent > 8 * len(ONE_BYTE_CHUNKS), "the burst ran"
        assert launch_answered_within(server.url, AFTER_BURST_WITHIN, "after") == 200
        assert launch_answered_within(server.url, AFTER_BURST_WITHIN, "next") == 200


LOWERED_FD_LIMIT = 96
RUN_WITH_FEW_FDS = (
    "import resource, runpy, sys; "
    f"resource.setrlimit(resource.RLIMIT_NOFILE, ({LOWERED_FD_LIMIT}, {LOWERED_FD_LIMIT})); "
    "sys.argv = ['skill', *sys.argv[1:]]; runpy.run_module('skill', run_name='__main__')"
)


def test_more_connections_than_descriptors_leave_the_server_answering() -> None:
    """Under a lowered RLIMIT_NOFILE, three times as many idle connections as the process
    has descriptors: it stops accepting below its limit (the rest wait in the backlog),
    closes the idle ones, and answers; it never dies of EMFILE."""
    with (
        running(
            ["serve", "--no-verify"],
            env={"WEB_IDLE_TIMEOUT": "1", "SKILL_DB": "none"},
            prefix=["-c", RUN_WITH_FEW_FDS],
        ) as server,
        ExitStack() as idle,
    ):
        for _ in range(3 * LOWERED_FD_LIMIT):
            idle.enter_context(socket.create_connection(("127.0.0.1", server.port), timeout=30))
        launch = SimulatedDevice().envelope_for_launch()
        import json

        from tests.web import post

        body = json.dumps(launch).encode()
        reply = post(f"{server.url}/", body, {"Content-Type": "application/json"}, timeout=60)
        assert reply.status == 200
        assert server.process.poll() is None, "still running"
        idle.close()
        reply = post(f"{server.url}/", body, {"Content-Type": "application/json"}, timeout=60)
        assert reply.status == 200
