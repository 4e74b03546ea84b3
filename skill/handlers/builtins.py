"""Alexa's built-in intents and requests: help, stop, yes/no, fallback, session end."""

from __future__ import annotations

import logging

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_request_type
from ask_sdk_model import Response

from skill import routine
from skill.conversation import Conversation
from skill.handlers.base import IntentHandler
from skill.handlers.navigation import read_move
from skill.routine import Offer

log = logging.getLogger(__name__)


class HelpHandler(IntentHandler):
    intents = ("AMAZON.HelpIntent",)

    def answer(self, conversation: Conversation, handler_input: HandlerInput) -> Response:
        return conversation.say_and_keep_offer("help")


class StopHandler(IntentHandler):
    """Stop, cancel, and closing politely ("thanks, that's all")."""

    intents = ("AMAZON.StopIntent", "AMAZON.CancelIntent", "FinishIntent")

    def answer(self, conversation: Conversation, handler_input: HandlerInput) -> Response:
        return conversation.finish("goodbye")


class YesHandler(IntentHandler):
    """Yes to the offer just made: pick up where the runner stopped, begin, or start over."""

    intents = ("AMAZON.YesIntent",)

    def answer(self, conversation: Conversation, handler_input: HandlerInput) -> Response:
        if conversation.offer is Offer.RESUME:
            return conversation.say("step")
        if conversation.offer in (Offer.BEGIN, Offer.START_OVER):
            return read_move(conversation, routine.start_over())
        return conversation.say_and_keep_offer("no_question")


class NoHandler(IntentHandler):
    """No to picking up where they stopped starts over; no to any other offer ends politely."""

    intents = ("AMAZON.NoIntent",)

    def answer(self, conversation: Conversation, handler_input: HandlerInput) -> Response:
        if conversation.offer is Offer.RESUME:
            return read_move(conversation, routine.start_over())
        if conversation.offer is not None:
            return conversation.finish("goodbye")
        return conversation.say_and_keep_offer("no_question")


class FallbackHandler(IntentHandler):
    intents = ("AMAZON.FallbackIntent",)

    def answer(self, conversation: Conversation, handler_input: HandlerInput) -> Response:
        return conversation.say_and_keep_offer("fallback")


class UnknownIntentHandler(AbstractRequestHandler):
    """Any other intent (a model newer than this code): treated like the fallback."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_request_type("IntentRequest")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        return Conversation.of(handler_input).say_and_keep_offer("fallback")


class ForgetProgressHandler(IntentHandler):
    """ "Forget my progress": delete what is stored for this runner."""

    intents = ("ForgetProgressIntent",)

    def answer(self, conversation: Conversation, handler_input: HandlerInput) -> Response:
        conversation.forget()
        return conversation.say("forgotten", offer=Offer.BEGIN)


class SessionEndedHandler(AbstractRequestHandler):
    """The session closed (timeout, "exit", or an error on the device): nothing to say,
    but the place is saved if an earlier write in the session did not get through."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_request_type("SessionEndedRequest")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        request = handler_input.request_envelope.request
        reason = getattr(request, "reason", None)
        error = getattr(request, "error", None)
        log.info(
            "session ended: reason=%s error=%s",
            getattr(reason, "value", reason),
            getattr(error, "message", None),
        )
        Conversation.of(handler_input).persist()
        return handler_input.response_builder.set_should_end_session(True).response
