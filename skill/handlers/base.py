"""What every handler shares: matching by intent name and reading slots."""

from __future__ import annotations

from typing import ClassVar

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_slot
from ask_sdk_model import Response
from ask_sdk_model.slu.entityresolution import StatusCode

from skill.conversation import Conversation


class IntentHandler(AbstractRequestHandler):
    """Handles the intents named in `intents`; subclasses implement `answer`."""

    intents: ClassVar[tuple[str, ...]] = ()

    def can_handle(self, handler_input: HandlerInput) -> bool:
        # Every request asks every handler in turn: read the intent name directly rather
        # than building the SDK's predicate closures each time.
        request = handler_input.request_envelope.request
        intent = getattr(request, "intent", None)
        return (
            getattr(request, "object_type", None) == "IntentRequest"
            and getattr(intent, "name", None) in self.intents
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        return self.answer(Conversation.of(handler_input), handler_input)

    def answer(self, conversation: Conversation, handler_input: HandlerInput) -> Response:
        raise NotImplementedError


def slot_text(handler_input: HandlerInput, name: str) -> str | None:
    """What the runner said for a slot, as heard."""
    slot = get_slot(handler_input, name)
    value = slot.value if slot is not None else None
    return value.strip() if isinstance(value, str) and value.strip() else None


def slot_id(handler_input: HandlerInput, name: str) -> str | None:
    """The id of the custom slot value Alexa matched, or None when nothing matched."""
    slot = get_slot(handler_input, name)
    resolutions = slot.resolutions if slot is not None else None
    for authority in (resolutions.resolutions_per_authority or []) if resolutions else []:
        matched = (
            authority.status is not None and authority.status.code == StatusCode.ER_SUCCESS_MATCH
        )
        if matched and authority.values and authority.values[0].value is not None:
            return str(authority.values[0].value.id)
    return None


def named_step(conversation: Conversation, handler_input: HandlerInput) -> int | None:
    """The step number of the remedy the `remedy` slot names; None when nothing matched."""
    remedy_id = slot_id(handler_input, "remedy")
    return conversation.content.number_of(remedy_id) if remedy_id else None


def slot_number(handler_input: HandlerInput, name: str) -> int | None:
    """A built-in number or ordinal slot as an int (Alexa sends "3", or "?" when unsure)."""
    text = slot_text(handler_input, name)
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None
