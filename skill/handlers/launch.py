"""Opening the skill, and starting the routine by asking for it."""

from __future__ import annotations

import time

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_request_type
from ask_sdk_model import Response

from skill import routine
from skill.conversation import Conversation
from skill.handlers.base import IntentHandler
from skill.progress import Progress
from skill.routine import Offer


class LaunchHandler(AbstractRequestHandler):
    """ "Alexa, open recovery coach": welcome back to a routine under way, or welcome
    (with the not-medical-advice note the first time) and an offer to begin."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_request_type("LaunchRequest")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        conversation = Conversation.of(handler_input)
        progress = conversation.stored_progress() or Progress()
        conversation.introduced = True
        step = progress.resumable_step(int(time.time()), conversation.content.total)
        if step is not None:
            conversation.move_to(step)
            return conversation.say("welcome_back", offer=Offer.RESUME)
        conversation.discard_stored_step = True
        conversation.move_to(None)
        return conversation.say("welcome", offer=Offer.BEGIN, first_time=not progress.introduced)


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
