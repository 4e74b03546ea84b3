"""Questions that do not move the runner: why, tell me more, what is there, heat or ice."""

from __future__ import annotations

from typing import Any, ClassVar

from skill import routine
from skill.answer import Decision, Measure
from skill.content import Remedy
from skill.handlers.base import (
    IntentHandler,
    aside,
    named_step,
    refuse,
    say,
    slot_means_topic,
    slot_text,
    told_in_words,
)
from skill.turn import Turn


class _AboutRemedyHandler(IntentHandler):
    """A question about one remedy: the one it names, or else the one last talked about,
    or the current step's. Subclasses say which answer (`kind`), or override `about`."""

    kind = ""

    def decide(self, turn: Turn, request: Any) -> Decision:
        heard, number = slot_text(request, "remedy"), named_step(turn, request)
        # Words that name no remedy ("how do I do that exactly") ask about the topic, unless
        # they tell of pain or soreness ("why does my knee hurt so much").
        if heard and number is None and not slot_means_topic(request, "remedy"):
            return told_in_words(turn, request) or refuse("unknown_remedy", turn.state)
        remedy = turn.content.remedy_at(number) if number else turn.topic
        if remedy is None:
            return say("why_which", turn.state)
        return self.about(turn, remedy, request)

    def about(self, turn: Turn, remedy: Remedy, request: Any) -> Decision:
        return say(self.kind, turn.state.about(remedy.id), remedy=remedy.id)


class WhyHandler(_AboutRemedyHandler):
    """ "Why?", "why does elevation help?" """

    intents = ("WhyIntent",)
    kind = "why"


class TellMeMoreHandler(_AboutRemedyHandler):
    """ "Tell me more", "any tips for foam rolling?" """

    intents = ("TellMeMoreIntent",)
    kind = "more"


def overview(turn: Turn) -> Decision:
    """All the steps, those left out this run named apart."""
    ids = [remedy.id for remedy in turn.content.remedies]
    left_out = [ids[n - 1] for n in sorted(turn.state.skipped)]
    listed = [i for i in ids if i not in left_out]
    return say("overview", turn.state, listed=listed, left_out=left_out)


class ListStepsHandler(IntentHandler):
    intents = ("ListStepsIntent",)

    def decide(self, turn: Turn, request: Any) -> Decision:
        return overview(turn)


class HowManyStepsHandler(IntentHandler):
    intents = ("HowManyStepsIntent",)

    def decide(self, turn: Turn, request: Any) -> Decision:
        return say("count", turn.state)


class WhatsLeftHandler(IntentHandler):
    intents = ("WhatsLeftIntent",)

    def decide(self, turn: Turn, request: Any) -> Decision:
        content = turn.content
        state = turn.state.moved_to(content.clamp(turn.known_position()))
        numbers = routine.remaining(state.position, content.total, state.skipped)
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
    """ "My knee really hurts", "I think I pulled something": sympathy, what the skill can
    and cannot offer, then the way back to the steps."""

    intents = ("PainIntent",)

    def decide(self, turn: Turn, request: Any) -> Decision:
        return say("safety", turn.state)


class MedicalQuestionHandler(IntentHandler):
    """ "Is that safe?", "are you a doctor?": general advice, not medical advice, with no
    sympathy for a pain nobody mentioned; the question open before stays open."""

    intents = ("MedicalQuestionIntent",)

    def decide(self, turn: Turn, request: Any) -> Decision:
        return aside("general_advice", turn.state)


class MeasureHandler(_AboutRemedyHandler):
    """ "How long should I sit in the ice bath?", "how much should I drink?": the article
    gives no time, amount, temperature or frequency; the answer says so, then what it does
    say about the remedy asked about (or the one talked about)."""

    intents = ("HowLongIntent", "HowMuchIntent", "HowColdIntent", "HowOftenIntent")
    measures: ClassVar[dict[str, Measure]] = {
        "HowLongIntent": Measure.TIME,
        "HowMuchIntent": Measure.AMOUNT,
        "HowColdIntent": Measure.TEMPERATURE,
        "HowOftenIntent": Measure.FREQUENCY,
    }

    def about(self, turn: Turn, remedy: Remedy, request: Any) -> Decision:
        measure = self.measures[request.intent.name].value
        return say("no_measure", turn.state.about(remedy.id), remedy=remedy.id, measure=measure)
