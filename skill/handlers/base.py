"""What every handler shares: load, decide, compose; matching by intent; reading slots.

A handler only decides (`decide`: the turn as loaded and the request in, a `Decision`
out). The turn was loaded before it (skill.turn), the decision is composed into a
response in one step (skill.compose), and the turn is saved after it, on every path.
"""

from __future__ import annotations

from typing import Any, ClassVar

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from skill import slots
from skill.answer import Answer, Decision, Keep
from skill.compose import compose, respond
from skill.dialogue import Dialogue, Offer
from skill.turn import Turn, turn_of


class Handler(AbstractRequestHandler):
    """A request handler that decides; subclasses implement `can_handle` and `decide`."""

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = turn_of(handler_input)
        reply = compose(turn, self.decide(turn, handler_input.request_envelope.request))
        turn.outcome = reply.decision
        return respond(reply, handler_input.response_builder)

    def decide(self, turn: Turn, request: Any) -> Decision:
        raise NotImplementedError


class IntentHandler(Handler):
    """Handles the intents named in `intents`."""

    intents: ClassVar[tuple[str, ...]] = ()

    def can_handle(self, handler_input: HandlerInput) -> bool:
        # Every request asks every handler in turn: read the intent name directly rather
        # than building the SDK's predicate closures each time.
        request = handler_input.request_envelope.request
        intent = getattr(request, "intent", None)
        return (
            getattr(request, "object_type", None) == "IntentRequest"
            and getattr(intent, "name", None) in self.intents
        )


def say(
    kind: str,
    state: Dialogue,
    *,
    asks: Offer | None = None,
    keep: Keep = Keep.PLACE,
    **data: Any,
) -> Decision:
    """An answer of this kind that keeps the session open, closing with `asks` (or the
    question that fits where the runner is)."""
    return Decision(Answer(kind, data, asks=asks, notes=keep is not Keep.FORGET), state, keep)


def refuse(kind: str, state: Dialogue, *, asks: Offer | None = None) -> Decision:
    """ "That's not one of the steps": no agreement before it, and no note."""
    return Decision(Answer(kind, asks=asks, refuses=True, notes=False, repeatable=False), state)


def aside(kind: str, state: Dialogue, **data: Any) -> Decision:
    """Help and the like: not what "repeat that" repeats; the open question stays open."""
    return Decision(Answer(kind, data, keeps_question=True, repeatable=False), state)


def finish(kind: str, state: Dialogue) -> Decision:
    """An answer that ends the session (a goodbye carries no note)."""
    return Decision(Answer(kind, ends_session=True, repeatable=False, notes=False), state)


def slot_text(request: Any, name: str) -> str | None:
    """What the runner said for a slot, as heard."""
    return slots.text(request, name)


def slot_id(request: Any, name: str) -> str | None:
    """The id of the custom slot value Alexa matched, or None when nothing matched."""
    return slots.resolved_id(request, name)


def named_step(turn: Turn, request: Any, name: str = "remedy") -> int | None:
    """The step number of the remedy a slot names (Alexa's match, else the heard words
    folded: skill.slots); None when it names none."""
    remedy_id = slots.remedy_id(request, name)
    return turn.content.number_of(remedy_id) if remedy_id else None


def slot_number(request: Any, name: str) -> int | None:
    """A number or ordinal slot as an int: digits, number words or ordinal words."""
    return slots.number(request, name)


def told_in_words(
    turn: Turn, request: Any, name: str = "remedy", *, only_pain: bool = False
) -> Decision | None:
    """Words in a slot that name no remedy but tell of pain, ask about safety, or tell of
    soreness (Alexa's catch-all for a slot-only sample): answered as each; else None.
    With `only_pain`, only pain is answered (it comes before anything else)."""
    told = slots.told(request, name)
    if only_pain and told != "pain":
        return None
    if told == "pain":
        return say("safety", turn.state)
    if told == "medical":
        return aside("general_advice", turn.state)
    if told == "sore":
        return aside("sore", turn.state)
    return None


def slot_says_skip(request: Any, name: str) -> bool:
    """Whether a slot's words say to skip ("den kannst weglassen"), not to go somewhere."""
    return slots.says_skip(request, name)


def slot_ending_move(request: Any, name: str) -> str | None:
    """The move that ends a slot's words ("okay good go next"), or None."""
    return slots.ending_move(request, name)


def slot_move(request: Any, name: str) -> str | None:
    """The move a slot's words name: "next", "previous", "first" or "last"; else None."""
    return slots.move(request, name)


def slot_means_topic(request: Any, name: str) -> bool:
    """Whether a slot's words only point back at the topic ("that exactly")."""
    return slots.means_topic(request, name)
