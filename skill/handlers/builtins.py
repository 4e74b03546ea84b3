"""Alexa's built-in intents and requests: help, stop, yes/no, fallback, session end."""

from __future__ import annotations

import logging

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_request_type
from ask_sdk_model import Response

from skill import routine
from skill.conversation import Conversation
from skill.dialogue import MissLevel, Offer
from skill.handlers.base import IntentHandler
from skill.handlers.navigation import read_move

log = logging.getLogger(__name__)


class HelpHandler(IntentHandler):
    intents = ("AMAZON.HelpIntent",)

    def answer(self, conversation: Conversation, handler_input: HandlerInput) -> Response:
        return conversation.say("help", keep_offer=True, real=False)


class StopHandler(IntentHandler):
    """Stop, cancel, and closing politely ("thanks, that's all")."""

    intents = ("AMAZON.StopIntent", "AMAZON.CancelIntent", "FinishIntent")

    def answer(self, conversation: Conversation, handler_input: HandlerInput) -> Response:
        return conversation.finish("goodbye")


class YesHandler(IntentHandler):
    """Yes (or OK) to the question just asked."""

    intents = ("AMAZON.YesIntent",)

    def answer(self, conversation: Conversation, handler_input: HandlerInput) -> Response:
        offer = conversation.offer
        total = conversation.content.total
        if offer is Offer.RESUME:
            return conversation.say("step", resumed=True)
        if offer in (Offer.BEGIN, Offer.START_OVER):
            return read_move(conversation, routine.start_over())
        if offer is Offer.NEXT:
            return read_move(conversation, routine.next_step(conversation.position, total))
        if offer is Offer.FINISH:
            return conversation.finish("goodbye")
        if offer is Offer.LIST:
            return conversation.say("overview", remedies=conversation.content.remedies)
        return conversation.say("no_question", keep_offer=True, real=False)


class NoHandler(IntentHandler):
    """No to the question just asked: to picking up, a fresh start (and it says so); to
    moving on or finishing, no rush; to beginning or starting over, goodbye."""

    intents = ("AMAZON.NoIntent",)

    def answer(self, conversation: Conversation, handler_input: HandlerInput) -> Response:
        offer = conversation.offer
        if offer is Offer.RESUME:
            return read_move(conversation, routine.start_over(), fresh=True)
        if offer in (Offer.NEXT, Offer.FINISH, Offer.LIST, Offer.WHICH_STEP):
            return conversation.say("no_rush")
        if offer is not None:
            return conversation.finish("goodbye")
        return conversation.say("no_question", keep_offer=True, real=False)


class FallbackHandler(IntentHandler):
    """Nothing was understood: a re-steer that fits the moment, then examples, then the
    list or help, never the same words twice in a row (the template counts the misses)."""

    intents = ("AMAZON.FallbackIntent",)

    def answer(self, conversation: Conversation, handler_input: HandlerInput) -> Response:
        level = conversation.miss()
        if level is MissLevel.OFFER_LIST:
            return conversation.say("fallback", asks=Offer.LIST, level=level.value, real=False)
        return conversation.say("fallback", keep_offer=True, level=level.value, real=False)


class UnknownIntentHandler(AbstractRequestHandler):
    """An intent this code does not know (a model newer than the code): understood, but
    not something the skill does, so it says so and what it can do."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_request_type("IntentRequest")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        return Conversation.of(handler_input).say("not_here", real=False)


class ForgetProgressHandler(IntentHandler):
    """ "Forget my progress": delete what is stored for this runner."""

    intents = ("ForgetProgressIntent",)

    def answer(self, conversation: Conversation, handler_input: HandlerInput) -> Response:
        conversation.forget()
        return conversation.say("forgotten", asks=Offer.BEGIN)


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
