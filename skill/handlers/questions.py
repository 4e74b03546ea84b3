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
            return conversation.say("unknown_remedy", remedies=conversation.content.remedies)
        # The remedy the question names, or else the one last talked about, or the step's.
        remedy = conversation.content.remedy_at(number) if number else conversation.topic
        if remedy is None:
            return conversation.say("why_which")
        conversation.talk_about(remedy)
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
        conversation.move_to(routine.clamp(conversation.known_position(), content.total))
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
        total = conversation.content.total
        conversation.move_to(routine.clamp(conversation.known_position(), total))
        return conversation.say("where")


class PainHandler(IntentHandler):
    """ "My knee really hurts", "is this medical advice?": what the skill can and cannot
    offer, then the way back to the steps."""

    intents = ("PainIntent",)

    def answer(self, conversation: Conversation, handler_input: HandlerInput) -> Response:
        return conversation.say("safety")
