"""The baseline: the smallest honest ask-sdk-core skill, served through the same doors.

It does what any custom skill must (launch, one custom intent, help, stop/cancel, session
end, a catch-all, a little session state) and keeps a little per user in SQLite, as ours
does (its visits, read at launch; written at launch and on every answer, as often as ours
writes a runner's place): no templates, no screens, no content. Whatever Recovery Coach
costs above this is the price of its own features. Plain strings inline are deliberate:
this is a yardstick, not a product.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from typing import Any

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_core.dispatch_components import AbstractExceptionHandler, AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.skill import CustomSkill
from ask_sdk_core.skill_builder import CustomSkillBuilder
from ask_sdk_core.utils import is_intent_name, is_request_type
from ask_sdk_model import RequestEnvelope, Response

ANSWER = "Here is the next thing to try: rest your legs and drink some water."
REPROMPT = "Say next, or stop."


class SQLiteAdapter(AbstractPersistenceAdapter):
    """The plainest SQLite adapter: a connection per thread, one JSON row per user."""

    def __init__(self, path: str) -> None:
        self.path, self._local = path, threading.local()

    def _db(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None or getattr(self._local, "pid", None) != os.getpid():
            db = sqlite3.connect(self.path, timeout=1.0, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("CREATE TABLE IF NOT EXISTS baseline (id TEXT PRIMARY KEY, data TEXT)")
            self._local.db, self._local.pid = db, os.getpid()
        return db

    def get_attributes(self, request_envelope: RequestEnvelope) -> dict[str, Any]:
        user = _user_id(request_envelope)
        row = self._db().execute("SELECT data FROM baseline WHERE id = ?", (user,)).fetchone()
        return json.loads(row[0]) if row else {}

    def save_attributes(
        self, request_envelope: RequestEnvelope, attributes: dict[str, Any]
    ) -> None:
        user = _user_id(request_envelope)
        self._db().execute(
            "INSERT OR REPLACE INTO baseline (id, data) VALUES (?, ?)",
            (user, json.dumps(attributes)),
        )

    def delete_attributes(self, request_envelope: RequestEnvelope) -> None:
        user = _user_id(request_envelope)
        self._db().execute("DELETE FROM baseline WHERE id = ?", (user,))


def _user_id(request_envelope: RequestEnvelope) -> str:
    return str(request_envelope.context.system.user.user_id)  # type: ignore[union-attr]


def _store_path() -> str:
    """The same SQLite file SKILL_DB names for ours (its own table); in memory otherwise."""
    url = os.environ.get("SKILL_DB", "")
    return url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else ":memory:"


def _remember(handler_input: HandlerInput, count: int, visit: bool = False) -> None:
    manager = handler_input.attributes_manager
    if visit:
        visits = manager.persistent_attributes.get("visits")
        visits = visits + 1 if isinstance(visits, int) else 1
        manager.persistent_attributes = {"visits": visits, "count": count}
    else:
        manager.persistent_attributes = {"count": count}
    manager.save_persistent_attributes()


def _count(handler_input: HandlerInput) -> int:
    """Bump the per-session turn counter, so the baseline keeps session state like ours."""
    manager = handler_input.attributes_manager
    attributes: dict[str, Any] | None = manager.session_attributes
    if attributes is None:  # a request outside any session
        attributes = manager.session_attributes = {}
    previous = attributes.get("count")
    count = previous + 1 if isinstance(previous, int) else 1
    attributes["count"] = count
    return count


class Launch(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_request_type("LaunchRequest")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        _remember(handler_input, _count(handler_input), visit=True)
        builder = handler_input.response_builder
        return builder.speak("Welcome. Say next to begin.").ask(REPROMPT).response


class Answer(AbstractRequestHandler):
    """The one custom intent and AMAZON.NextIntent, answered alike with a fixed sentence."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(
            is_intent_name("AMAZON.NextIntent")(handler_input)
            or is_intent_name("WhyIntent")(handler_input)
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        _remember(handler_input, _count(handler_input))
        return handler_input.response_builder.speak(ANSWER).ask(REPROMPT).response


class Help(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_intent_name("AMAZON.HelpIntent")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        _count(handler_input)
        return handler_input.response_builder.speak("Say next, or stop.").ask(REPROMPT).response


class Stop(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(
            is_intent_name("AMAZON.StopIntent")(handler_input)
            or is_intent_name("AMAZON.CancelIntent")(handler_input)
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        builder = handler_input.response_builder
        return builder.speak("Goodbye.").set_should_end_session(True).response


class SessionEnded(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_request_type("SessionEndedRequest")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        return handler_input.response_builder.response


class CatchAll(AbstractRequestHandler):
    """Anything else (previous, repeat, ...): a fixed reply, so no request is an error."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return True

    def handle(self, handler_input: HandlerInput) -> Response:
        _count(handler_input)
        builder = handler_input.response_builder
        return builder.speak("Sorry, I can't do that. Say next.").ask(REPROMPT).response


class OnError(AbstractExceptionHandler):
    def can_handle(self, handler_input: HandlerInput, exception: Exception) -> bool:
        return True

    def handle(self, handler_input: HandlerInput, exception: Exception) -> Response:
        return handler_input.response_builder.speak("Sorry, something went wrong.").response


def build_skill() -> CustomSkill:
    builder = CustomSkillBuilder(persistence_adapter=SQLiteAdapter(_store_path()))
    for handler in (Launch(), Answer(), Help(), Stop(), SessionEnded(), CatchAll()):
        builder.add_request_handler(handler)
    builder.add_exception_handler(OnError())
    return builder.create()


_skill = build_skill()  # once per process, as in our door


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The same shape as `skill.lambda_function.lambda_handler`: event in, envelope out."""
    envelope = _skill.serializer.deserialize(payload=json.dumps(event), obj_type=RequestEnvelope)
    response = _skill.invoke(request_envelope=envelope, context=context)
    serialized: dict[str, Any] = _skill.serializer.serialize(response)  # type: ignore[assignment]
    return serialized


def create_app() -> Any:
    """A Flask app serving the baseline with flask-ask-sdk's SkillAdapter, verification off
    (as ours with --no-verify), plus GET /healthz: served the same way as ours."""
    from skill import oscrypto_compat

    oscrypto_compat.install()  # flask_ask_sdk cannot import on OpenSSL >= 3.0.10 without it

    from flask import Flask, jsonify
    from flask_ask_sdk.skill_adapter import (
        VERIFY_SIGNATURE_APP_CONFIG,
        VERIFY_TIMESTAMP_APP_CONFIG,
        SkillAdapter,
    )

    app = Flask("baseline_skill")
    app.config[VERIFY_SIGNATURE_APP_CONFIG] = False
    app.config[VERIFY_TIMESTAMP_APP_CONFIG] = False
    adapter = SkillAdapter(skill=_skill, skill_id="", app=app)
    adapter.register(app=app, route="/")
    app.add_url_rule("/healthz", "healthz", lambda: jsonify({"status": "ok"}), methods=["GET"])
    return app
