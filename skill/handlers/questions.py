"""Questions that do not move the runner: why, tell me more, what is there, heat or ice."""

from __future__ import annotations

from typing import Any

from skill import routine
from skill.answer import Decision
from skill.handlers.base import IntentHandler, named_step, say, slot_means_topic, slot_text
from skill.turn import Turn


class _AboutRemedyHandler(IntentHandler):
    kind = ""

    def decide(self, turn: Turn, request: Any) -> Decision:
        heard, number = slot_text(request, "remedy"), named_step(turn, request)
        # The remedy the question names, or else the one last talked about, or the step's:
        # words that name no remedy ("how do I do that exactly") ask about the topic.
        if heard and number is None and not slot_means_topic(request, "remedy"):
            return say("unknown_remedy", turn.state)
        remedy = turn.content.remedy_at(number) if number else turn.topic
        if remedy is None:
            return say("why_which", turn.state)
        return say(self.kind, turn.state.about(remedy.id), remedy=remedy.id)


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

    def decide(self, turn: Turn, request: Any) -> Decision:
        return say("overview", turn.state)


class HowManyStepsHandler(IntentHandler):
    intents = ("HowManyStepsIntent",)

    def decide(self, turn: Turn, request: Any) -> Decision:
        return say("count", turn.state)


class WhatsLeftHandler(IntentHandler):
    intents = ("WhatsLeftIntent",)

    def decide(self, turn: Turn, request: Any) -> Decision:
        content = turn.content
        state = turn.state.moved_to(content.clamp(turn.known_position()))
        numbers = routine.remaining(state.position, content.total)
        return say("left", state, remaining=[content.remedy_at(n).id for n in numbers])


class HeatOrIceHandler(IntentHandler):
    intents = ("HeatOrIceIntent",)

    def decide(self, turn: Turn, request: Any) -> Decision:
        return say("heat_or_ice", turn.state)


class WhereAmIHandler(IntentHandler):
    """ "Where was I?": the current step, or the saved one when the session has none."""

    intents = ("WhereAmIIntent",)

    def decide(self, turn: Turn, request: Any) -> Decision:
        return say("where", turn.state.moved_to(turn.content.clamp(turn.known_position())))


class PainHandler(IntentHandler):
    """ "My knee really hurts", "is this medical advice?": what the skill can and cannot
    offer, then the way back to the steps."""

    intents = ("PainIntent",)

    def decide(self, turn: Turn, request: Any) -> Decision:
        return say("safety", turn.state)
