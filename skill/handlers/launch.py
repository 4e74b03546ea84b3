"""Opening the skill, and starting the routine by asking for it."""

from __future__ import annotations

import time

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_request_type
from ask_sdk_model import Response

from skill import routine
from skill.conversation import Conversation
from skill.dialogue import Offer
from skill.handlers.base import IntentHandler
from skill.handlers.navigation import read_move
from skill.progress import Progress


class LaunchHandler(AbstractRequestHandler):
    """ "Alexa, open recovery coach": welcome back to a routine under way, with the choice
    to pick up or start over, or welcome and an offer to begin."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_request_type("LaunchRequest")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        conversation = Conversation.of(handler_input)
        progress = conversation.stored_progress() or Progress()
        step = progress.resumable_step(int(time.time()), conversation.content.total)
        if step is not None:
            conversation.move_to(step)
            return conversation.say("welcome_back", asks=Offer.RESUME)
        conversation.discard_stored_step = True
        conversation.move_to(None)
        return conversation.say("welcome", asks=Offer.BEGIN)


class StartRoutineHandler(IntentHandler):
    """ "My legs are sore": the first step, or the current one if the routine is under way."""

    intents = ("StartRoutineIntent",)

    def answer(self, conversation: Conversation, handler_input: HandlerInput) -> Response:
        if conversation.position is None:
            return read_move(conversation, routine.start_over())
        return conversation.say("step", stayed=True)


class NavigateHomeHandler(IntentHandler):
    """ "Go home": Alexa leaves the skill for the device's home screen, so should it reach
    the skill, the session ends, and the saved place is kept for next time."""

    intents = ("AMAZON.NavigateHomeIntent",)

    def answer(self, conversation: Conversation, handler_input: HandlerInput) -> Response:
        return conversation.finish("goodbye")
