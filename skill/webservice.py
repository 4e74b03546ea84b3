"""The web-service door: Flask and flask-ask-sdk's SkillAdapter around the same skill
that `lambda_handler` serves, through public APIs only.

Every POST to `/` goes through two stages:

1. `_cheap_checks`, a `before_request` hook, on the raw request: a JSON body of sane size
   that parses within a nesting bound and looks like an Alexa envelope, then (with
   verification on) every verifier's `check_raw`: the timestamp window, the application
   id (403 for another skill), the certificate URL's shape and the signature header's.
   None of this downloads anything or checks a signature, and it may only refuse.
2. flask-ask-sdk's `SkillAdapter.dispatch_request`, the SDK's public way in: it parses the
   envelope, runs the verifiers with work left (the project's `SignatureVerifier`: the
   certificate download and the signature) as the SDK's verifiers, and invokes the skill.
   The SDK answers any verification failure with a 400 and any SDK error with a 500;
   `_sdk_error` maps them back to what the caller got wrong (the exception the SDK was
   handling is the werkzeug error's `__context__`).

Whatever fails gets a 4xx with a short JSON error; nothing reaches a handler. Every
request, good or bad, leaves one structured log line without user text or user ids; what
the request says of itself (id, type, intent) is logged only once verified, capped.
"""

from __future__ import annotations

import io
import json
import logging
import os
import time
from collections.abc import Sequence
from typing import Any

from skill import oscrypto_compat

oscrypto_compat.install()  # before flask_ask_sdk imports oscrypto (see that module)

from ask_sdk_core.exceptions import AskSdkException, SerializationException  # noqa: E402
from ask_sdk_core.skill import CustomSkill  # noqa: E402
from ask_sdk_webservice_support.verifier import (  # noqa: E402
    AbstractVerifier,
    VerificationException,
)
from flask import Flask, Response, g, jsonify, request  # noqa: E402
from flask_ask_sdk.skill_adapter import (  # noqa: E402
    VERIFY_SIGNATURE_APP_CONFIG,
    VERIFY_TIMESTAMP_APP_CONFIG,
    SkillAdapter,
)
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge  # noqa: E402

from skill.app import shared_skill  # noqa: E402
from skill.text import COMPACT_JSON  # noqa: E402
from skill.verify import RequestRejected, production_verifiers  # noqa: E402

log = logging.getLogger("skill.webservice")
MAX_BODY_BYTES = 128 * 1024  # Alexa's requests are a few KiB; APL events stay well under this
MAX_DEPTH = 64  # JSON nesting; Alexa's envelopes are about ten deep
MAX_LOGGED_CHARS = 200

SKILL_ID_SETTING = "SKILL_ID"


class MissingSkillId(RuntimeError):
    """Verification is on but the service was not told which skill it serves."""


def configured_skill_id() -> str:
    """SKILL_ID, which verification needs: without it a request for any skill would pass."""
    skill_id = os.environ.get(SKILL_ID_SETTING, "").strip()
    if not skill_id:
        raise MissingSkillId(
            f"{SKILL_ID_SETTING} is not set. With request verification on, the service must "
            "know its skill id (amzn1.ask.skill...., shown in the Alexa developer console) "
            f"so that requests for any other skill are refused. Set {SKILL_ID_SETTING}, or "
            "pass --no-verify to run on your own machine."
        )
    return skill_id


class BadRequest(Exception):
    def __init__(self, status: int, reason: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.reason = reason


def read_envelope() -> dict[str, Any]:
    """The body as JSON, if it is a JSON object shaped like an Alexa envelope."""
    if request.mimetype != "application/json":
        raise BadRequest(415, "content_type", "the body must be application/json")
    try:
        text = _body().decode("utf-8")
    except RequestEntityTooLarge:
        raise BadRequest(413, "too_large", f"the body is over {MAX_BODY_BYTES} bytes") from None
    except UnicodeDecodeError:
        raise BadRequest(400, "encoding", "the body is not UTF-8") from None
    try:
        envelope = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: nested deeper than Python recurses
        raise BadRequest(400, "malformed_json", "the body is not valid JSON") from None
    if not _nested_at_most(envelope, MAX_DEPTH, text):
        # Alexa's envelopes nest about ten deep; the SDK's deserializer recurses per level.
        raise BadRequest(400, "too_deep", f"the body nests deeper than {MAX_DEPTH} levels")
    if not isinstance(envelope, dict) or not isinstance(envelope.get("request"), dict):
        raise BadRequest(400, "not_an_envelope", "the body is not an Alexa request envelope")
    if not isinstance(envelope["request"].get("type"), str):
        raise BadRequest(400, "missing_request_type", "the request has no type")
    return envelope


def _body() -> bytes:
    if request.content_length is not None:
        # Kept by werkzeug, so the adapter reads these same bytes; over the limit is a 413.
        return request.get_data(cache=True)
    # No length: werkzeug would cut the body at the limit without a word, so read one byte
    # past it to know (the server has undone any chunked framing, within its own bound).
    stream = request.input_stream if request.environ.get("wsgi.input_terminated") else None
    data: bytes = stream.read(MAX_BODY_BYTES + 1) if stream is not None else b""
    if len(data) > MAX_BODY_BYTES:
        raise RequestEntityTooLarge()
    # What the adapter will read as the body: the same bytes, from a stream at their start.
    request.environ["wsgi.input"] = io.BytesIO(data)
    return data


def _nested_at_most(value: Any, limit: int, text: str) -> bool:
    """Whether JSON `value` nests no deeper than `limit`, without recursing. A body with
    fewer brackets than the limit cannot nest deeper: most bodies are settled by counting."""
    if text.count("[") + text.count("{") <= limit:
        return True
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            if depth > limit:
                return False
            pending.extend((child, depth + 1) for child in item if isinstance(child, dict | list))
    return True


class _Exchange:
    """What the door learns of one request on its way through, for its answer and its log
    line: kept in one object (`flask.g` is a context-local proxy, dear per lookup)."""

    __slots__ = ("cause", "envelope", "outcome", "rejected", "started", "verified")

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.envelope: dict[str, Any] | None = None  # the body, once the raw checks read it
        self.verified = False  # every verifier passed
        self.rejected: RequestRejected | None = None  # what a verifier refused, and why
        self.outcome: str | None = None
        self.cause: str | None = None

    def log_line(self, status: int) -> str:
        """The request's one JSON line: outcome, status, latency; ids and types (each
        capped) only once verified; never what the user said, nor user or device ids."""
        facts: dict[str, Any] = {}
        # What the request says of itself is logged only once it has been verified.
        if self.envelope is not None and self.verified:
            body = self.envelope["request"]
            intent = body.get("intent")
            facts["request_id"] = _capped(body.get("requestId"))
            facts["type"] = _capped(body.get("type"))
            facts["intent"] = _capped(intent.get("name")) if isinstance(intent, dict) else None
        facts["outcome"] = self.outcome or ("ok" if status == 200 else "error")
        if self.cause:
            facts["cause"] = self.cause
        facts["status"] = status
        facts["latency_ms"] = round((time.perf_counter() - self.started) * 1000, 1)
        return COMPACT_JSON.encode(facts)


def _exchange() -> _Exchange:
    exchange: _Exchange | None = g.get("exchange")
    if exchange is None:
        exchange = g.exchange = _Exchange()
    return exchange


class _MarkVerified(AbstractVerifier):
    """The SDK's last verifier, run only if all others passed: the request is now trusted."""

    def verify(
        self, headers: Any, serialized_request_env: Any, deserialized_request_env: Any
    ) -> None:
        _exchange().verified = True


class _Remembered(AbstractVerifier):
    """One of the project's verifiers as the SDK's, remembering its refusal for the answer
    (the SDK turns every refusal into the same 400 and keeps only the exception's type)."""

    def __init__(self, verifier: AbstractVerifier) -> None:
        self._verifier = verifier

    def verify(
        self, headers: Any, serialized_request_env: Any, deserialized_request_env: Any
    ) -> None:
        try:
            self._verifier.verify(headers, serialized_request_env, deserialized_request_env)
        except RequestRejected as rejected:
            _exchange().rejected = rejected
            raise


def _capped(value: Any) -> str | None:
    # Cut only: the line is JSON, whose encoding escapes every control character.
    return value[:MAX_LOGGED_CHARS] if isinstance(value, str) else None


def _error(status: int, reason: str, message: str) -> tuple[Response, int]:
    _exchange().outcome = "error" if status >= 500 else f"bad_request:{reason}"
    return jsonify({"error": reason, "message": message}), status


class _QuietSdkFailures(logging.Filter):
    """flask-ask-sdk logs every refused or unreadable request with a traceback on the app's
    logger; the door logs one line for each already. Real dispatch failures still pass."""

    def filter(self, record: logging.LogRecord) -> bool:
        kind = record.exc_info[0] if record.exc_info else None
        return not (
            kind is not None and issubclass(kind, VerificationException | SerializationException)
        )


def create_app(
    *,
    verify: bool = True,
    verifiers: Sequence[AbstractVerifier] | None = None,
    skill: CustomSkill | None = None,
) -> Flask:
    """The Flask app. Verification is on unless `verify=False`; tests pass their own verifiers."""
    app = Flask("recovery_coach")
    app.logger.addFilter(_QuietSdkFailures())
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    # The SDK's own RequestVerifier rests on certvalidator and oscrypto; ours (skill.verify)
    # does the same checks on cryptography, so the SDK's defaults are switched off here.
    app.config[VERIFY_SIGNATURE_APP_CONFIG] = False
    app.config[VERIFY_TIMESTAMP_APP_CONFIG] = False
    if not verify:
        checks: list[AbstractVerifier] = []
    elif verifiers is not None:
        checks = list(verifiers)
    else:
        checks = production_verifiers(configured_skill_id())
    raw_checks = [check for check in checks if callable(getattr(check, "check_raw", None))]
    later = [check for check in checks if getattr(check, "needs_adapter", True)]
    adapter = SkillAdapter(
        skill=skill or shared_skill(),
        skill_id=os.environ.get(SKILL_ID_SETTING, ""),
        verifiers=[*(_Remembered(check) for check in later), _MarkVerified()],
    )
    adapter.init_app(app)
    adapter.register(app=app, route="/", endpoint="alexa")
    app.add_url_rule("/healthz", "healthz", lambda: jsonify({"status": "ok"}), methods=["GET"])

    @app.before_request
    def cheap_checks() -> tuple[Response, int] | None:
        exchange = g.exchange = _Exchange()
        if request.endpoint != "alexa" or request.method != "POST":
            return None
        try:
            exchange.envelope = envelope = read_envelope()
            for check in raw_checks:
                check.check_raw(request.headers, envelope)  # type: ignore[attr-defined]
        except RequestRejected as rejected:
            return _rejected(rejected)
        except BadRequest as bad:
            return _error(bad.status, bad.reason, str(bad))
        return None

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[Response, int]:
        if request.endpoint == "alexa" and error.code in (400, 500):
            return _sdk_error(error)
        code = error.code or 500
        return _error(
            code, (error.name or "error").lower().replace(" ", "_"), error.description or ""
        )

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> tuple[Response, int]:
        log.error("request failed inside the skill", exc_info=error)
        return _error(500, "internal", "the skill could not answer")

    @app.after_request
    def log_request(response: Response) -> Response:
        if request.endpoint == "alexa":
            log.info(_exchange().log_line(response.status_code))
        return response

    return app


def _rejected(rejected: RequestRejected) -> tuple[Response, int]:
    response = _error(rejected.status, rejected.reason, str(rejected))
    exchange = _exchange()
    exchange.outcome = f"rejected:{rejected.reason}"
    if rejected.cause:
        exchange.cause = rejected.cause
    return response


def _sdk_error(error: HTTPException) -> tuple[Response, int]:
    """What the caller gets for an error the SDK raised: its cause, mapped to a status."""
    cause = error.__context__
    rejected = _exchange().rejected
    if isinstance(cause, VerificationException):
        if isinstance(rejected, RequestRejected):
            return _rejected(rejected)
        return _error(400, "verification_failed", "the request failed verification")
    if isinstance(cause, SerializationException):
        return _error(400, "not_an_envelope", "the body is not an Alexa request envelope")
    if isinstance(cause, AskSdkException):
        log.error("request failed inside the skill", exc_info=cause)
        return _error(500, "internal", "the skill could not answer")
    code = error.code or 500
    return _error(code, (error.name or "error").lower().replace(" ", "_"), "")
