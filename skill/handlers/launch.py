"""Opening the skill, and starting the routine by asking for it."""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_request_type
from ask_sdk_model import Response

from skill import routine
from skill.conversation import Conversation
from skill.handlers.base import IntentHandler
from skill.routine import Offer


class LaunchHandler(AbstractRequestHandler):
    """ "Alexa, open recovery coach": welcome, the not-medical-advice note, and an offer."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_request_type("LaunchRequest")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        conversation = Conversation.of(handler_input)
        conversation.move_to(None)
        return conversation.say("welcome", offer=Offer.BEGIN, first_time=True)


class StartRoutineHandler(IntentHandler):
    """ "My legs are sore": the first step, or the current one if the routine is under way."""

    intents = ("StartRoutineIntent",)

    def answer(self, conversation: Conversation, handler_input: HandlerInput) -> Response:
        if conversation.position is None:
            conversation.move_to(routine.start_over().position)
        return conversation.say("step")


class NavigateHomeHandler(IntentHandler):
    """Back to the skill's own start: the welcome, without losing the place."""

    intents = ("AMAZON.NavigateHomeIntent",)

    def answer(self, conversation: Conversation, handler_input: HandlerInput) -> Response:
        return conversation.say("welcome", offer=Offer.BEGIN, first_time=False)
