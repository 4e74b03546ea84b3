"""The web-service door: Flask and flask-ask-sdk's SkillAdapter around the same skill
that `lambda_handler` serves.

Every request to `/` is checked before the skill sees it: a JSON body of sane size that
looks like an Alexa envelope, then (unless verification is off) Alexa's signature,
certificate, timestamp and the application id (SKILL_ID, required). Whatever fails
gets a 4xx with a short JSON error and one log line; nothing reaches a handler. Every
request, good or bad, leaves one structured log line without user text or user ids; what
the request says of itself (id, type, intent) is logged only once verified, capped.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Sequence
from typing import Any

from skill import oscrypto_compat

oscrypto_compat.install()  # before flask_ask_sdk imports oscrypto (see that module)

from ask_sdk_core.exceptions import SerializationException  # noqa: E402
from ask_sdk_core.skill import CustomSkill  # noqa: E402
from ask_sdk_webservice_support.verifier import AbstractVerifier  # noqa: E402
from flask import Flask, Response, g, jsonify, request  # noqa: E402
from flask_ask_sdk.skill_adapter import (  # noqa: E402
    VERIFY_SIGNATURE_APP_CONFIG,
    VERIFY_TIMESTAMP_APP_CONFIG,
    SkillAdapter,
)
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge  # noqa: E402

from skill.app import shared_skill  # noqa: E402
from skill.verify import RequestRejected, production_verifiers  # noqa: E402

log = logging.getLogger("skill.webservice")
MAX_BODY_BYTES = 128 * 1024  # Alexa's requests are a few KiB; APL events stay well under this
MAX_DEPTH = 64  # JSON nesting; Alexa's envelopes are about ten deep


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


def read_envelope() -> tuple[str, dict[str, Any]]:
    """The body as text and as JSON, if it is a JSON object shaped like an Alexa envelope."""
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
    if not _nested_at_most(envelope, MAX_DEPTH):
        # Alexa's envelopes nest about ten deep; the SDK's deserializer recurses per level.
        raise BadRequest(400, "too_deep", f"the body nests deeper than {MAX_DEPTH} levels")
    if not isinstance(envelope, dict) or not isinstance(envelope.get("request"), dict):
        raise BadRequest(400, "not_an_envelope", "the body is not an Alexa request envelope")
    if not isinstance(envelope["request"].get("type"), str):
        raise BadRequest(400, "missing_request_type", "the request has no type")
    return text, envelope


def _body() -> bytes:
    if request.content_length is not None:
        return request.get_data()  # werkzeug answers a length over the limit with 413
    # Chunked (the server has undone the framing): werkzeug would cut the body at the limit
    # without a word, so read one byte past it to know.
    stream = request.input_stream if request.environ.get("wsgi.input_terminated") else None
    data: bytes = stream.read(MAX_BODY_BYTES + 1) if stream is not None else b""
    if len(data) > MAX_BODY_BYTES:
        raise RequestEntityTooLarge()
    return data


def _nested_at_most(value: Any, limit: int) -> bool:
    """Whether JSON `value` nests no deeper than `limit` (without recursing itself)."""
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            if depth > limit:
                return False
            pending.extend((child, depth + 1) for child in item)
    return True


class AlexaAdapter(SkillAdapter):
    """SkillAdapter with the answers Alexa and operators need.

    The stock `dispatch_request` turns any SDK error into a 500 and logs tracebacks for
    failed verification; this one answers 4xx for what the caller got wrong, logs one
    line a request, and leaves verification and dispatch to the adapter's own handler.
    """

    def dispatch_request(self) -> Response | tuple[Response, int]:
        started = time.perf_counter()
        facts: dict[str, Any] = {}
        envelope: dict[str, Any] | None = None
        status, outcome = 200, "ok"
        try:
            text, envelope = read_envelope()
            # flask-ask-sdk keeps its WebserviceSkillHandler here; it runs our verifiers.
            answer = self._webservice_handler.verify_request_and_dispatch(
                http_request_headers=request.headers, http_request_body=text
            )
            return jsonify(answer)
        except RequestRejected as rejected:
            status, outcome = rejected.status, f"rejected:{rejected.reason}"
            if rejected.cause:
                facts["cause"] = rejected.cause
            return _error(status, rejected.reason, str(rejected))
        except BadRequest as bad:
            status, outcome = bad.status, f"bad_request:{bad.reason}"
            return _error(status, bad.reason, str(bad))
        except SerializationException:
            status, outcome = 400, "bad_request:not_an_envelope"
            return _error(status, "not_an_envelope", "the body is not an Alexa request envelope")
        except Exception:
            status, outcome = 500, "error"
            log.exception("request failed inside the skill")
            return _error(status, "internal", "the skill could not answer")
        finally:
            # What the request says of itself is logged only once it has been verified.
            if envelope is not None and g.get(_VERIFIED, False):
                facts.update(_describe(envelope))
            facts.update(
                outcome=outcome,
                status=status,
                latency_ms=round((time.perf_counter() - started) * 1000, 1),
            )
            log.info(json.dumps(facts, separators=(",", ":")))


_VERIFIED = "recovery_coach_verified"
MAX_LOGGED_CHARS = 200


class _MarkVerified(AbstractVerifier):
    """Runs after every other check (only if all passed): the request is now trusted."""

    def verify(
        self, headers: Any, serialized_request_env: Any, deserialized_request_env: Any
    ) -> None:
        g.setdefault(_VERIFIED, True)


def _describe(envelope: dict[str, Any]) -> dict[str, Any]:
    """What a log line may say of a verified request: ids and types, each capped, never
    what the user said (no slot values, no user or device ids)."""
    body = envelope["request"]
    intent = body.get("intent")
    return {
        "request_id": _capped(body.get("requestId")),
        "type": _capped(body.get("type")),
        "intent": _capped(intent.get("name")) if isinstance(intent, dict) else None,
    }


def _capped(value: Any) -> str | None:
    return value[:MAX_LOGGED_CHARS] if isinstance(value, str) else None


def _error(status: int, reason: str, message: str) -> tuple[Response, int]:
    return jsonify({"error": reason, "message": message}), status


def create_app(
    *,
    verify: bool = True,
    verifiers: Sequence[AbstractVerifier] | None = None,
    skill: CustomSkill | None = None,
) -> Flask:
    """The Flask app. Verification is on unless `verify=False`; tests pass their own verifiers."""
    app = Flask("recovery_coach")
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
    adapter = AlexaAdapter(
        skill=skill or shared_skill(),
        skill_id=os.environ.get(SKILL_ID_SETTING, ""),
        verifiers=[*checks, _MarkVerified()],
    )
    adapter.init_app(app)
    app.add_url_rule("/", "alexa", adapter.dispatch_request, methods=["POST"])
    app.add_url_rule("/healthz", "healthz", lambda: jsonify({"status": "ok"}), methods=["GET"])

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[Response, int]:
        code = error.code or 500
        return _error(
            code, (error.name or "error").lower().replace(" ", "_"), error.description or ""
        )

    return app
