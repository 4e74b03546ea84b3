"""Questions that do not move the runner: why, tell me more, what is there, heat or ice."""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from skill import routine
from skill.content import Remedy
from skill.conversation import Conversation
from skill.handlers.base import IntentHandler, slot_id, slot_text


def asked_remedy(conversation: Conversation, handler_input: HandlerInput) -> Remedy | None:
    """The remedy a question names, or else the current step's."""
    remedy_id = slot_id(handler_input, "remedy")
    number = conversation.content.number_of(remedy_id) if remedy_id else None
    return conversation.content.remedy_at(number) if number else conversation.remedy


class _AboutRemedyHandler(IntentHandler):
    kind = ""

    def answer(self, conversation: Conversation, handler_input: HandlerInput) -> Response:
        if slot_text(handler_input, "remedy") and not slot_id(handler_input, "remedy"):
            return conversation.say("unknown_remedy", heard=slot_text(handler_input, "remedy"))
        remedy = asked_remedy(conversation, handler_input)
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
