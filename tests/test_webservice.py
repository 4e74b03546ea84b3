"""The web-service door, through Flask's test client: the same skill answers signed
requests, and whatever Alexa's rules or plain sense reject gets a 4xx and one log line."""

from __future__ import annotations

import base64
import io
import json
import logging
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from ask_sdk_model import IntentRequest, LaunchRequest
from flask.testing import FlaskClient

from skill.app import build_skill
from skill.simulator.device import SIMULATOR_SKILL_ID, SimulatedDevice
from skill.verify import (
    MAX_FETCHES,
    ApplicationIdVerifier,
    SignatureVerifier,
    TimestampVerifier,
)
from skill.webservice import MAX_BODY_BYTES, MissingSkillId, create_app
from tests import said
from tests.support.pki import CERT_URL, make_test_pki, signed_headers

PKI = make_test_pki()


class CountingSkill:
    """The real skill, counting what reaches it."""

    def __init__(self) -> None:
        self.skill = build_skill()
        self.calls = 0
        original = self.skill.invoke

        def invoke(**kwargs: Any) -> Any:
            self.calls += 1
            return original(**kwargs)

        self.skill.invoke = invoke  # type: ignore[method-assign]


def fetch(url: str) -> bytes:
    if url != CERT_URL:
        raise OSError(f"nothing at {url}")
    return PKI.chain_pem()


def make_client(
    skill_id: str | None = None, now: Callable[[], datetime] | None = None
) -> tuple[FlaskClient, CountingSkill]:
    """A client of the app with the test authority's chain; `now` stops the verifiers' clock."""
    counting = CountingSkill()
    clock = {"now": now} if now else {}
    verifiers: list[Any] = [
        SignatureVerifier(trust_roots=[PKI.root], fetch=fetch, **clock),
        TimestampVerifier(**clock),
    ]
    if skill_id:
        verifiers.append(ApplicationIdVerifier(skill_id))
    app = create_app(verifiers=verifiers, skill=counting.skill)
    return app.test_client(), counting


def launch_event(**changes: Any) -> dict[str, Any]:
    device = SimulatedDevice()
    device.start_session()
    fields = {**device.request_fields(), **changes}
    return device.envelope(LaunchRequest(**fields))


def post_signed(client: FlaskClient, event: dict[str, Any], **header_changes: str) -> Any:
    body = json.dumps(event).encode()
    headers = {**signed_headers(PKI, body), **header_changes}
    return client.post("/", data=body, headers=headers)


def web_door(client: FlaskClient):  # type: ignore[no-untyped-def]
    def send(event: dict[str, Any]) -> dict[str, Any]:
        reply = post_signed(client, event)
        assert reply.status_code == 200, reply.get_json()
        return reply.get_json()  # type: ignore[no-any-return]

    return send


def request_lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == "skill.webservice"]


def test_a_signed_conversation_is_the_same_skill_as_on_lambda() -> None:
    client, counting = make_client()
    device = SimulatedDevice(send=web_door(client))
    assert (device.launch().speech or "").startswith(said.WELCOME)
    assert (device.say("yes").speech or "").startswith(said.step(1))
    assert (device.say("skip to the ice bath").speech or "").startswith(said.step(7))
    assert "micro-tears" in (device.say("why").speech or "")
    assert counting.calls == 4


def test_each_request_leaves_one_log_line_without_user_data(
    caplog: pytest.LogCaptureFixture,
) -> None:
    client, _ = make_client()
    device = SimulatedDevice(send=web_door(client), user_id="amzn1.ask.account.PRIVATE")
    with caplog.at_level(logging.INFO, logger="skill.webservice"):
        device.launch()
        device.say("why does elevation help")
    launch, why = request_lines(caplog)
    assert launch["type"] == "LaunchRequest" and launch["outcome"] == "ok"
    assert launch["status"] == 200 and launch["request_id"].startswith("amzn1.echo-api.request.")
    assert why["intent"] == "WhyIntent" and isinstance(why["latency_ms"], float)
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "PRIVATE" not in logged and "elevation" not in logged


@pytest.mark.parametrize(
    ("change", "status", "reason"),
    [
        ({"Signature-256": PKI.sign(b"something else")}, 400, "signature_invalid"),
        ({"SignatureCertChainUrl": "http://s3.amazonaws.com/echo.api/c.pem"}, 400, "cert_url_scheme"),
        ({"SignatureCertChainUrl": "https://s3.evil.com/echo.api/c.pem"}, 400, "cert_url_host"),
        ({"SignatureCertChainUrl": "https://s3.amazonaws.com/ECHO.API/c.pem"}, 400, "cert_url_path"),
        ({"SignatureCertChainUrl": "https://s3.amazonaws.com:8443/echo.api/c.pem"}, 400, "cert_url_port"),
        ({"SignatureCertChainUrl": "https://s3.amazonaws.com/echo.api/other.pem"}, 400, "cert_fetch_failed"),
    ],
)  # fmt: skip
def test_requests_failing_signature_checks_are_rejected_before_the_skill(
    change: dict[str, str], status: int, reason: str, caplog: pytest.LogCaptureFixture
) -> None:
    client, counting = make_client()
    with caplog.at_level(logging.INFO, logger="skill.webservice"):
        reply = post_signed(client, launch_event(), **change)
    assert reply.status_code == status
    assert reply.get_json()["error"] == reason
    assert counting.calls == 0
    (line,) = request_lines(caplog)
    assert line["outcome"] == f"rejected:{reason}"
    assert not [r for r in caplog.records if r.exc_info], "one line, no traceback"


@pytest.mark.parametrize(
    ("leaf_changes", "reason"),
    [
        ({"not_after": datetime.now(UTC) - timedelta(days=1)}, "cert_expired"),
        ({"name": "echo-api.example.com"}, "cert_name"),
    ],
)
def test_wrong_certificates_are_rejected(leaf_changes: dict[str, Any], reason: str) -> None:
    leaf, key = PKI.leaf_with(**leaf_changes)
    chain = PKI.chain_pem(leaf)
    counting = CountingSkill()
    verifier = SignatureVerifier(trust_roots=[PKI.root], fetch=lambda url: chain)
    client = create_app(verifiers=[verifier], skill=counting.skill).test_client()
    body = json.dumps(launch_event()).encode()
    headers = {**signed_headers(PKI, body), "Signature-256": PKI.sign(body, key)}
    reply = client.post("/", data=body, headers=headers)
    assert (reply.status_code, reply.get_json()["error"]) == (400, reason)
    assert counting.calls == 0


@pytest.mark.parametrize(
    ("shift", "reason"), [(-151, "timestamp_stale"), (151, "timestamp_future")]
)
def test_stale_and_future_timestamps_are_rejected(shift: int, reason: str) -> None:
    # The verifiers' clock stands still, so the request is exactly `shift` seconds off
    # however long the test takes to run.
    now = datetime.now(UTC)
    client, counting = make_client(now=lambda: now)
    reply = post_signed(client, launch_event(timestamp=now + timedelta(seconds=shift)))
    assert (reply.status_code, reply.get_json()["error"]) == (400, reason)
    assert counting.calls == 0
    within = launch_event(timestamp=now + timedelta(seconds=150 if shift > 0 else -150))
    assert post_signed(client, within).status_code == 200


@pytest.mark.parametrize(
    ("timestamp", "reason"),
    [
        ("0001-01-01T00:00:00+01:00", "timestamp_invalid"),
        ("9999-12-31T23:59:59-01:00", "timestamp_invalid"),
        ("2030-05-17T07:30:00+25:00", "timestamp_invalid"),
        ("2030-13-45T00:00:00Z", "timestamp_invalid"),
        ("not a time", "timestamp_invalid"),
        (12345, "timestamp_invalid"),
        ("2" * 10_000, "timestamp_invalid"),
    ],
)
def test_a_signed_request_with_an_unusable_timestamp_gets_400(
    timestamp: object, reason: str
) -> None:
    client, counting = make_client()
    event = launch_event()
    event["request"]["timestamp"] = timestamp
    reply = post_signed(client, event)
    assert (reply.status_code, reply.get_json()["error"]) == (400, reason)
    assert counting.calls == 0


def test_a_request_for_another_skill_is_refused() -> None:
    client, counting = make_client(skill_id="amzn1.ask.skill.someone-else")
    reply = post_signed(client, launch_event())
    assert (reply.status_code, reply.get_json()["error"]) == (403, "application_id")
    assert counting.calls == 0
    client, _ = make_client(skill_id=SIMULATOR_SKILL_ID)
    assert post_signed(client, launch_event()).status_code == 200


def test_verification_needs_the_skill_id(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SKILL_ID", raising=False)
    with pytest.raises(MissingSkillId, match="SKILL_ID is not set"):
        create_app()
    monkeypatch.setenv("SKILL_ID", " ")
    with pytest.raises(MissingSkillId):
        create_app()
    assert create_app(verify=False).test_client().get("/healthz").status_code == 200


def test_verification_is_on_by_default_and_off_only_when_asked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SKILL_ID", SIMULATOR_SKILL_ID)
    body = json.dumps(launch_event()).encode()
    headers = {"Content-Type": "application/json"}
    production = create_app().test_client()
    reply = production.post("/", data=body, headers=headers)
    assert reply.status_code == 400
    assert reply.get_json()["error"].startswith(("cert_url", "signature"))
    unverified = create_app(verify=False).test_client()
    assert unverified.post("/", data=body, headers=headers).status_code == 200


def intent_event(name: str) -> dict[str, Any]:
    device = SimulatedDevice()
    device.start_session()
    from ask_sdk_model import Intent

    return device.envelope(IntentRequest(**device.request_fields(), intent=Intent(name=name)))


BAD_INPUTS = [
    ("malformed JSON", b'{"version": "1.0", "request": ', "application/json", 400, "malformed_json"),
    ("not JSON at all", b"hello", "text/plain", 415, "content_type"),
    ("form post", b"a=1", "application/x-www-form-urlencoded", 415, "content_type"),
    ("too large", b"{" + b" " * MAX_BODY_BYTES + b"}", "application/json", 413, "too_large"),
    ("not UTF-8", b'{"request": "\xff"}', "application/json", 400, "encoding"),
    ("a JSON list", b"[1, 2]", "application/json", 400, "not_an_envelope"),
    ("no request", b'{"version": "1.0"}', "application/json", 400, "not_an_envelope"),
    ("no request type", b'{"version": "1.0", "request": {}}', "application/json", 400, "missing_request_type"),
    # NOW becomes the time the request is sent (never the time the table was made).
    ("unknown request type", b'{"version": "1.0", "request": {"type": "Nope", "timestamp": "NOW"}, "context": {"System": {"application": {"applicationId": "%s"}}}}' % SIMULATOR_SKILL_ID.encode(), "application/json", 400, "not_an_envelope"),
    ("unclosed nesting", b"[" * 984, "application/json", 400, "malformed_json"),
    ("nesting past recursion", b"[" * 5000 + b"]" * 5000, "application/json", 400, "malformed_json"),
    ("nesting past the limit", b'{"request": {"type": "LaunchRequest", "x": ' + b"[" * 70 + b"]" * 70 + b"}}", "application/json", 400, "too_deep"),
    ("UTF-8 byte order mark", b"\xef\xbb\xbf{}", "application/json", 400, "malformed_json"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("body", "content_type", "status", "reason"),
    [case[1:] for case in BAD_INPUTS],
    ids=[case[0] for case in BAD_INPUTS],
)
@pytest.mark.parametrize("verify", [True, False], ids=["verified", "unverified"])
def test_bad_input_gets_a_clear_4xx_and_the_next_request_is_answered(
    body: bytes, content_type: str, status: int, reason: str, verify: bool
) -> None:
    client = (
        make_client(SIMULATOR_SKILL_ID)[0] if verify else create_app(verify=False).test_client()
    )
    body = body.replace(
        b'"NOW"', b'"%s"' % datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    )
    headers = {**signed_headers(PKI, body), "Content-Type": content_type}
    reply = client.post("/", data=body, headers=headers)
    assert reply.status_code == status
    assert reply.is_json and reply.get_json()["error"] == reason
    assert post_signed(client, launch_event()).status_code == 200


def test_other_methods_and_paths_get_json_errors() -> None:
    client = create_app(verify=False).test_client()
    assert client.get("/").status_code == 405
    assert client.get("/").get_json()["error"] == "method_not_allowed"
    assert client.post("/elsewhere").status_code == 404
    health = client.get("/healthz")
    assert health.status_code == 200 and health.get_json() == {"status": "ok"}


@pytest.mark.parametrize("verify", [True, False], ids=["verified", "unverified"])
def test_a_chunked_body_over_the_limit_gets_413_not_a_cut(verify: bool) -> None:
    client = make_client()[0] if verify else create_app(verify=False).test_client()
    body = json.dumps(launch_event()).encode()
    body += b" " * (MAX_BODY_BYTES + 1 - len(body))
    reply = client.post(
        "/",
        input_stream=io.BytesIO(body),
        environ_overrides={"wsgi.input_terminated": True},  # as a WSGI server sets it for chunked
        headers={**signed_headers(PKI, body), "Transfer-Encoding": "chunked"},
    )
    assert (reply.status_code, reply.get_json()["error"]) == (413, "too_large")
    at_limit = body[:MAX_BODY_BYTES]
    reply = client.post(
        "/",
        input_stream=io.BytesIO(at_limit),
        environ_overrides={"wsgi.input_terminated": True},
        headers={**signed_headers(PKI, at_limit), "Transfer-Encoding": "chunked"},
    )
    assert reply.status_code == 200


def test_only_verified_fields_are_logged_and_each_is_capped(
    caplog: pytest.LogCaptureFixture,
) -> None:
    client, _ = make_client()
    planted = launch_event(request_id="PLANTED\n{fake log line}" + "x" * 120_000)
    body = json.dumps(planted).encode()
    with caplog.at_level(logging.INFO, logger="skill.webservice"):
        forged = {**signed_headers(PKI, body), "Signature-256": PKI.sign(b"other")}
        assert client.post("/", data=body, headers=forged).status_code == 400
        assert post_signed(client, planted).status_code == 200
    rejected, accepted = request_lines(caplog)
    assert "request_id" not in rejected and "type" not in rejected
    assert accepted["request_id"] == planted["request"]["requestId"][:200]
    assert accepted["type"] == "LaunchRequest"
    assert max(len(r.getMessage()) for r in caplog.records) < 1000
    assert "PLANTED" not in rejected.values()


def test_a_fetch_failure_is_logged_with_its_cause(caplog: pytest.LogCaptureFixture) -> None:
    client, _ = make_client()
    other = "https://s3.amazonaws.com/echo.api/other.pem"
    with caplog.at_level(logging.INFO, logger="skill.webservice"):
        reply = post_signed(client, launch_event(), SignatureCertChainUrl=other)
    assert reply.get_json() == {
        "error": "cert_fetch_failed",
        "message": "the certificate chain could not be downloaded",
    }
    (line,) = request_lines(caplog)
    # The type and a fixed message: the error's own text quotes the URL the request chose.
    assert line["cause"] == "OSError: the download failed"
    assert "other.pem" not in " ".join(r.getMessage() for r in caplog.records)


class CountingFetcher:
    """A certificate source that counts its downloads (and can hold them until released)."""

    def __init__(self, hold: threading.Event | None = None) -> None:
        self.fetches = 0
        self.started = threading.Semaphore(0)
        self._hold = hold
        self._lock = threading.Lock()

    def __call__(self, url: str) -> bytes:
        with self._lock:
            self.fetches += 1
        self.started.release()
        if self._hold is not None:
            self._hold.wait(timeout=30)
        raise OSError(f"never-seen certificate at {url}")


FORGED_URL = "https://s3.amazonaws.com/echo.api/never-seen.pem"


def forged_headers(body: bytes) -> dict[str, str]:
    random_signature = base64.b64encode(os.urandom(256)).decode()
    return {
        **signed_headers(PKI, body),
        "SignatureCertChainUrl": FORGED_URL,
        "Signature-256": random_signature,
    }


@pytest.mark.parametrize(
    ("changes", "status", "reason"),
    [
        ({"timestamp": datetime.now(UTC) - timedelta(hours=1)}, 400, "timestamp_stale"),
        ({"timestamp": datetime.now(UTC) + timedelta(hours=1)}, 400, "timestamp_future"),
        ({"application_id": "amzn1.ask.skill.someone-else"}, 403, "application_id"),
    ],
)
def test_a_forged_request_failing_a_cheap_check_costs_no_download(
    changes: dict[str, Any], status: int, reason: str
) -> None:
    fetcher = CountingFetcher()
    counting = CountingSkill()
    verifiers = [
        SignatureVerifier(trust_roots=[PKI.root], fetch=fetcher),
        TimestampVerifier(),
        ApplicationIdVerifier(SIMULATOR_SKILL_ID),
    ]
    client = create_app(verifiers=verifiers, skill=counting.skill).test_client()
    application_id = changes.pop("application_id", None)
    event = launch_event(**changes)
    if application_id:
        event["context"]["System"]["application"]["applicationId"] = application_id
        event["session"]["application"]["applicationId"] = application_id
    body = json.dumps(event).encode()
    reply = client.post("/", data=body, headers=forged_headers(body))
    assert (reply.status_code, reply.get_json()["error"]) == (status, reason)
    assert fetcher.fetches == 0, "no certificate download for a request a cheap check refuses"
    assert counting.calls == 0
    # The same forgery with a fresh timestamp and this skill's id does reach the download.
    body = json.dumps(launch_event()).encode()
    reply = client.post("/", data=body, headers=forged_headers(body))
    assert (reply.status_code, reply.get_json()["error"]) == (400, "cert_fetch_failed")
    assert fetcher.fetches == 1


def test_downloads_run_a_few_at_a_time_and_the_rest_fail_at_once() -> None:
    release = threading.Event()
    fetcher = CountingFetcher(hold=release)
    verifier = SignatureVerifier(trust_roots=[PKI.root], fetch=fetcher)
    app = create_app(verifiers=[verifier], skill=CountingSkill().skill)

    def forged(number: int) -> tuple[int, str]:
        body = json.dumps(launch_event()).encode()
        headers = forged_headers(body)
        headers["SignatureCertChainUrl"] = f"https://s3.amazonaws.com/echo.api/{number}.pem"
        reply = app.test_client().post("/", data=body, headers=headers)
        return reply.status_code, reply.get_json()["error"]

    with ThreadPoolExecutor(max_workers=MAX_FETCHES) as pool:
        held = [pool.submit(forged, number) for number in range(MAX_FETCHES)]
        for _ in range(MAX_FETCHES):
            assert fetcher.started.acquire(timeout=30), "every slot is downloading"
        # Every download slot is taken: any other URL is refused without waiting for one
        # (and without waiting for a download of some other URL: many are tried).
        others = range(MAX_FETCHES, MAX_FETCHES + 100)
        assert {forged(number) for number in others} == {(400, "cert_fetch_busy")}
        release.set()
        assert [future.result(timeout=30) for future in held] == [
            (400, "cert_fetch_failed")
        ] * MAX_FETCHES
    assert fetcher.fetches == MAX_FETCHES
    assert forged(MAX_FETCHES)[1] == "cert_fetch_failed", "a busy refusal is not remembered"
