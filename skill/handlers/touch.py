"""Touches on a screen: the same moves, through the same code, as saying them."""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_request_type
from ask_sdk_model import Response

from skill.conversation import Conversation
from skill.handlers.navigation import NextHandler, PreviousHandler, go_to_step


class TouchHandler(AbstractRequestHandler):
    """An APL UserEvent from the documents in responses/apl/: ["next"], ["previous"],
    or ["goto", N]. Anything else (an old or foreign document) gets the fallback."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_request_type("Alexa.Presentation.APL.UserEvent")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        conversation = Conversation.of(handler_input)
        arguments = getattr(handler_input.request_envelope.request, "arguments", None) or []
        move = arguments[0] if arguments else None
        if move == "next":
            return NextHandler().answer(conversation, handler_input)
        if move == "previous":
            return PreviousHandler().answer(conversation, handler_input)
        if move == "goto" and len(arguments) > 1:
            try:
                return go_to_step(conversation, int(arguments[1]))
            except (TypeError, ValueError):
                pass
        level = conversation.miss()
        return conversation.say("fallback", keep_offer=True, level=level.value, real=False)
