"""`python -m skill serve` as a real process on a loopback socket."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import socket
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from skill.simulator.device import SimulatedDevice
from tests import said
from tests.support.pki import make_test_pki, signed_headers
from tests.web import post, running, signed_post, signed_server

pytestmark = pytest.mark.slow
PKI = make_test_pki()


@pytest.mark.parametrize("skill_id", [None, "", "  "], ids=["unset", "empty", "blank"])
def test_serve_with_verification_refuses_to_start_without_a_skill_id(skill_id: str | None) -> None:
    env = {k: v for k, v in os.environ.items() if k != "SKILL_ID"}
    if skill_id is not None:
        env["SKILL_ID"] = skill_id
    args = ["-m", "skill", "serve", "--host", "127.0.0.1", "--port", "0"]
    done = subprocess.run(
        [sys.executable, *args], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode != 0
    assert "SKILL_ID is not set" in done.stderr and "--no-verify" in done.stderr


def test_serve_verifies_by_default() -> None:
    with running(
        ["-m", "skill", "serve"],
        env={"SKILL_ID": "amzn1.ask.skill.production"},
    ) as server:
        body = json.dumps(SimulatedDevice().envelope_for_launch()).encode()
        reply = post(f"{server.url}/", body, {"Content-Type": "application/json"})
        assert reply.status == 400
        assert reply.body["error"] in {"cert_url_missing", "signature_missing"}
        output = server.output()
    assert "VERIFICATION IS OFF" not in output
    assert '"outcome":"rejected:' in output


def test_no_verify_says_so_loudly_and_answers() -> None:
    args = ["-m", "skill", "serve", "--no-verify"]
    with running(args) as server:

        def send(event: dict) -> dict:  # type: ignore[type-arg]
            reply = post(
                f"{server.url}/", json.dumps(event).encode(), {"Content-Type": "application/json"}
            )
            assert reply.status == 200, reply.body
            return reply.body

        device = SimulatedDevice(send=send)
        assert (device.launch().speech or "").startswith(said.WELCOME)
        assert (device.say("next").speech or "").startswith(said.step(1))
        output = server.output()
    assert "REQUEST VERIFICATION IS OFF" in output


@pytest.fixture(name="signed_server")
def signed_server_fixture(tmp_path: Path):  # type: ignore[no-untyped-def]
    with signed_server(PKI, tmp_path) as server:
        yield server


def test_a_real_server_accepts_signed_requests_and_rejects_the_rest(signed_server) -> None:  # type: ignore[no-untyped-def]
    url = f"{signed_server.url}/"
    device = SimulatedDevice(send=lambda event: signed_post(url, PKI, event).body)
    assert (device.launch().speech or "").startswith(said.WELCOME)
    assert (device.say("skip to the ice bath").speech or "").startswith(said.step(7))

    event = SimulatedDevice().envelope_for_launch()
    body = json.dumps(event).encode()
    forged = {"Content-Type": "application/json", "SignatureCertChainUrl": "https://s3.amazonaws.com/echo.api/echo-api-cert-test.pem", "Signature-256": PKI.sign(b"other")}  # fmt: skip
    assert post(url, body, forged).status == 400
    assert post(url, b"{nope", {"Content-Type": "application/json"}).status == 400
    assert post(url, b"x" * 300_000, {"Content-Type": "application/json"}).status == 413
    assert signed_post(url, PKI, SimulatedDevice().envelope_for_launch()).status == 200


def test_a_real_server_refuses_requests_for_another_skill(tmp_path: Path) -> None:
    with signed_server(PKI, tmp_path, env={"SKILL_ID": "amzn1.ask.skill.someone-else"}) as server:
        reply = signed_post(f"{server.url}/", PKI, SimulatedDevice().envelope_for_launch())
    assert (reply.status, reply.body["error"]) == (403, "application_id")


def test_a_burst_of_concurrent_sessions_gets_no_errors(signed_server) -> None:  # type: ignore[no-untyped-def]
    url = f"{signed_server.url}/"

    def session(number: int) -> list[int]:
        statuses: list[int] = []

        def send(event: dict) -> dict:  # type: ignore[type-arg]
            reply = signed_post(url, PKI, event)
            statuses.append(reply.status)
            return reply.body

        device = SimulatedDevice(send=send, user_id=f"amzn1.ask.account.burst-{number}")
        device.launch()
        device.say("yes")
        for _ in range(number % 8):
            device.say("next")
        turn = device.say("what's left")
        assert turn is not None and turn.speech
        assert device.dialogue["step"] == 1 + number % 8
        return statuses

    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(session, range(48)))
    statuses = [status for result in results for status in result]
    assert len(statuses) == sum(3 + n % 8 for n in range(48))
    assert set(statuses) == {200}


def exchange(url: str, raw: bytes) -> tuple[int, dict[str, Any]]:
    """Send raw bytes to the server (from another thread, so a refusal mid-body is still
    read) and return the answer's status and body: the app's JSON, or for what the server
    refuses before the app (framing, size) its text as {"text": ...}."""
    port = int(url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:

        def send() -> None:
            with contextlib.suppress(OSError):  # the server may stop reading once it refuses
                sock.sendall(raw)

        sender = threading.Thread(target=send, daemon=True)
        sender.start()
        answer = http.client.HTTPResponse(sock)
        answer.begin()
        data = answer.read()
        sender.join(timeout=30)
        if answer.getheader("Content-Type", "").startswith("application/json"):
            return answer.status, json.loads(data or b"{}")
        return answer.status, {"text": data.decode(errors="replace")}


def chunked(body: bytes, size: int = 8192) -> bytes:
    pieces = [body[i : i + size] for i in range(0, len(body), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(piece), piece) for piece in pieces) + b"0\r\n\r\n"


def request_head(headers: dict[str, str]) -> bytes:
    lines = ["POST / HTTP/1.1", "Host: 127.0.0.1", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def test_a_real_server_answers_every_parse_failure_with_a_4xx(signed_server) -> None:  # type: ignore[no-untyped-def]
    url = signed_server.url
    json_type = {"Content-Type": "application/json"}
    launch = json.dumps(SimulatedDevice().envelope_for_launch()).encode()
    signed = {**signed_headers(PKI, launch), "Transfer-Encoding": "chunked"}
    assert exchange(url, request_head(signed) + chunked(launch, 100))[0] == 200

    deep = b"[" * 984
    deep_head = request_head({**json_type, "Content-Length": str(len(deep))})
    assert exchange(url, deep_head + deep) == (
        400,
        {"error": "malformed_json", "message": "the body is not valid JSON"},
    )
    big = b" " * 400 * 1024
    status, _ = exchange(
        url, request_head({**json_type, "Transfer-Encoding": "chunked"}) + chunked(big)
    )
    assert status == 413
    status, _ = exchange(url, request_head({**json_type, "Content-Length": str(len(big))}) + big)
    assert status == 413
    bad_framing = (
        request_head({**json_type, "Transfer-Encoding": "chunked"}) + b"zz\r\nhello\r\n0\r\n\r\n"
    )
    assert exchange(url, bad_framing)[0] == 400
    both = request_head(
        {**json_type, "Content-Length": "5", "Transfer-Encoding": "chunked"}
    ) + chunked(b"{}")
    assert 400 <= exchange(url, both)[0] < 500
    assert exchange(url, request_head({**json_type, "Transfer-Encoding": "gzip"}) + b"{}")[0] in (
        400,
        501,
    )
    assert signed_post(f"{url}/", PKI, SimulatedDevice().envelope_for_launch()).status == 200
