"""Moving through the routine: next, previous, repeat, start over, go to a step."""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from skill import routine
from skill.conversation import Conversation
from skill.handlers.base import IntentHandler, named_step, slot_number, slot_text
from skill.routine import Move, Offer, Outcome


def read_move(conversation: Conversation, move: Move) -> Response:
    """Say what a move led to."""
    conversation.move_to(move.position)
    if move.outcome is Outcome.STEP:
        return conversation.say("step")
    if move.outcome is Outcome.PAST_END:
        return conversation.say("finished", offer=Offer.START_OVER)
    if move.outcome is Outcome.BEFORE_START:
        return conversation.say("at_start")
    return conversation.say("out_of_range")


class NextHandler(IntentHandler):
    intents = ("AMAZON.NextIntent",)

    def answer(self, conversation: Conversation, handler_input: HandlerInput) -> Response:
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
        return read_move(conversation, routine.start_over())


class RepeatHandler(IntentHandler):
    """Repeats the last thing said, whatever it was."""

    intents = ("AMAZON.RepeatIntent",)

    def answer(self, conversation: Conversation, handler_input: HandlerInput) -> Response:
        return conversation.repeat()


class GoToStepHandler(IntentHandler):
    """ "Go to step five", "the third one", "the last one"."""

    intents = ("GoToStepIntent",)

    def answer(self, conversation: Conversation, handler_input: HandlerInput) -> Response:
        total = conversation.content.total
        number = slot_number(handler_input, "number")
        if number is None:
            ordinal = slot_number(handler_input, "ordinal")
            number = None if ordinal is None else routine.resolve_ordinal(ordinal, total)
        if number is None:
            return conversation.say("out_of_range")
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
            return conversation.say("unknown_remedy", heard=slot_text(handler_input, "remedy"))
        return go_to_step(conversation, number)


class SkipRemedyHandler(IntentHandler):
    """ "Skip the massage": on to the step after the one named."""

    intents = ("SkipRemedyIntent",)

    def answer(self, conversation: Conversation, handler_input: HandlerInput) -> Response:
        number = named_step(conversation, handler_input)
        if number is None:
            return conversation.say("unknown_remedy", heard=slot_text(handler_input, "remedy"))
        return read_move(conversation, routine.next_step(number, conversation.content.total))


class ResumeHandler(IntentHandler):
    """ "Resume", "pick up where I left off": the current step, else the saved one, else
    the first."""

    intents = ("ResumeIntent",)

    def answer(self, conversation: Conversation, handler_input: HandlerInput) -> Response:
        if conversation.position is None:
            stored = conversation.stored_progress()
            saved = stored.step if stored is not None else None
            conversation.move_to(routine.clamp(saved, conversation.content.total) or 1)
        return conversation.say("step")
