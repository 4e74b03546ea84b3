"""Moving through the routine: next, previous, repeat, start over, go to a step."""

from __future__ import annotations

from typing import Any

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from skill import routine
from skill.conversation import Conversation
from skill.dialogue import Offer
from skill.handlers.base import IntentHandler, named_step, slot_number
from skill.routine import Move, Outcome


def read_move(conversation: Conversation, move: Move, **data: Any) -> Response:
    """Say what a move led to (and that it led nowhere new, if so)."""
    stayed = move.position == conversation.position
    conversation.move_to(move.position)
    if move.outcome is Outcome.STEP:
        return conversation.say("step", stayed=stayed, **data)
    if move.outcome is Outcome.PAST_END:
        return conversation.say("finished", asks=Offer.START_OVER)
    if move.outcome is Outcome.BEFORE_START:
        return conversation.say("at_start")
    return conversation.say("out_of_range", asks=Offer.WHICH_STEP)


class NextHandler(IntentHandler):
    """Next; or, to "pick up at step 3, or start over?", carrying on where they were."""

    intents = ("AMAZON.NextIntent",)

    def answer(self, conversation: Conversation, handler_input: HandlerInput) -> Response:
        if conversation.offer is Offer.RESUME:
            return conversation.say("step", resumed=True)
        return read_move(
            conversation, routine.next_step(conversation.position, conversation.content.total)
        )


class PreviousHandler(IntentHandler):
    intents = ("AMAZON.PreviousIntent",)

    def answer(self, conversation: Conversation, handler_input: HandlerInput) -> Response:
        return read_move(
            conversation, routine.previous_step(conversation.position, conversation.content.total)
        )


class StartOverHandler(IntentHandler):
    intents = ("AMAZON.StartOverIntent",)

    def answer(self, conversation: Conversation, handler_input: HandlerInput) -> Response:
        return read_move(conversation, routine.start_over(), restarted=True)


class RepeatHandler(IntentHandler):
    """Repeats the last thing said, whatever it was."""

    intents = ("AMAZON.RepeatIntent",)

    def answer(self, conversation: Conversation, handler_input: HandlerInput) -> Response:
        return conversation.repeat()


class GoToStepHandler(IntentHandler):
    """ "Go to step five", "the third one" ("the last one" is GoToLastStepIntent)."""

    intents = ("GoToStepIntent",)

    def answer(self, conversation: Conversation, handler_input: HandlerInput) -> Response:
        number = slot_number(handler_input, "number")
        if number is None:
            number = slot_number(handler_input, "ordinal")
        if number is None:
            return conversation.say("out_of_range", asks=Offer.WHICH_STEP)
        return go_to_step(conversation, number)


def go_to_step(conversation: Conversation, number: int) -> Response:
    return read_move(
        conversation, routine.go_to(conversation.position, number, conversation.content.total)
    )


class GoToLastStepHandler(IntentHandler):
    """ "The last one", "skip to the end"."""

    intents = ("GoToLastStepIntent",)

    def answer(self, conversation: Conversation, handler_input: HandlerInput) -> Response:
        return go_to_step(conversation, conversation.content.total)


class GoToRemedyHandler(IntentHandler):
    """ "Skip to the ice bath", "tell me about the ice bath", "what should I eat": a
    question about a remedy moves the runner there and reads its step, every time."""

    intents = ("GoToRemedyIntent",)

    def answer(self, conversation: Conversation, handler_input: HandlerInput) -> Response:
        number = named_step(conversation, handler_input)
        if number is None:
            return conversation.say("unknown_remedy", remedies=conversation.content.remedies)
        return go_to_step(conversation, number)


class SkipRemedyHandler(IntentHandler):
    """ "Skip the massage": on to the step after the one named."""

    intents = ("SkipRemedyIntent",)

    def answer(self, conversation: Conversation, handler_input: HandlerInput) -> Response:
        number = named_step(conversation, handler_input)
        if number is None:
            return conversation.say("unknown_remedy", remedies=conversation.content.remedies)
        skipped = conversation.content.remedy_at(number)
        move = routine.next_step(number, conversation.content.total)
        return read_move(conversation, move, skipped=skipped)


class ResumeHandler(IntentHandler):
    """ "Resume", "pick up where I left off": the current step, else the saved one, else
    the first."""

    intents = ("ResumeIntent",)

    def answer(self, conversation: Conversation, handler_input: HandlerInput) -> Response:
        if conversation.position is None:
            saved = conversation.known_position()
            conversation.move_to(routine.clamp(saved, conversation.content.total) or 1)
        return conversation.say("step", resumed=True)
