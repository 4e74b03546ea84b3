"""Checks that a request really comes from Alexa, for the web-service door.

Alexa signs every request it sends to a skill hosted as a web service; a request that
fails any of these checks is refused before the skill sees it:

- `SignatureVerifier`: the signing certificate chain comes from Amazon's own place on S3,
  is valid now, is for `echo-api.amazon.com` and for digital signatures, leads to a
  trusted root, and its key signed the exact body bytes (the `Signature-256` header).
  Chains are cached by URL without query or fragment, a URL that failed is not fetched
  again for a minute, one URL is fetched once at a time, and at most `MAX_FETCHES`
  downloads run at once (a request that would wait for one is refused at once).
- `TimestampVerifier`: the request was made within 150 seconds of now (stops replays).
- `ApplicationIdVerifier`: the request is for this skill and not another one.

Cheap checks first: each verifier's `check_raw(headers, envelope)` looks only at the
headers and the parsed JSON, costs no download and no signature work, and may only
refuse. The web door runs every `check_raw` before anything else (the timestamp window,
the application id, the certificate URL's shape and the signature header's), and hands
the SDK only the verifiers with work left (`needs_adapter`): the signature itself.

The SDK's own RequestVerifier does the same on certvalidator and oscrypto, which fail to
load or to verify on some hosts and trust stores; this module rests on `cryptography`'s
web-PKI path validation and certifi's roots instead, so it behaves the same everywhere.

Nothing here logs: every refusal is a `RequestRejected` whose `reason` the web service
logs, and whose message carries nothing from the request.
"""

from __future__ import annotations

from skill import oscrypto_compat

oscrypto_compat.install()  # before anything imports ask_sdk_webservice_support (see that module)

import base64  # noqa: E402
import binascii  # noqa: E402
import functools  # noqa: E402
import re  # noqa: E402
import ssl  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import urllib.request  # noqa: E402
import warnings  # noqa: E402
from collections import OrderedDict  # noqa: E402
from collections.abc import Callable, Iterator, Mapping, Sequence  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from datetime import UTC, datetime, timedelta  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any, Generic, TypeVar  # noqa: E402
from urllib.parse import urlsplit  # noqa: E402

import certifi  # noqa: E402
from ask_sdk_model import RequestEnvelope  # noqa: E402
from ask_sdk_webservice_support.verifier import (  # noqa: E402
    AbstractVerifier,
    VerificationException,
)
from cryptography import x509  # noqa: E402
from cryptography.exceptions import InvalidSignature  # noqa: E402
from cryptography.hazmat.primitives import hashes  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import padding, rsa  # noqa: E402
from cryptography.utils import CryptographyDeprecationWarning  # noqa: E402
from cryptography.x509.verification import (  # noqa: E402
    DNSName,
    PolicyBuilder,
    Store,
    VerificationError,
)

CERT_URL_HEADER = "SignatureCertChainUrl"
SIGNATURE_HEADER = "Signature-256"
CERT_HOST = "s3.amazonaws.com"
CERT_PATH_PREFIX = "/echo.api/"
SIGNING_NAME = "echo-api.amazon.com"
FETCH_TIMEOUT_SECONDS = 3  # Alexa waits 8 s; a slow download fails rather than waits
MAX_FETCHES = 4  # downloads at once, over every URL; one more is refused, not queued
MAX_CHAIN_BYTES = 256 * 1024  # Amazon's chain is a few KiB; anything bigger is not it
CHAIN_CACHE_SIZE = 16  # Alexa uses one or two URLs at a time; this only bounds the worst case
FAILED_URL_SECONDS = 60.0  # a URL that failed is not fetched again for this long
FAILED_URL_CACHE_SIZE = 256
# An RSA PKCS#1 v1.5 signature is as long as the key's modulus: 2048 to 4096 bits.
SIGNATURE_BYTES = range(256, 512 + 1)
DEFAULT_TOLERANCE = timedelta(seconds=150)
MAX_TIMESTAMP_CHARS = 64

_MESSAGES = {
    "cert_url_missing": f"the {CERT_URL_HEADER} header is missing",
    "cert_url_scheme": "the certificate URL is not https",
    "cert_url_host": f"the certificate URL is not on {CERT_HOST}",
    "cert_url_path": f"the certificate URL path does not start with {CERT_PATH_PREFIX}",
    "cert_url_port": "the certificate URL port is not 443",
    "cert_fetch_failed": "the certificate chain could not be downloaded",
    "cert_fetch_busy": "too many certificate downloads at once; try again",
    "cert_chain_invalid": "the certificate chain does not lead to a trusted root",
    "cert_expired": "the signing certificate has expired",
    "cert_not_yet_valid": "the signing certificate is not valid yet",
    "cert_name": f"the signing certificate is not for {SIGNING_NAME}",
    "cert_key_usage": "the signing certificate is not for digital signatures",
    "signature_missing": f"the {SIGNATURE_HEADER} header is missing",
    "signature_invalid": "the signature does not match the body",
    "timestamp_missing": "the request has no timestamp",
    "timestamp_invalid": "the request timestamp cannot be compared with now",
    "timestamp_stale": "the request timestamp is too far in the past",
    "timestamp_future": "the request timestamp is too far in the future",
    "application_id": "the request is for a different skill",
}


class RequestRejected(VerificationException):
    """A request that failed verification: `reason` for logs, `status` for the answer."""

    def __init__(self, reason: str, message: str | None = None, cause: str | None = None) -> None:
        super().__init__(message or _MESSAGES.get(reason, "the request failed verification"))
        self.reason = reason
        # For the log only, never the answer: why a fetch failed, as an exception's type
        # and a fixed message (never the error's own text, which may quote the URL).
        self.cause = cause
        # A well-formed request for another skill is refused, not malformed.
        self.status = 403 if reason == "application_id" else 400


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _as_utc(moment: datetime) -> datetime:
    # Alexa's timestamps are UTC; ask-sdk-model may hand them over without a zone.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


# The certificate URL ------------------------------------------------------------------

_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_PERCENT_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")


def _decode_unreserved(path: str) -> str:
    # RFC 3986 6.2.2.2: %2E is ".", so "/echo.api/%2e%2e/x" must not slip past the dot
    # segment removal below; other escapes stay escaped (only their hex is uppercased).
    def one(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        return char if char in _UNRESERVED else match.group(0).upper()

    return _PERCENT_ESCAPE.sub(one, path)


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 5.2.4, segment-wise: what the path means once "." and ".." are resolved."""
    segments = path.split("/")
    kept: list[str] = []
    for segment in segments:
        if segment == ".":
            continue
        if segment == "..":
            if len(kept) > 1:  # never above the root (kept[0] is the "" before the first /)
                kept.pop()
            continue
        kept.append(segment)
    if segments[-1] in (".", ".."):
        kept.append("")  # "/a/b/.." means the directory "/a/", trailing slash and all
    return "/".join(kept)


def check_cert_url(url: str | None) -> str:
    """The certificate URL as it will be fetched, if it is in Amazon's place on S3."""
    if url is None or not url.strip():
        raise RequestRejected("cert_url_missing")
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        raise RequestRejected("cert_url_host") from None
    if parts.scheme.lower() != "https":
        raise RequestRejected("cert_url_scheme")
    # Credentials in the URL are never Amazon's, and "https://s3.amazonaws.com@evil/..."
    # is a classic way to make a host look right to a person.
    if parts.username is not None or parts.password is not None:
        raise RequestRejected("cert_url_host")
    if (parts.hostname or "").lower() != CERT_HOST:
        raise RequestRejected("cert_url_host")
    try:
        port = parts.port
    except ValueError:
        raise RequestRejected("cert_url_port") from None
    if port is not None and port != 443:
        raise RequestRejected("cert_url_port")
    path = _remove_dot_segments(_decode_unreserved(parts.path))
    if not path.startswith(CERT_PATH_PREFIX):
        raise RequestRejected("cert_url_path")
    # Rebuilt from the checked parts, so what is fetched is exactly what was checked. Amazon's
    # URLs have no query; dropping it (and the fragment) keeps one URL one cache entry.
    return f"https://{CERT_HOST}{path}"


# Fetching and trusting ------------------------------------------------------------------

CertFetcher = Callable[[str], bytes]


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # The URL was checked, not wherever S3 might send us next: a redirect is a failure.
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@functools.cache
def _https_context() -> ssl.SSLContext:
    return ssl.create_default_context(cafile=certifi.where())


def fetch_over_https(url: str) -> bytes:
    """The bytes at an https URL: no redirects, 5 s timeout, at most 256 KiB."""
    if urlsplit(url).scheme.lower() != "https":
        raise ValueError("only https URLs are fetched")
    opener = urllib.request.build_opener(
        urllib.request.HTTPSHandler(context=_https_context()), _NoRedirects()
    )
    with opener.open(url, timeout=FETCH_TIMEOUT_SECONDS) as response:
        data: bytes = response.read(MAX_CHAIN_BYTES + 1)
    if len(data) > MAX_CHAIN_BYTES:
        raise ValueError(f"the response is over {MAX_CHAIN_BYTES} bytes")
    return data


_PEM_CERTIFICATE = re.compile(
    rb"-----BEGIN CERTIFICATE-----\r?\n.+?\r?\n-----END CERTIFICATE-----", re.DOTALL
)


@functools.cache
def _certifi_roots() -> tuple[x509.Certificate, ...]:
    roots = []
    for block in _PEM_CERTIFICATE.findall(Path(certifi.where()).read_bytes()):
        # A few long-trusted roots (Starfield and Go Daddy G2 among them) have a zero
        # serial number, which cryptography warns about now and will refuse later: keep
        # them while they load, quietly, and drop any that no longer do rather than lose
        # the whole bundle.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CryptographyDeprecationWarning)
            try:
                roots.append(x509.load_pem_x509_certificate(block))
            except ValueError:
                continue
    return tuple(roots)


def default_trust_roots() -> list[x509.Certificate]:
    """Mozilla's roots as certifi ships them (read once per process)."""
    return list(_certifi_roots())


@dataclass(frozen=True)
class _Chain:
    leaf: x509.Certificate
    intermediates: tuple[x509.Certificate, ...]


V = TypeVar("V")


class _LruCache(Generic[V]):
    """The last few values by URL, thread-safe: verified chains, and refusals."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._values: OrderedDict[str, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, url: str) -> V | None:
        with self._lock:
            value = self._values.get(url)
            if value is not None:
                self._values.move_to_end(url)
            return value

    def put(self, url: str, value: V) -> None:
        with self._lock:
            self._values[url] = value
            self._values.move_to_end(url)
            while len(self._values) > self._size:
                self._values.popitem(last=False)

    def discard(self, url: str) -> None:
        with self._lock:
            self._values.pop(url, None)


def _header(headers: Mapping[str, Any], name: str) -> str | None:
    # Flask's headers ignore case already; plain dicts (tests, other adapters) do not.
    wanted = name.lower()
    for key, value in headers.items():
        if isinstance(key, str) and key.lower() == wanted:
            return str(value)
    return None


class SignatureVerifier(AbstractVerifier):
    """Alexa's signature: certificate URL, certificate chain, then the body's signature."""

    def __init__(
        self,
        trust_roots: Sequence[x509.Certificate] | None = None,
        fetch: CertFetcher = fetch_over_https,
        now: Callable[[], datetime] = _utc_now,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        roots = list(trust_roots) if trust_roots is not None else default_trust_roots()
        self._store = Store(roots)
        self._fetch = fetch
        self._now = now
        self._monotonic = monotonic
        self._cache: _LruCache[_Chain] = _LruCache(CHAIN_CACHE_SIZE)
        # URL -> (refusal, until when it stands): a URL that failed costs nothing for a while.
        self._failed: _LruCache[tuple[RequestRejected, float]] = _LruCache(FAILED_URL_CACHE_SIZE)
        # URL -> [its lock, requests using it]: fetches of one URL wait for each other,
        # other URLs never do; an entry lives only while a request for its URL does.
        self._url_locks: dict[str, list[Any]] = {}
        self._url_locks_guard = threading.Lock()
        self._fetches = threading.BoundedSemaphore(MAX_FETCHES)

    needs_adapter = True  # the download and the signature run after the cheap checks

    def check_raw(self, headers: Mapping[str, Any], envelope: Mapping[str, Any]) -> None:
        """What needs no download: the URL's shape, and a signature header that could be one."""
        check_cert_url(_header(headers, CERT_URL_HEADER))
        _decode_signature(_header(headers, SIGNATURE_HEADER))

    def verify(
        self,
        headers: Mapping[str, Any],
        serialized_request_env: str | bytes,
        deserialized_request_env: RequestEnvelope | None,
    ) -> None:
        # Checked again (they cost nothing), so this verifier is whole on its own.
        url = check_cert_url(_header(headers, CERT_URL_HEADER))
        signature = _decode_signature(_header(headers, SIGNATURE_HEADER))
        body = (
            serialized_request_env.encode("utf-8")
            if isinstance(serialized_request_env, str)
            else bytes(serialized_request_env)
        )
        leaf = self._verified_leaf(url, _as_utc(self._now()))
        key = leaf.public_key()
        if not isinstance(key, rsa.RSAPublicKey):
            raise RequestRejected("signature_invalid", "the signing certificate has no RSA key")
        try:
            key.verify(signature, body, padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            raise RequestRejected("signature_invalid") from None

    def _verified_leaf(self, url: str, now: datetime) -> x509.Certificate:
        leaf = self._cached_leaf(url, now)
        if leaf is not None:
            return leaf
        # One fetch per URL at a time: the others wait, then find its outcome cached.
        with self._one_fetch_of(url):
            leaf = self._cached_leaf(url, now)
            if leaf is not None:
                return leaf
            try:
                chain = self._download(url)
                self._check_chain(chain, now)
            except RequestRejected as refusal:
                if refusal.reason != "cert_fetch_busy":
                    self._failed.put(url, (refusal, self._monotonic() + FAILED_URL_SECONDS))
                raise
            self._cache.put(url, chain)
            return chain.leaf

    @contextmanager
    def _one_fetch_of(self, url: str) -> Iterator[None]:
        with self._url_locks_guard:
            entry = self._url_locks.setdefault(url, [threading.Lock(), 0])
            entry[1] += 1
        try:
            with entry[0]:
                yield
        finally:
            with self._url_locks_guard:
                entry[1] -= 1
                if entry[1] == 0:
                    del self._url_locks[url]

    def _cached_leaf(self, url: str, now: datetime) -> x509.Certificate | None:
        """The leaf of a cached chain still valid now; raises a recent refusal again."""
        failed = self._failed.get(url)
        if failed is not None:
            refusal, until = failed
            if self._monotonic() < until:
                raise RequestRejected(refusal.reason, str(refusal), refusal.cause)
            self._failed.discard(url)
        cached = self._cache.get(url)
        if cached is not None:
            try:
                self._check_chain(cached, now)
                return cached.leaf
            except RequestRejected:
                # Only verified chains are cached, so this one has run out of time: Amazon
                # may have put a renewed chain at the same URL, so look again before refusing.
                self._cache.discard(url)
        return None

    def _download(self, url: str) -> _Chain:
        if not self._fetches.acquire(blocking=False):
            # Not remembered as a failure of the URL: the next request may fetch it.
            raise RequestRejected("cert_fetch_busy")
        try:
            data = self._fetch(url)
        except Exception as error:  # any failure to get the chain: the request is not trusted
            # The type only: an error's text may quote the URL, which the request chose.
            cause = f"{type(error).__name__}: the download failed"
            raise RequestRejected("cert_fetch_failed", cause=cause) from None
        finally:
            self._fetches.release()
        try:
            certificates = x509.load_pem_x509_certificates(data)
        except ValueError:
            raise RequestRejected(
                "cert_chain_invalid", "the certificate chain is not readable PEM"
            ) from None
        return _Chain(certificates[0], tuple(certificates[1:]))

    def _check_chain(self, chain: _Chain, now: datetime) -> None:
        # The path validation below checks dates and name too, but only says "invalid";
        # checking the leaf first gives the logs a reason someone can act on.
        leaf = chain.leaf
        if now < leaf.not_valid_before_utc:
            raise RequestRejected("cert_not_yet_valid")
        if now > leaf.not_valid_after_utc:
            raise RequestRejected("cert_expired")
        if SIGNING_NAME not in _dns_names(leaf):
            raise RequestRejected("cert_name")
        if not _signs_digitally(leaf):
            raise RequestRejected("cert_key_usage")
        verifier = (
            PolicyBuilder()
            .store(self._store)
            .time(now)
            .build_server_verifier(DNSName(SIGNING_NAME))
        )
        try:
            verifier.verify(leaf, list(chain.intermediates))
        except (VerificationError, ValueError):
            raise RequestRejected("cert_chain_invalid") from None


def _decode_signature(value: str | None) -> bytes:
    if value is None or not value.strip():
        raise RequestRejected("signature_missing")
    value = value.strip()
    # Checked on the text first, so a huge header is not decoded to find out.
    if len(value) > 4 * (SIGNATURE_BYTES.stop + 2) // 3 + 4:
        raise RequestRejected("signature_invalid", "the signature is not of a plausible length")
    try:
        signature = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise RequestRejected("signature_invalid", "the signature is not base64") from None
    if len(signature) not in SIGNATURE_BYTES:
        raise RequestRejected("signature_invalid", "the signature is not of a plausible length")
    return signature


def _signs_digitally(certificate: x509.Certificate) -> bool:
    # As ask-sdk-webservice-support's verifier: the leaf must carry a key usage that allows
    # digital signatures (a certificate without any key usage is refused too).
    try:
        usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    except (x509.ExtensionNotFound, ValueError):
        return False
    return bool(usage.digital_signature)


def _dns_names(certificate: x509.Certificate) -> set[str]:
    try:
        names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except (x509.ExtensionNotFound, ValueError):
        return set()
    return {name.lower() for name in names.value.get_values_for_type(x509.DNSName)}


# Timestamp and application id ----------------------------------------------------------


class TimestampVerifier(AbstractVerifier):
    """The request was made close to now, so a captured request cannot be replayed later."""

    def __init__(
        self,
        tolerance: timedelta = DEFAULT_TOLERANCE,
        now: Callable[[], datetime] = _utc_now,
    ) -> None:
        self._tolerance = tolerance
        self._now = now

    needs_adapter = False  # check_raw does it all, before the SDK parses anything

    def check_raw(self, headers: Mapping[str, Any], envelope: Mapping[str, Any]) -> None:
        request = envelope.get("request")
        raw = request.get("timestamp") if isinstance(request, Mapping) else None
        if raw is None:
            raise RequestRejected("timestamp_missing")
        if not isinstance(raw, str) or len(raw) > MAX_TIMESTAMP_CHARS:
            raise RequestRejected("timestamp_invalid")
        try:
            # Alexa's form, 2024-05-17T07:30:00Z (fromisoformat reads the Z since 3.11).
            timestamp = datetime.fromisoformat(raw)
        except ValueError:
            raise RequestRejected("timestamp_invalid") from None
        self._check(timestamp)

    def verify(
        self,
        headers: Mapping[str, Any],
        serialized_request_env: str | bytes,
        deserialized_request_env: RequestEnvelope | None,
    ) -> None:
        request = getattr(deserialized_request_env, "request", None)
        timestamp = getattr(request, "timestamp", None)
        if not isinstance(timestamp, datetime):
            raise RequestRejected("timestamp_missing")
        self._check(timestamp)

    def _check(self, timestamp: datetime) -> None:
        try:
            # Years 1 and 9999 with an offset, offsets of a day or more: not comparable.
            age = _as_utc(self._now()) - _as_utc(timestamp)
        except (OverflowError, ValueError):
            raise RequestRejected("timestamp_invalid") from None
        seconds = int(self._tolerance.total_seconds())
        if age > self._tolerance:
            raise RequestRejected(
                "timestamp_stale", f"the request timestamp is more than {seconds} s old"
            )
        if -age > self._tolerance:
            raise RequestRejected(
                "timestamp_future", f"the request timestamp is more than {seconds} s ahead"
            )


class ApplicationIdVerifier(AbstractVerifier):
    """The request is for this skill: another skill's traffic sent here is refused."""

    needs_adapter = False  # check_raw does it all, before the SDK parses anything

    def __init__(self, skill_id: str) -> None:
        self._skill_id = skill_id

    def check_raw(self, headers: Mapping[str, Any], envelope: Mapping[str, Any]) -> None:
        if _raw_application_id(envelope) != self._skill_id:
            raise RequestRejected("application_id")

    def verify(
        self,
        headers: Mapping[str, Any],
        serialized_request_env: str | bytes,
        deserialized_request_env: RequestEnvelope | None,
    ) -> None:
        if _application_id(deserialized_request_env) != self._skill_id:
            raise RequestRejected("application_id")


def _application_id(envelope: RequestEnvelope | None) -> str | None:
    # context.System is on every request; session is missing from some (AudioPlayer events).
    system = getattr(getattr(envelope, "context", None), "system", None)
    for holder in (system, getattr(envelope, "session", None)):
        application_id = getattr(getattr(holder, "application", None), "application_id", None)
        if isinstance(application_id, str):
            return application_id
    return None


def _raw_application_id(envelope: Mapping[str, Any]) -> str | None:
    # As _application_id, on the JSON as sent: context.System first, then the session.
    context = envelope.get("context")
    system = context.get("System") if isinstance(context, Mapping) else None
    for holder in (system, envelope.get("session")):
        application = holder.get("application") if isinstance(holder, Mapping) else None
        if isinstance(application, Mapping):
            application_id = application.get("applicationId")
            if isinstance(application_id, str):
                return application_id
    return None


def production_verifiers(skill_id: str) -> list[AbstractVerifier]:
    """What the web service checks on every request in production: all three."""
    if not skill_id:
        raise ValueError("a skill id is required: without one, any skill's requests pass")
    return [SignatureVerifier(), TimestampVerifier(), ApplicationIdVerifier(skill_id)]
