"""Opening the skill, and starting the routine by asking for it."""

from __future__ import annotations

from typing import Any

from skill import routine
from skill.answer import Decision, Keep
from skill.dialogue import Offer
from skill.handlers.base import Handler, IntentHandler, aside, finish, say
from skill.handlers.navigation import read_move
from skill.progress import Progress
from skill.turn import Turn


class LaunchHandler(Handler):
    """ "Alexa, open recovery coach": welcome back to a routine under way, with the choice
    to pick up or start over, or welcome and an offer to begin."""

    def can_handle(self, handler_input: Any) -> bool:
        request = handler_input.request_envelope.request
        return getattr(request, "object_type", None) == "LaunchRequest"

    def decide(self, turn: Turn, request: Any) -> Decision:
        saved = turn.saved or Progress()
        step = saved.resumable_step(turn.now, turn.content.total)
        if step is not None:
            state = turn.state.moved_to(step).with_skips(saved.skipped)
            return say("welcome_back", state, asks=Offer.RESUME)
        return say("welcome", turn.state.moved_to(None), asks=Offer.BEGIN, keep=Keep.CLEAR)


class StartRoutineHandler(IntentHandler):
    """ "My legs are sore": the first step, or the current one if the routine is under way."""

    intents = ("StartRoutineIntent",)

    def decide(self, turn: Turn, request: Any) -> Decision:
        if turn.position is None:
            return read_move(turn, routine.next_step(None, turn.content.total, turn.state.skipped))
        return aside("sore", turn.state)


class NavigateHomeHandler(IntentHandler):
    """ "Go home": Alexa leaves the skill for the device's home screen, so should it reach
    the skill, the session ends, and the saved place is kept for next time."""

    intents = ("AMAZON.NavigateHomeIntent",)

    def decide(self, turn: Turn, request: Any) -> Decision:
        return finish("goodbye", turn.state)
