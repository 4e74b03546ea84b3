"""Alexa's built-in intents and requests: help, stop, yes/no, fallback, session end."""

from __future__ import annotations

import logging
from typing import Any

from skill import routine
from skill.answer import Answer, Decision, Keep
from skill.dialogue import MissLevel, Offer
from skill.handlers.base import Handler, IntentHandler, aside, finish, refuse, say
from skill.handlers.navigation import next_step, read_move, start_over
from skill.handlers.questions import overview
from skill.turn import Turn

log = logging.getLogger(__name__)


class HelpHandler(IntentHandler):
    intents = ("AMAZON.HelpIntent",)

    def decide(self, turn: Turn, request: Any) -> Decision:
        return aside("help", turn.state)


class StopHandler(IntentHandler):
    """Stop, cancel, and closing politely ("thanks, that's all")."""

    intents = ("AMAZON.StopIntent", "AMAZON.CancelIntent", "FinishIntent")

    def decide(self, turn: Turn, request: Any) -> Decision:
        return finish("goodbye", turn.state)


class YesHandler(IntentHandler):
    """Yes (or OK) to the question just asked."""

    intents = ("AMAZON.YesIntent",)

    def decide(self, turn: Turn, request: Any) -> Decision:
        offer = turn.state.offer
        if offer is Offer.RESUME:
            return say("step", turn.state, resumed=True)
        if offer is Offer.BEGIN:
            return read_move(turn, routine.next_step(None, turn.content.total, turn.state.skipped))
        if offer is Offer.START_OVER:
            return start_over(turn)
        if offer is Offer.NEXT:
            return next_step(turn)
        if offer is Offer.FINISH:
            return finish("goodbye", turn.state)
        if offer is Offer.LIST:
            return overview(turn)
        return aside("no_question", turn.state)


class NoHandler(IntentHandler):
    """No to the question just asked: to picking up, a fresh start (and it says so); to
    moving on, the session closes with the place kept and how to come back; to finishing,
    which step then; to beginning or starting over, goodbye."""

    intents = ("AMAZON.NoIntent",)

    def decide(self, turn: Turn, request: Any) -> Decision:
        offer = turn.state.offer
        if offer is Offer.RESUME:
            return start_over(turn, fresh=True)
        if offer is Offer.NEXT:  # not ready to move on: the place is kept for later
            return finish("paused", turn.state)
        if offer is Offer.FINISH:  # not finishing: which step, then?
            return say("no_rush", turn.state, asks=Offer.WHICH_STEP)
        if offer in (Offer.LIST, Offer.WHICH_STEP):
            return say("no_rush", turn.state)
        if offer is not None:
            return finish("goodbye", turn.state)
        return aside("no_question", turn.state)


def missed(turn: Turn) -> Decision:
    """Nothing was understood: a re-steer that fits the moment, then examples, then the
    list or help, never the same words twice in a row (the template counts the misses)."""
    state = turn.state.missed()
    level = state.miss_level()
    asks = Offer.LIST if level is MissLevel.OFFER_LIST else None
    answer = Answer(
        "fallback",
        {"level": level.value},
        asks=asks,
        keeps_question=asks is None,
        repeatable=False,
        understood=False,
        notes=False,
    )
    return Decision(answer, state)


class FallbackHandler(IntentHandler):
    intents = ("AMAZON.FallbackIntent",)

    def decide(self, turn: Turn, request: Any) -> Decision:
        return missed(turn)


class UnknownIntentHandler(Handler):
    """An intent this code does not know (a model newer than the code): understood, but
    not something the skill does, so it says so and what it can do."""

    def can_handle(self, handler_input: Any) -> bool:
        request = handler_input.request_envelope.request
        return getattr(request, "object_type", None) == "IntentRequest"

    def decide(self, turn: Turn, request: Any) -> Decision:
        return refuse("not_here", turn.state)


class ForgetProgressHandler(IntentHandler):
    """ "Forget my progress": delete what is stored for this runner."""

    intents = ("ForgetProgressIntent",)

    def decide(self, turn: Turn, request: Any) -> Decision:
        return say("forgotten", turn.state.moved_to(None), asks=Offer.BEGIN, keep=Keep.FORGET)


class SessionEndedHandler(Handler):
    """The session closed (timeout, "exit", or an error on the device): nothing to say;
    the turn is saved like any other (a place an earlier write missed is saved now)."""

    def can_handle(self, handler_input: Any) -> bool:
        request = handler_input.request_envelope.request
        return getattr(request, "object_type", None) == "SessionEndedRequest"

    def decide(self, turn: Turn, request: Any) -> Decision:
        reason = getattr(request, "reason", None)
        error = getattr(request, "error", None)
        log.info(
            "session ended: reason=%s error=%s",
            getattr(reason, "value", reason),
            getattr(error, "message", None),
        )
        return Decision(Answer("", silent=True, repeatable=False), turn.state)
