"""The AWS Lambda door: `skill.lambda_function.lambda_handler`."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from typing import Any

from ask_sdk_core.exceptions import SerializationException
from ask_sdk_core.skill import CustomSkill

from skill import logs, resources
from skill.app import shared_skill
from skill.content import content_for
from skill.envelope import read_event

log = logging.getLogger(__name__)

LambdaHandler = Callable[[dict[str, Any], Any], dict[str, Any]]


def handler_for(skill: CustomSkill) -> LambdaHandler:
    """A Lambda handler around a skill: event in, response envelope out."""

    def handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
        try:
            envelope = read_event(skill.serializer, event)
        except (SerializationException, TypeError, ValueError) as error:
            return unreadable(event, error)
        if envelope is None or envelope.request is None:
            return unreadable(event, ValueError("the event has no request"))
        response = skill.invoke(request_envelope=envelope, context=context)
        serialized: dict[str, Any] = skill.serializer.serialize(response)  # type: ignore[assignment]
        return serialized

    return handle


def unreadable(event: object, error: Exception) -> dict[str, Any]:
    """An event the SDK cannot read (a request type newer than ask-sdk-model, a garbled
    field): the short apology, the session kept open and its attributes handed back."""
    request = event.get("request") if isinstance(event, dict) else None
    request = request if isinstance(request, dict) else {}
    log.warning("request %s could not be read: %s", request.get("requestId"), error)
    locale = request.get("locale")
    apology = content_for(locale if isinstance(locale, str) else None).apology
    session = event.get("session") if isinstance(event, dict) else None
    attributes = session.get("attributes") if isinstance(session, dict) else None
    reply: dict[str, Any] = {
        "version": "1.0",
        "response": {
            "outputSpeech": {"type": "SSML", "ssml": f"<speak>{apology.speech}</speak>"},
            "reprompt": {
                "outputSpeech": {"type": "SSML", "ssml": f"<speak>{apology.reprompt}</speak>"}
            },
            "shouldEndSession": False,
        },
    }
    if isinstance(attributes, dict):
        reply["sessionAttributes"] = attributes
    return reply


def after_restore() -> None:
    """What must differ between execution environments restored from one SnapStart
    snapshot: the seed of `random` (the templates' variants would otherwise come in the
    same order everywhere), and the store's network client (credentials, connections),
    made afresh. SQLite and no store have nothing to redo."""
    random.seed()
    reconnect = getattr(shared_skill().persistence_adapter, "reconnect", None)
    if callable(reconnect):
        reconnect()


def _register_restore_hook() -> None:
    try:
        from snapshot_restore_py import register_after_restore  # Lambda's runtime only
    except ImportError:
        return  # not on Lambda (or a runtime without SnapStart): nothing is ever restored
    register_after_restore(after_restore)


# Built once per Lambda container, during its init phase; with SnapStart that is when the
# version is published, and the snapshot then holds the imports, the skill, and the
# default locale's templates and remedies, all loaded here rather than on a request.
logs.install()  # Lambda's runtime handler: every line capped, escaped, one line per event
lambda_handler = handler_for(shared_skill())
content_for(resources.DEFAULT_LOCALE)
_register_restore_hook()
