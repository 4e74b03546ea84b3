"""COMPOSE: a decided answer and its turn become the response, in one pure step: speech and
closing question, the note on first contact, a lead before words just heard, reprompt,
card and screen, and the dialogue as it stands after. No store: `skill.turn` does that."""

from __future__ import annotations

from typing import Any, NamedTuple

from ask_sdk_model import Response
from ask_sdk_model.ui import SimpleCard

from skill.answer import Answer, Decision, Measure
from skill.content import Content, Place
from skill.dialogue import Dialogue, LastAnswer, MissLevel, Offer, closing_offer
from skill.turn import Turn

# Template data that names remedies by id (rendered with the remedies themselves).
_REMEDY_KEYS = ("remedy", "skipped")
_REMEDY_LIST_KEYS = ("remaining", "listed", "left_out")
# Template data that is one of a few known words.
_CHOICES = {"level": {m.value for m in MissLevel}, "measure": {m.value for m in Measure}}


class Reply(NamedTuple):
    speech: str
    reprompt: str | None
    card: tuple[str, str] | None
    directive: Any  # an APL RenderDocument directive, or None
    ends_session: bool
    decision: Decision  # with the dialogue as it stands after this answer


def compose(turn: Turn, decision: Decision) -> Reply:
    answer, state = decision.answer, decision.state
    if answer.silent:
        return Reply("", None, None, None, True, decision)
    if answer.repeats:
        return _repeat(turn, state)
    if answer.understood:
        state = state.understood()
    offer = None
    if not answer.ends_session:
        offer = state.offer if answer.keeps_question else answer.asks
        offer = offer or closing_offer(state.position, turn.content.total, state.skipped)
    introduced = state.noted or (turn.saved is not None and turn.saved.introduced)
    first_contact = answer.notes and not introduced  # never before a goodbye, forget or miss
    data = {**answer.data, "first_contact": first_contact}
    at = turn.content.where(state.position, state.skipped)
    rendered = render(answer.kind, turn.content, at, offer, state.turns % 6, data)
    speech = rendered.speech
    if first_contact:  # where the template placed the note, or else first
        note = render("note", turn.content, at, None, 0, {}).speech
        speech = speech if note in speech else f"{note} {speech}"
        state = state.with_note_said()
    if state.would_repeat(speech):  # never the same words twice in a row
        lead_data = {"refusing": answer.refuses}
        lead = render("again", turn.content, at, offer, state.turns % 6, lead_data).speech
        speech = f"{lead} {speech}"
    last = None
    if answer.repeatable and not answer.ends_session:
        last = LastAnswer(answer.kind, dict(answer.data), offer, state.position, state.turns % 6)
    state = state.answered(speech, offer, last)
    decided = Decision(decision.answer, state, decision.keep)
    if answer.ends_session:
        return Reply(speech, None, None, None, True, decided)
    if not rendered.reprompt:
        raise ValueError(
            f"response kind {answer.kind!r} has no reprompt, but the session stays open"
        )
    card = (
        (rendered.card_title, rendered.card_text)
        if rendered.card_title and rendered.card_text
        else None
    )
    directive = _screen(turn, answer.kind, state, data) if turn.screen else None
    return Reply(speech, rendered.reprompt, card, directive, False, decided)


def _repeat(turn: Turn, state: Dialogue) -> Reply:
    """The last real answer again, rendered afresh from its kind and data (never text
    from the session), led by a few words; or, with nothing said yet, the welcome."""
    last = state.last
    if last is None or last.kind not in turn.content.speech.kinds:
        return compose(turn, Decision(Answer("welcome", asks=Offer.BEGIN), state))
    position = turn.content.clamp(last.position)
    at = turn.content.where(position, state.skipped)
    rendered = render(last.kind, turn.content, at, last.offer, last.variant, last.data)
    lead = render("again", turn.content, at, last.offer, state.turns % 6, {}).speech
    speech = f"{lead} {rendered.speech}"
    state = state.understood().answered(speech, last.offer, None)
    reprompt = rendered.reprompt or render("help", turn.content, at, last.offer, 0, {}).reprompt
    if not isinstance(reprompt, str):
        reprompt = reprompt.reprompt
    return Reply(speech, reprompt, None, None, False, Decision(Answer("again"), state))


def render(
    kind: str, content: Content, at: Place, offer: Offer | None, variant: int, data: Any
) -> Any:
    return content.speech.render(
        kind,
        at=at,
        offer=offer and offer.value,
        # One of a few variants by turn; modulo 6 (every count of options up to three
        # divides it) so that rendered answers are reused rather than redone per turn.
        variant=variant,
        **template_data(content, data),
    )


def template_data(content: Content, data: dict[str, Any]) -> dict[str, Any]:
    """An answer's plain data as its template reads it: remedy ids become remedies, and
    only flags, small numbers and known levels pass (nothing else reaches SSML)."""
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key in _REMEDY_KEYS:
            remedy = content.remedy(value)
            if remedy is not None:
                values[key] = remedy
        elif key in _REMEDY_LIST_KEYS and isinstance(value, list):
            values[key] = [r for r in map(content.remedy, value) if r is not None]
        elif isinstance(value, bool | int) or value in _CHOICES.get(key, ()):
            values[key] = value
    return values


def _screen(turn: Turn, kind: str, state: Dialogue, data: dict[str, Any]) -> Any:
    from skill import screens  # only for devices with a screen

    words = screens.ScreenWords.for_locale(turn.content.locale)
    remedy = turn.content.remedy(data.get("remedy"))
    remedies = turn.content.remedies
    return screens.render(kind, words, remedies, state.position, remedy, state.skipped)


def respond(reply: Reply, builder: Any) -> Response:
    """The reply as the SDK's response."""
    if reply.speech:
        builder.speak(reply.speech)
    if reply.reprompt:
        builder.ask(reply.reprompt)
    if reply.card:
        builder.set_card(SimpleCard(title=reply.card[0], content=reply.card[1]))
    if reply.directive is not None:
        builder.add_directive(reply.directive)
    response: Response = builder.set_should_end_session(reply.ends_session).response
    return response
