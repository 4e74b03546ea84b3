"""Request verification (skill.verify) against a test certificate authority.

Every refusal is checked for its exact reason and status, and every check is also shown
letting the right request through, so a verifier that refuses everything fails here as
surely as one that lets everything in.
"""

from __future__ import annotations

import http.server
import json
import ssl
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

import pytest
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import LaunchRequest, RequestEnvelope
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from skill import verify
from skill.simulator.device import SIMULATOR_SKILL_ID, SimulatedDevice
from skill.verify import (
    ApplicationIdVerifier,
    RequestRejected,
    SignatureVerifier,
    TimestampVerifier,
    check_cert_url,
    default_trust_roots,
    fetch_over_https,
    production_verifiers,
)
from tests.support import pki
from tests.support.pki import CERT_URL, signed_headers


class FakeS3:
    """The certificate host: serves the chains it was given, records every fetch."""

    def __init__(self, chains: Mapping[str, bytes]) -> None:
        self.chains = dict(chains)
        self.fetched: list[str] = []

    def __call__(self, url: str) -> bytes:
        self.fetched.append(url)
        if url not in self.chains:
            raise OSError("404 Not Found")
        return self.chains[url]


def make_event(timestamp: str | None = None) -> dict[str, Any]:
    device = SimulatedDevice()
    device.start_session()
    event = device.envelope(LaunchRequest(**device.request_fields()))
    if timestamp is not None:
        event["request"]["timestamp"] = timestamp
    return event


def as_request(event: dict[str, Any]) -> tuple[str, RequestEnvelope]:
    body = json.dumps(event)
    envelope = DefaultSerializer().deserialize(body, RequestEnvelope)
    assert isinstance(envelope, RequestEnvelope)
    return body, envelope


def signature_verifier(
    chain: bytes | None = None, **kwargs: Any
) -> tuple[SignatureVerifier, FakeS3]:
    s3 = FakeS3({CERT_URL: chain if chain is not None else pki.make_test_pki().chain_pem()})
    return SignatureVerifier(trust_roots=[pki.make_test_pki().root], fetch=s3, **kwargs), s3


def rejected(
    verifier: verify.AbstractVerifier,
    headers: Mapping[str, str],
    body: str,
    envelope: RequestEnvelope | None = None,
) -> RequestRejected:
    with pytest.raises(RequestRejected) as caught:
        verifier.verify(
            headers=headers, serialized_request_env=body, deserialized_request_env=envelope
        )
    return caught.value


# A good request --------------------------------------------------------------------------


def test_a_request_signed_by_the_trusted_chain_passes() -> None:
    body, envelope = as_request(make_event())
    verifier, s3 = signature_verifier()

    verifier.verify(
        headers=signed_headers(pki.make_test_pki(), body.encode()),
        serialized_request_env=body,
        deserialized_request_env=envelope,
    )

    assert s3.fetched == [CERT_URL]


def test_header_names_are_matched_whatever_their_case() -> None:
    body, envelope = as_request(make_event())
    headers = {k.lower(): v for k, v in signed_headers(pki.make_test_pki(), body.encode()).items()}
    verifier, _ = signature_verifier()

    verifier.verify(headers, body, envelope)


def test_the_body_is_checked_as_utf8_bytes() -> None:
    event = make_event()
    event["session"]["attributes"] = {"note": "Müdigkeit \N{RUNNER}"}
    body = json.dumps(event, ensure_ascii=False)
    verifier, _ = signature_verifier()

    verifier.verify(signed_headers(pki.make_test_pki(), body.encode("utf-8")), body, None)

    utf16 = signed_headers(pki.make_test_pki(), body.encode("utf-16"))
    assert rejected(verifier, utf16, body).reason == "signature_invalid"


# The certificate URL ---------------------------------------------------------------------

BAD_URLS = [
    ("http://s3.amazonaws.com/echo.api/echo-api-cert.pem", "cert_url_scheme"),
    ("ftp://s3.amazonaws.com/echo.api/echo-api-cert.pem", "cert_url_scheme"),
    ("s3.amazonaws.com/echo.api/echo-api-cert.pem", "cert_url_scheme"),
    ("https://notamazon.com/echo.api/echo-api-cert.pem", "cert_url_host"),
    ("https://s3.amazonaws.com.evil.example/echo.api/echo-api-cert.pem", "cert_url_host"),
    ("https://s3.amazonaws.com@evil.example/echo.api/echo-api-cert.pem", "cert_url_host"),
    ("https://user@s3.amazonaws.com/echo.api/echo-api-cert.pem", "cert_url_host"),
    ("https://s3.amazonaws.com/EcHo.aPi/echo-api-cert.pem", "cert_url_path"),
    ("https://s3.amazonaws.com/invalid.path/echo-api-cert.pem", "cert_url_path"),
    ("https://s3.amazonaws.com/echo.api/../invalid.path/echo-api-cert.pem", "cert_url_path"),
    ("https://s3.amazonaws.com/echo.api/%2e%2e/invalid.path/echo-api-cert.pem", "cert_url_path"),
    ("https://s3.amazonaws.com/echo.api", "cert_url_path"),
    ("https://s3.amazonaws.com:563/echo.api/echo-api-cert.pem", "cert_url_port"),
    ("https://s3.amazonaws.com:80/echo.api/echo-api-cert.pem", "cert_url_port"),
    ("https://s3.amazonaws.com:https/echo.api/echo-api-cert.pem", "cert_url_port"),
    ("", "cert_url_missing"),
    ("   ", "cert_url_missing"),
]


@pytest.mark.parametrize(("url", "reason"), BAD_URLS)
def test_a_certificate_url_outside_amazons_place_is_refused(url: str, reason: str) -> None:
    with pytest.raises(RequestRejected) as caught:
        check_cert_url(url)
    assert (caught.value.reason, caught.value.status) == (reason, 400)
    assert "evil" not in str(caught.value) and "invalid.path" not in str(caught.value)


@pytest.mark.parametrize(("url", "reason"), BAD_URLS)
def test_a_request_with_a_bad_certificate_url_is_refused_without_fetching(
    url: str, reason: str
) -> None:
    body, envelope = as_request(make_event())
    verifier, s3 = signature_verifier()
    headers = signed_headers(pki.make_test_pki(), body.encode(), url=url)

    refusal = rejected(verifier, headers, body, envelope)

    assert (refusal.reason, refusal.status) == (reason, 400)
    assert s3.fetched == []


@pytest.mark.parametrize(
    ("url", "normalised"),
    [
        (
            "https://s3.amazonaws.com/echo.api/echo-api-cert.pem",
            "https://s3.amazonaws.com/echo.api/echo-api-cert.pem",
        ),
        (
            "https://s3.amazonaws.com:443/echo.api/echo-api-cert.pem",
            "https://s3.amazonaws.com/echo.api/echo-api-cert.pem",
        ),
        (
            "https://s3.amazonaws.com/echo.api/../echo.api/echo-api-cert.pem",
            "https://s3.amazonaws.com/echo.api/echo-api-cert.pem",
        ),
        (
            "https://s3.amazonaws.com/../echo.api/echo-api-cert.pem",  # ".." stops at the root
            "https://s3.amazonaws.com/echo.api/echo-api-cert.pem",
        ),
        (
            "https://s3.amazonaws.com/echo.api/./echo-api-cert.pem",
            "https://s3.amazonaws.com/echo.api/echo-api-cert.pem",
        ),
        ("HTTPS://S3.AMAZONAWS.COM/echo.api/x.pem", "https://s3.amazonaws.com/echo.api/x.pem"),
        ("https://s3.amazonaws.com/echo.api/x.pem?a=1", "https://s3.amazonaws.com/echo.api/x.pem"),
        ("https://s3.amazonaws.com/echo.api/x.pem#frag", "https://s3.amazonaws.com/echo.api/x.pem"),
    ],
)
def test_a_certificate_url_in_amazons_place_is_accepted_and_normalised(
    url: str, normalised: str
) -> None:
    assert check_cert_url(url) == normalised


@pytest.mark.parametrize(
    "value",
    ["QUJD", "A" * 100, "A" * 10_000, "A" * 1_000_000],
    ids=["3 bytes", "75 bytes", "7.5 KB", "750 KB"],
)
def test_a_signature_of_implausible_length_is_refused_without_fetching(value: str) -> None:
    body, envelope = as_request(make_event())
    verifier, s3 = signature_verifier()
    headers = {**signed_headers(pki.make_test_pki(), body.encode()), "Signature-256": value}

    refusal = rejected(verifier, headers, body, envelope)

    assert (refusal.reason, refusal.status) == ("signature_invalid", 400)
    assert s3.fetched == []


def test_the_normalised_url_is_the_one_fetched() -> None:
    body, envelope = as_request(make_event())
    verifier, s3 = signature_verifier()
    odd = "HTTPS://S3.amazonaws.com:443/echo.api/../echo.api/echo-api-cert-test.pem"

    verifier.verify(signed_headers(pki.make_test_pki(), body.encode(), url=odd), body, envelope)

    assert s3.fetched == [CERT_URL]


def test_a_missing_certificate_url_header_is_refused() -> None:
    body, envelope = as_request(make_event())
    headers = signed_headers(pki.make_test_pki(), body.encode())
    del headers["SignatureCertChainUrl"]
    verifier, s3 = signature_verifier()

    refusal = rejected(verifier, headers, body, envelope)

    assert (refusal.reason, refusal.status) == ("cert_url_missing", 400)
    assert s3.fetched == []
    with pytest.raises(RequestRejected, match="SignatureCertChainUrl"):
        check_cert_url(None)


# Fetching the chain ----------------------------------------------------------------------


def test_a_chain_that_cannot_be_fetched_is_refused() -> None:
    body, _ = as_request(make_event())
    verifier, s3 = signature_verifier()
    elsewhere = "https://s3.amazonaws.com/echo.api/echo-api-cert-gone.pem"

    refusal = rejected(
        verifier, signed_headers(pki.make_test_pki(), body.encode(), elsewhere), body
    )

    assert (refusal.reason, refusal.status) == ("cert_fetch_failed", 400)
    assert s3.fetched == [elsewhere]


@pytest.mark.parametrize("served", [b"", b"not a certificate", b"-----BEGIN CERTIFICATE-----\n"])
def test_a_chain_that_is_not_pem_is_refused(served: bytes) -> None:
    body, envelope = as_request(make_event())
    verifier, _ = signature_verifier(chain=served)

    refusal = rejected(verifier, signed_headers(pki.make_test_pki(), body.encode()), body, envelope)

    assert (refusal.reason, refusal.status) == ("cert_chain_invalid", 400)


# The signature ---------------------------------------------------------------------------


def test_a_tampered_body_is_refused() -> None:
    body, envelope = as_request(make_event())
    headers = signed_headers(pki.make_test_pki(), body.encode())
    tampered = body.replace('"new": true', '"new": false')
    assert tampered != body
    verifier, _ = signature_verifier()

    refusal = rejected(verifier, headers, tampered, envelope)

    assert (refusal.reason, refusal.status) == ("signature_invalid", 400)


def test_a_signature_made_with_another_key_is_refused() -> None:
    body, envelope = as_request(make_event())
    headers = signed_headers(pki.make_test_pki(), body.encode())
    headers["Signature-256"] = pki.make_test_pki().sign(body.encode(), key=pki.other_pki().leaf_key)
    verifier, _ = signature_verifier()

    refusal = rejected(verifier, headers, body, envelope)

    assert (refusal.reason, refusal.status) == ("signature_invalid", 400)


def test_a_missing_signature_is_refused_without_fetching() -> None:
    body, envelope = as_request(make_event())
    headers = signed_headers(pki.make_test_pki(), body.encode())
    del headers["Signature-256"]
    verifier, s3 = signature_verifier()

    refusal = rejected(verifier, headers, body, envelope)

    assert (refusal.reason, refusal.status) == ("signature_missing", 400)
    assert s3.fetched == []


def test_the_deprecated_sha1_signature_header_alone_is_not_enough() -> None:
    body, envelope = as_request(make_event())
    headers = signed_headers(pki.make_test_pki(), body.encode())
    headers["Signature"] = headers.pop("Signature-256")
    verifier, _ = signature_verifier()

    refusal = rejected(verifier, headers, body, envelope)

    assert (refusal.reason, refusal.status) == ("signature_missing", 400)


@pytest.mark.parametrize("value", ["not base64!", "QUJD=", "   "])
def test_a_signature_that_is_not_base64_is_refused(value: str) -> None:
    body, envelope = as_request(make_event())
    headers = {**signed_headers(pki.make_test_pki(), body.encode()), "Signature-256": value}
    verifier, _ = signature_verifier()

    refusal = rejected(verifier, headers, body, envelope)

    expected = "signature_missing" if not value.strip() else "signature_invalid"
    assert (refusal.reason, refusal.status) == (expected, 400)


# The certificate -------------------------------------------------------------------------


def refusal_for_leaf(leaf: x509.Certificate, key: Any) -> RequestRejected:
    body, envelope = as_request(make_event())
    verifier, _ = signature_verifier(chain=pki.make_test_pki().chain_pem(leaf))
    headers = signed_headers(pki.make_test_pki(), body.encode())
    headers["Signature-256"] = pki.make_test_pki().sign(body.encode(), key=key)
    return rejected(verifier, headers, body, envelope)


def test_an_expired_certificate_is_refused() -> None:
    now = datetime.now(UTC)
    leaf, key = pki.make_test_pki().leaf_with(
        not_before=now - timedelta(days=60), not_after=now - timedelta(minutes=1)
    )

    refusal = refusal_for_leaf(leaf, key)

    assert (refusal.reason, refusal.status) == ("cert_expired", 400)


def test_a_certificate_not_valid_yet_is_refused() -> None:
    now = datetime.now(UTC)
    leaf, key = pki.make_test_pki().leaf_with(not_before=now + timedelta(hours=1))

    refusal = refusal_for_leaf(leaf, key)

    assert (refusal.reason, refusal.status) == ("cert_not_yet_valid", 400)


@pytest.mark.parametrize("name", ["evil.example.com", "echo-api.amazon.com.evil.example"])
def test_a_certificate_for_another_name_is_refused(name: str) -> None:
    leaf, key = pki.make_test_pki().leaf_with(name=name)

    refusal = refusal_for_leaf(leaf, key)

    assert (refusal.reason, refusal.status) == ("cert_name", 400)


@pytest.mark.parametrize("usage", ["encipherment", "none"])
def test_a_certificate_not_for_digital_signatures_is_refused(usage: str) -> None:
    leaf, key = pki.make_test_pki().leaf_with(usage=usage)

    refusal = refusal_for_leaf(leaf, key)

    assert (refusal.reason, refusal.status) == ("cert_key_usage", 400)


def test_a_second_leaf_from_the_same_intermediate_passes() -> None:
    # The other refusals above use this same kind of leaf: only what they break differs.
    leaf, key = pki.make_test_pki().leaf_with()
    body, envelope = as_request(make_event())
    verifier, _ = signature_verifier(chain=pki.make_test_pki().chain_pem(leaf))
    headers = signed_headers(pki.make_test_pki(), body.encode())
    headers["Signature-256"] = pki.make_test_pki().sign(body.encode(), key=key)

    verifier.verify(headers, body, envelope)


def test_a_chain_to_an_untrusted_root_is_refused() -> None:
    stranger = pki.other_pki()
    body, envelope = as_request(make_event())
    verifier, _ = signature_verifier(chain=stranger.chain_pem())

    refusal = rejected(verifier, signed_headers(stranger, body.encode()), body, envelope)

    assert (refusal.reason, refusal.status) == ("cert_chain_invalid", 400)


def test_the_same_chain_passes_once_its_root_is_trusted() -> None:
    stranger = pki.other_pki()
    body, envelope = as_request(make_event())
    s3 = FakeS3({CERT_URL: stranger.chain_pem()})
    verifier = SignatureVerifier(trust_roots=[pki.make_test_pki().root, stranger.root], fetch=s3)

    verifier.verify(signed_headers(stranger, body.encode()), body, envelope)


def test_a_chain_without_its_intermediate_is_refused() -> None:
    leaf_only = pki.make_test_pki().leaf.public_bytes(serialization.Encoding.PEM)
    body, envelope = as_request(make_event())
    verifier, _ = signature_verifier(chain=leaf_only)

    refusal = rejected(verifier, signed_headers(pki.make_test_pki(), body.encode()), body, envelope)

    assert (refusal.reason, refusal.status) == ("cert_chain_invalid", 400)


def test_the_real_roots_do_not_trust_the_test_authority() -> None:
    body, envelope = as_request(make_event())
    s3 = FakeS3({CERT_URL: pki.make_test_pki().chain_pem()})
    verifier = SignatureVerifier(fetch=s3)  # certifi's roots

    refusal = rejected(verifier, signed_headers(pki.make_test_pki(), body.encode()), body, envelope)

    assert (refusal.reason, refusal.status) == ("cert_chain_invalid", 400)


# The chain cache -------------------------------------------------------------------------


def test_a_chain_is_fetched_once_for_many_requests() -> None:
    verifier, s3 = signature_verifier()
    for _ in range(2):
        body, envelope = as_request(make_event())
        verifier.verify(signed_headers(pki.make_test_pki(), body.encode()), body, envelope)

    assert s3.fetched == [CERT_URL]


def test_a_cached_chain_is_still_checked_against_the_clock() -> None:
    now = datetime.now(UTC)
    leaf, key = pki.make_test_pki().leaf_with(not_after=now + timedelta(hours=1))
    clock = [now]
    verifier, s3 = signature_verifier(
        chain=pki.make_test_pki().chain_pem(leaf), now=lambda: clock[0]
    )
    body, envelope = as_request(make_event())
    headers = signed_headers(pki.make_test_pki(), body.encode())
    headers["Signature-256"] = pki.make_test_pki().sign(body.encode(), key=key)

    verifier.verify(headers, body, envelope)
    clock[0] = now + timedelta(hours=2)
    refusal = rejected(verifier, headers, body, envelope)

    assert (refusal.reason, refusal.status) == ("cert_expired", 400)
    assert s3.fetched == [CERT_URL, CERT_URL], "an expired cached chain is looked up again"


def test_a_renewed_chain_at_the_same_url_replaces_the_expired_one() -> None:
    now = datetime.now(UTC)
    old_leaf, old_key = pki.make_test_pki().leaf_with(not_after=now + timedelta(hours=1))
    clock = [now]
    verifier, s3 = signature_verifier(
        chain=pki.make_test_pki().chain_pem(old_leaf), now=lambda: clock[0]
    )
    body, envelope = as_request(make_event())
    headers = signed_headers(pki.make_test_pki(), body.encode())
    headers["Signature-256"] = pki.make_test_pki().sign(body.encode(), key=old_key)
    verifier.verify(headers, body, envelope)

    clock[0] = now + timedelta(hours=2)
    s3.chains[CERT_URL] = pki.make_test_pki().chain_pem()  # the default leaf: valid for 30 days
    verifier.verify(signed_headers(pki.make_test_pki(), body.encode()), body, envelope)

    assert s3.fetched == [CERT_URL, CERT_URL]


def test_the_cache_is_bounded() -> None:
    urls = [f"https://s3.amazonaws.com/echo.api/cert-{n}.pem" for n in range(17)]
    s3 = FakeS3(dict.fromkeys(urls, pki.make_test_pki().chain_pem()))
    verifier = SignatureVerifier(trust_roots=[pki.make_test_pki().root], fetch=s3)
    body, envelope = as_request(make_event())

    for url in [*urls, urls[-1], urls[0]]:
        verifier.verify(signed_headers(pki.make_test_pki(), body.encode(), url=url), body, envelope)

    assert s3.fetched == [*urls, urls[0]], "the newest is kept, the oldest was dropped"


def test_a_refused_chain_is_remembered_for_a_while_then_looked_up_again() -> None:
    stranger = pki.other_pki()
    body, envelope = as_request(make_event())
    clock = [1000.0]
    verifier, s3 = signature_verifier(chain=stranger.chain_pem(), monotonic=lambda: clock[0])
    headers = signed_headers(stranger, body.encode())

    for _ in range(3):
        assert rejected(verifier, headers, body, envelope).reason == "cert_chain_invalid"
    assert s3.fetched == [CERT_URL]
    clock[0] += verify.FAILED_URL_SECONDS + 1
    assert rejected(verifier, headers, body, envelope).reason == "cert_chain_invalid"
    assert s3.fetched == [CERT_URL, CERT_URL]


def test_a_url_that_cannot_be_fetched_is_fetched_once_a_while_with_its_cause() -> None:
    body, envelope = as_request(make_event())
    clock = [1000.0]
    verifier, s3 = signature_verifier(monotonic=lambda: clock[0])
    missing = "https://s3.amazonaws.com/echo.api/missing.pem"
    headers = signed_headers(pki.make_test_pki(), body.encode(), url=missing)

    refusals = [rejected(verifier, headers, body, envelope) for _ in range(100)]

    assert {r.reason for r in refusals} == {"cert_fetch_failed"}
    assert {r.cause for r in refusals} == {"OSError: the download failed"}
    assert s3.fetched == [missing]
    clock[0] += verify.FAILED_URL_SECONDS + 1
    rejected(verifier, headers, body, envelope)
    assert s3.fetched == [missing, missing]
    verifier.verify(signed_headers(pki.make_test_pki(), body.encode()), body, envelope)


def test_query_and_fragment_variants_are_one_url() -> None:
    body, envelope = as_request(make_event())
    verifier, s3 = signature_verifier()
    variants = [f"{CERT_URL}?v={n}" for n in range(16)] + [f"{CERT_URL}#{n}" for n in range(4)]

    for url in [CERT_URL, *variants, CERT_URL]:
        verifier.verify(signed_headers(pki.make_test_pki(), body.encode(), url=url), body, envelope)

    assert s3.fetched == [CERT_URL]


def test_concurrent_requests_for_one_url_fetch_it_once() -> None:
    release = threading.Event()
    s3 = FakeS3({CERT_URL: pki.make_test_pki().chain_pem()})

    def slow_s3(url: str) -> bytes:
        release.wait(timeout=30)
        return s3(url)

    verifier = SignatureVerifier(trust_roots=[pki.make_test_pki().root], fetch=slow_s3)
    body, envelope = as_request(make_event())
    headers = signed_headers(pki.make_test_pki(), body.encode())
    errors: list[BaseException] = []

    def one() -> None:
        try:
            verifier.verify(headers, body, envelope)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=one) for _ in range(8)]
    for thread in threads:
        thread.start()
    release.set()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert s3.fetched == [CERT_URL], "whoever came during the fetch waited for its outcome"


# The timestamp ---------------------------------------------------------------------------

SENT = datetime(2030, 5, 17, 7, 30, 0, tzinfo=UTC)


def timestamp_verifier(now: datetime) -> TimestampVerifier:
    return TimestampVerifier(now=lambda: now)


@pytest.mark.parametrize(
    "offset",
    [timedelta(0), timedelta(seconds=100), timedelta(seconds=-100), timedelta(seconds=150)],
)
def test_a_timestamp_close_to_now_passes(offset: timedelta) -> None:
    body, envelope = as_request(make_event("2030-05-17T07:30:00Z"))

    timestamp_verifier(SENT + offset).verify({}, body, envelope)


@pytest.mark.parametrize(
    ("offset", "reason"),
    [
        (timedelta(seconds=151), "timestamp_stale"),
        (timedelta(hours=3), "timestamp_stale"),
        (timedelta(seconds=-151), "timestamp_future"),
        (timedelta(days=-1), "timestamp_future"),
    ],
)
def test_a_timestamp_far_from_now_is_refused(offset: timedelta, reason: str) -> None:
    body, envelope = as_request(make_event("2030-05-17T07:30:00Z"))

    refusal = rejected(timestamp_verifier(SENT + offset), {}, body, envelope)

    assert (refusal.reason, refusal.status) == (reason, 400)


def test_a_timestamp_without_a_zone_is_utc() -> None:
    body, envelope = as_request(make_event("2030-05-17T07:30:00"))

    timestamp_verifier(SENT + timedelta(seconds=100)).verify({}, body, envelope)
    refusal = rejected(timestamp_verifier(SENT + timedelta(seconds=151)), {}, body, envelope)
    assert refusal.reason == "timestamp_stale"


def test_a_timestamp_with_an_offset_is_compared_in_utc() -> None:
    body, envelope = as_request(make_event("2030-05-17T09:30:00+02:00"))

    timestamp_verifier(SENT).verify({}, body, envelope)


@pytest.mark.parametrize("timestamp", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
def test_a_timestamp_that_cannot_be_compared_is_refused(timestamp: str) -> None:
    body, envelope = as_request(make_event(timestamp))

    refusal = rejected(timestamp_verifier(SENT), {}, body, envelope)

    assert (refusal.reason, refusal.status) == ("timestamp_invalid", 400)


def test_the_tolerance_can_be_narrowed() -> None:
    body, envelope = as_request(make_event("2030-05-17T07:30:00Z"))
    ten = timedelta(seconds=10)

    TimestampVerifier(tolerance=ten, now=lambda: SENT + ten).verify({}, body, envelope)
    late = TimestampVerifier(tolerance=ten, now=lambda: SENT + timedelta(seconds=11))
    assert rejected(late, {}, body, envelope).reason == "timestamp_stale"


def test_a_request_without_a_timestamp_is_refused() -> None:
    event = make_event()
    del event["request"]["timestamp"]
    body, envelope = as_request(event)

    refusal = rejected(TimestampVerifier(), {}, body, envelope)

    assert (refusal.reason, refusal.status) == ("timestamp_missing", 400)
    assert rejected(TimestampVerifier(), {}, body, None).reason == "timestamp_missing"


def test_the_default_clock_is_now() -> None:
    fresh = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    body, envelope = as_request(make_event(fresh))
    TimestampVerifier().verify({}, body, envelope)

    old = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()
    body, envelope = as_request(make_event(old))
    assert rejected(TimestampVerifier(), {}, body, envelope).reason == "timestamp_stale"


# The application id ----------------------------------------------------------------------


def test_a_request_for_this_skill_passes() -> None:
    body, envelope = as_request(make_event())

    ApplicationIdVerifier(SIMULATOR_SKILL_ID).verify({}, body, envelope)


def test_a_request_for_another_skill_is_forbidden() -> None:
    body, envelope = as_request(make_event())
    other = "amzn1.ask.skill.11111111-1111-1111-1111-111111111111"

    refusal = rejected(ApplicationIdVerifier(other), {}, body, envelope)

    assert (refusal.reason, refusal.status) == ("application_id", 403)
    assert SIMULATOR_SKILL_ID not in str(refusal) and other not in str(refusal)


def test_the_session_application_id_is_used_when_the_context_has_none() -> None:
    event = make_event()
    del event["context"]["System"]["application"]
    body, envelope = as_request(event)

    ApplicationIdVerifier(SIMULATOR_SKILL_ID).verify({}, body, envelope)
    event["session"]["application"]["applicationId"] = "amzn1.ask.skill.someone-else"
    body, envelope = as_request(event)
    assert rejected(ApplicationIdVerifier(SIMULATOR_SKILL_ID), {}, body, envelope).status == 403


def test_the_context_application_id_wins_over_the_session() -> None:
    event = make_event()
    event["session"]["application"]["applicationId"] = "amzn1.ask.skill.someone-else"
    body, envelope = as_request(event)

    ApplicationIdVerifier(SIMULATOR_SKILL_ID).verify({}, body, envelope)


def test_a_request_without_an_application_id_is_forbidden() -> None:
    event = make_event()
    del event["context"]["System"]["application"]
    del event["session"]["application"]
    body, envelope = as_request(event)

    refusal = rejected(ApplicationIdVerifier(SIMULATOR_SKILL_ID), {}, body, envelope)

    assert (refusal.reason, refusal.status) == ("application_id", 403)


# Production wiring -----------------------------------------------------------------------


def test_production_checks_signature_timestamp_and_the_skill_id_always() -> None:
    with pytest.raises(ValueError, match="skill id"):
        production_verifiers("")
    assert [type(v) for v in production_verifiers(SIMULATOR_SKILL_ID)] == [
        SignatureVerifier,
        TimestampVerifier,
        ApplicationIdVerifier,
    ]


def test_the_default_trust_roots_are_certifis_and_read_once() -> None:
    roots = default_trust_roots()
    again = default_trust_roots()

    assert len(roots) > 50
    assert all(isinstance(root, x509.Certificate) for root in roots)
    assert roots is not again and all(a is b for a, b in zip(roots, again, strict=True))
    names = {root.subject.rfc4514_string() for root in roots}
    assert any("DigiCert Global Root G2" in name for name in names)


# Fetching over HTTPS ---------------------------------------------------------------------


class _Files(http.server.BaseHTTPRequestHandler):
    pages: ClassVar[dict[str, bytes]] = {}  # path -> body, set per test

    def do_GET(self) -> None:
        if self.path == "/moved":
            self.send_response(302)
            self.send_header("Location", "/chain.pem")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        page = self.pages.get(self.path)
        if page is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(page)))
        self.end_headers()
        self.wfile.write(page)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output to the tests


@contextmanager
def https_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A local HTTPS server with a test certificate for localhost, trusted by the fetcher."""
    authority = pki.make_test_pki()
    leaf, key = authority.leaf_with(name="localhost")
    (tmp_path / "chain.pem").write_bytes(authority.chain_pem(leaf))
    (tmp_path / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(tmp_path / "chain.pem", tmp_path / "key.pem")
    client_context = ssl.create_default_context(
        cadata=authority.root.public_bytes(serialization.Encoding.PEM).decode()
    )
    monkeypatch.setattr(verify, "_https_context", lambda: client_context)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Files)
    server.socket = server_context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://localhost:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_fetch_over_https_reads_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    chain = pki.make_test_pki().chain_pem()
    monkeypatch.setattr(_Files, "pages", {"/chain.pem": chain})
    with https_server(tmp_path, monkeypatch) as base:
        assert fetch_over_https(f"{base}/chain.pem") == chain


def test_fetch_over_https_refuses_what_it_should(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    limit = verify.MAX_CHAIN_BYTES
    pages = {"/chain.pem": b"x", "/full": b"x" * limit, "/over": b"x" * (limit + 1)}
    monkeypatch.setattr(_Files, "pages", pages)
    with https_server(tmp_path, monkeypatch) as base:
        assert len(fetch_over_https(f"{base}/full")) == limit
        with pytest.raises(ValueError, match="over"):
            fetch_over_https(f"{base}/over")
        with pytest.raises(OSError, match="302"):
            fetch_over_https(f"{base}/moved")
        with pytest.raises(OSError, match="404"):
            fetch_over_https(f"{base}/missing")
    with pytest.raises(ValueError, match="https"):
        fetch_over_https("http://s3.amazonaws.com/echo.api/echo-api-cert.pem")
