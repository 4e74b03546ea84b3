"""Moving through the routine: next, previous, repeat, start over, go to a step."""

from __future__ import annotations

from typing import Any

from skill import routine
from skill.answer import Answer, Decision
from skill.dialogue import Dialogue, Offer
from skill.handlers.base import (
    IntentHandler,
    named_step,
    refuse,
    say,
    slot_ending_move,
    slot_means_topic,
    slot_move,
    slot_number,
    slot_says_skip,
    slot_text,
    told_in_words,
)
from skill.routine import Move, Outcome
from skill.turn import Turn


def read_move(turn: Turn, move: Move, state: Dialogue | None = None, **data: Any) -> Decision:
    """Say what a move led to (and that it led nowhere new, if so)."""
    stayed = move.position == turn.position
    state = (state or turn.state).moved_to(move.position)
    if move.outcome is Outcome.STEP:
        return say("step", state, stayed=stayed, **data)
    if move.outcome is Outcome.PAST_END:
        return say("finished", state, asks=Offer.START_OVER)
    if move.outcome is Outcome.BEFORE_START:
        return refuse("at_start", state)
    return refuse("out_of_range", state, asks=Offer.WHICH_STEP)


def go_to_step(turn: Turn, number: int) -> Decision:
    """A step by number or name: read it, and back in the run if it was left out."""
    move = routine.go_to(turn.position, number, turn.content.total)
    return read_move(turn, move, turn.state.bringing_back(move.position))


def next_step(turn: Turn) -> Decision:
    if turn.state.offer is Offer.RESUME:
        return say("step", turn.state, resumed=True)
    skipped = turn.state.skipped
    return read_move(turn, routine.next_step(turn.position, turn.content.total, skipped))


def previous_step(turn: Turn) -> Decision:
    skipped = turn.state.skipped
    return read_move(turn, routine.previous_step(turn.position, turn.content.total, skipped))


def start_over(turn: Turn, **data: Any) -> Decision:
    """The first step, with nothing left out any more."""
    return read_move(turn, routine.start_over(), turn.state.with_skips(frozenset()), **data)


def make_move(turn: Turn, move: str) -> Decision:
    """A move named in words: "next", "previous", "first" or "last"."""
    if move == "next":
        return next_step(turn)
    if move == "previous":
        return previous_step(turn)
    return go_to_step(turn, 1 if move == "first" else turn.content.total)


class NextHandler(IntentHandler):
    """Next; or, to "pick up at step 3, or start over?", carrying on where they were."""

    intents = ("AMAZON.NextIntent",)

    def decide(self, turn: Turn, request: Any) -> Decision:
        return next_step(turn)


class PreviousHandler(IntentHandler):
    intents = ("AMAZON.PreviousIntent",)

    def decide(self, turn: Turn, request: Any) -> Decision:
        return previous_step(turn)


class StartOverHandler(IntentHandler):
    intents = ("AMAZON.StartOverIntent",)

    def decide(self, turn: Turn, request: Any) -> Decision:
        return start_over(turn, restarted=True)


class RepeatHandler(IntentHandler):
    """The last real answer again, rendered afresh (skill.compose)."""

    intents = ("AMAZON.RepeatIntent",)

    def decide(self, turn: Turn, request: Any) -> Decision:
        return Decision(Answer("again", repeats=True), turn.state)


class GoToStepHandler(IntentHandler):
    """ "Go to step five", "the third one" ("the last one" is GoToLastStepIntent)."""

    intents = ("GoToStepIntent",)

    def decide(self, turn: Turn, request: Any) -> Decision:
        # Alexa may fill a number or ordinal slot with words: a move ("next", "the one
        # before"), a number word ("seven"), or a remedy ("the warm bath one").
        for name in ("ordinal", "number"):
            move = slot_move(request, name)
            if move is not None:
                return make_move(turn, move)
        for name in ("number", "ordinal"):
            number = slot_number(request, name)
            if number is None:
                number = named_step(turn, request, name)
            if number is not None:
                return go_to_step(turn, number)
        return refuse("out_of_range", turn.state, asks=Offer.WHICH_STEP)


class GoToLastStepHandler(IntentHandler):
    """ "The last one", "skip to the end"."""

    intents = ("GoToLastStepIntent",)

    def decide(self, turn: Turn, request: Any) -> Decision:
        return go_to_step(turn, turn.content.total)


class GoToRemedyHandler(IntentHandler):
    """ "Skip to the ice bath", "tell me about the ice bath", "what should I eat": a
    question about a remedy moves the runner there and reads its step, every time."""

    intents = ("GoToRemedyIntent",)

    def decide(self, turn: Turn, request: Any) -> Decision:
        # Alexa passes on whole sentences it did not understand. Pain is heard first, even
        # beside a remedy ("my knee hurts after the ice bath"); then one that says to skip
        # skips ("das mit der massage überspring mal", "den kannst weglassen").
        pain = told_in_words(turn, request, only_pain=True)
        if pain is not None:
            return pain
        number = named_step(turn, request)
        if slot_says_skip(request, "remedy"):
            return skip_step(turn, number if number is not None else turn.position)
        if number is not None:
            return go_to_step(turn, number)
        # Words that name no remedy: pain, soreness, or a move at their end ("okay good,
        # go next").
        told = told_in_words(turn, request)
        if told is not None:
            return told
        move = slot_ending_move(request, "remedy")
        if move is not None:
            return make_move(turn, move)
        return refuse("unknown_remedy", turn.state)


class SkipRemedyHandler(IntentHandler):
    """ "Skip the massage": said at the massage, on to the next step; said of any other,
    the massage is left out of this run (next, the list and what is left pass it over)
    until the runner goes to it or starts over."""

    intents = ("SkipRemedyIntent",)

    def decide(self, turn: Turn, request: Any) -> Decision:
        number = named_step(turn, request)
        # No remedy named, or words that point back at the step ("überspring den"): this one.
        if number is None and (
            not slot_text(request, "remedy") or slot_means_topic(request, "remedy")
        ):
            number = turn.position
        return skip_step(turn, number)


def skip_step(turn: Turn, number: int | None) -> Decision:
    """Skipping a step: the current one moves on; any other is left out of this run."""
    if number is None:
        return refuse("unknown_remedy", turn.state)
    skipped = turn.content.remedy_at(number).id
    if number == turn.position:
        move = routine.next_step(number, turn.content.total, turn.state.skipped)
        return read_move(turn, move, skipped=skipped)
    return say("left_out", turn.state.leaving_out(number), remedy=skipped)


class ResumeHandler(IntentHandler):
    """ "Resume", "pick up where I left off": the current step, else the saved one, else
    the first."""

    intents = ("ResumeIntent",)

    def decide(self, turn: Turn, request: Any) -> Decision:
        state = turn.state
        if turn.position is None:
            state = state.moved_to(turn.content.clamp(turn.known_position()) or 1)
        return say("step", state, resumed=True)
