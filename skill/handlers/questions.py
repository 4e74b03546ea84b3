"""Questions that do not move the runner: why, tell me more, what is there, heat or ice."""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from skill import routine
from skill.conversation import Conversation
from skill.handlers.base import IntentHandler, named_step, slot_text


class _AboutRemedyHandler(IntentHandler):
    kind = ""

    def answer(self, conversation: Conversation, handler_input: HandlerInput) -> Response:
        heard, number = slot_text(handler_input, "remedy"), named_step(conversation, handler_input)
        if heard and number is None:
            return conversation.say("unknown_remedy", heard=heard)
        # The remedy the question names, or else the current step's.
        remedy = conversation.content.remedy_at(number) if number else conversation.remedy
        if remedy is None:
            return conversation.say("why_which")
        return conversation.say(self.kind, remedy=remedy)


class WhyHandler(_AboutRemedyHandler):
    """ "Why?", "why does elevation help?" """

    intents = ("WhyIntent",)
    kind = "why"


class TellMeMoreHandler(_AboutRemedyHandler):
    """ "Tell me more", "any tips for foam rolling?" """

    intents = ("TellMeMoreIntent",)
    kind = "more"


class ListStepsHandler(IntentHandler):
    intents = ("ListStepsIntent",)

    def answer(self, conversation: Conversation, handler_input: HandlerInput) -> Response:
        return conversation.say("overview", remedies=conversation.content.remedies)


class HowManyStepsHandler(IntentHandler):
    intents = ("HowManyStepsIntent",)

    def answer(self, conversation: Conversation, handler_input: HandlerInput) -> Response:
        return conversation.say("count")


class WhatsLeftHandler(IntentHandler):
    intents = ("WhatsLeftIntent",)

    def answer(self, conversation: Conversation, handler_input: HandlerInput) -> Response:
        content = conversation.content
        numbers = routine.remaining(conversation.position, content.total)
        return conversation.say("left", remaining=[content.remedy_at(n) for n in numbers])


class HeatOrIceHandler(IntentHandler):
    intents = ("HeatOrIceIntent",)

    def answer(self, conversation: Conversation, handler_input: HandlerInput) -> Response:
        return conversation.say("heat_or_ice")


class WhereAmIHandler(IntentHandler):
    """ "Where was I?": the current step, or the saved one when the session has none."""

    intents = ("WhereAmIIntent",)

    def answer(self, conversation: Conversation, handler_input: HandlerInput) -> Response:
        if conversation.position is None:
            stored = conversation.stored_progress()
            saved = stored.step if stored is not None else None
            conversation.move_to(routine.clamp(saved, conversation.content.total))
        return conversation.say("where")


class PainHandler(IntentHandler):
    """ "My knee really hurts", "is this medical advice?": what the skill can and cannot
    offer, then the way back to the steps."""

    intents = ("PainIntent",)

    def answer(self, conversation: Conversation, handler_input: HandlerInput) -> Response:
        return conversation.say("safety")
