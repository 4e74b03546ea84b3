"""`python -m skill serve` as a real gunicorn process on a loopback port."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from skill.simulator.device import SimulatedDevice
from tests.support.pki import make_test_pki
from tests.web import free_port, post, running, signed_post, signed_server

pytestmark = pytest.mark.slow
PKI = make_test_pki()


def test_serve_verifies_by_default() -> None:
    port = free_port()
    with running(
        ["-m", "skill", "serve", "--host", "127.0.0.1", "--port", str(port)], port
    ) as server:
        body = json.dumps(SimulatedDevice().envelope_for_launch()).encode()
        reply = post(f"{server.url}/", body, {"Content-Type": "application/json"})
        assert reply.status == 400
        assert reply.body["error"] in {"cert_url_missing", "signature_missing"}
        output = server.output()
    assert "VERIFICATION IS OFF" not in output
    assert '"outcome":"rejected:' in output


def test_no_verify_says_so_loudly_and_answers() -> None:
    port = free_port()
    args = ["-m", "skill", "serve", "--host", "127.0.0.1", "--port", str(port), "--no-verify"]
    with running(args, port) as server:

        def send(event: dict) -> dict:  # type: ignore[type-arg]
            reply = post(
                f"{server.url}/", json.dumps(event).encode(), {"Content-Type": "application/json"}
            )
            assert reply.status == 200, reply.body
            return reply.body

        device = SimulatedDevice(send=send)
        assert (device.launch().speech or "").startswith("Welcome")
        assert (device.say("next").speech or "").startswith("Step 1 of 8")
        output = server.output()
    assert "REQUEST VERIFICATION IS OFF" in output


@pytest.fixture(name="signed_server")
def signed_server_fixture(tmp_path: Path):  # type: ignore[no-untyped-def]
    with signed_server(PKI, tmp_path) as server:
        yield server


def test_a_real_server_accepts_signed_requests_and_rejects_the_rest(signed_server) -> None:  # type: ignore[no-untyped-def]
    url = f"{signed_server.url}/"
    device = SimulatedDevice(send=lambda event: signed_post(url, PKI, event).body)
    assert (device.launch().speech or "").startswith("Welcome")
    assert (device.say("skip to the ice bath").speech or "").startswith("Step 7 of 8")

    event = SimulatedDevice().envelope_for_launch()
    body = json.dumps(event).encode()
    forged = {"Content-Type": "application/json", "SignatureCertChainUrl": "https://s3.amazonaws.com/echo.api/echo-api-cert-test.pem", "Signature-256": PKI.sign(b"other")}  # fmt: skip
    assert post(url, body, forged).status == 400
    assert post(url, b"{nope", {"Content-Type": "application/json"}).status == 400
    assert post(url, b"x" * 300_000, {"Content-Type": "application/json"}).status == 413
    assert signed_post(url, PKI, SimulatedDevice().envelope_for_launch()).status == 200


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
        assert device.attributes["step"] == 1 + number % 8
        return statuses

    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(session, range(48)))
    statuses = [status for result in results for status in result]
    assert len(statuses) == sum(3 + n % 8 for n in range(48))
    assert set(statuses) == {200}
