"""One request's view of the conversation: where the runner is, and how to answer.

Handlers decide the move; a Conversation turns "say this kind of thing" into a full
response (speech, reprompt, card, session end) and keeps the session attributes,
which hold only plain JSON: the step number, the open yes/no offer, and the last
thing said (for "repeat that").
"""

from __future__ import annotations

import copy
from typing import Any

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_locale
from ask_sdk_model import Response
from ask_sdk_model.ui import SimpleCard

from skill import routine
from skill.content import Content, Remedy, content_for
from skill.routine import Offer

STEP = "step"
OFFER = "offer"
LAST = "last"

_KEEP = object()  # "leave the open offer as it is"


class Conversation:
    def __init__(self, handler_input: HandlerInput) -> None:
        self.handler_input = handler_input
        self._sessionless: dict[str, Any] = {}
        self.content: Content = content_for(get_locale(handler_input))
        attributes = self._session_attributes()
        self._as_received = copy.deepcopy(attributes)
        self.position = routine.clamp(attributes.get(STEP), self.content.total)
        self.offer = _read_offer(attributes.get(OFFER))
        self.last = _read_last(attributes.get(LAST))

    @classmethod
    def of(cls, handler_input: HandlerInput) -> Conversation:
        """The request's conversation, made once and shared by handlers and error handling."""
        request_attributes = handler_input.attributes_manager.request_attributes
        conversation = request_attributes.get("conversation")
        if not isinstance(conversation, Conversation):
            conversation = request_attributes["conversation"] = cls(handler_input)
        return conversation

    @property
    def remedy(self) -> Remedy | None:
        return None if self.position is None else self.content.remedy_at(self.position)

    def where(self) -> dict[str, Any]:
        """What every template may use to say where the runner is."""
        number, total = self.position, self.content.total
        if number is None:
            upcoming: Remedy | None = self.content.remedy_at(1)
        else:
            upcoming = self.content.remedy_at(number + 1) if number < total else None
        return {"number": number, "total": total, "remedy": self.remedy, "next": upcoming}

    def move_to(self, position: int | None) -> None:
        self.position = position

    def say(self, kind: str, *, offer: Any = None, **data: Any) -> Response:
        """Answer and wait for the runner. `offer` is the yes/no question this asks, if any.

        Before the routine has started every answer ends by offering to begin.
        """
        if offer is _KEEP:
            pass
        elif offer is None and self.position is None:
            self.offer = Offer.BEGIN
        else:
            self.offer = offer
        rendered = self.content.speech.render(
            kind, at=self.where(), offer=self.offer and self.offer.value, **data
        )
        if not rendered.reprompt:
            raise ValueError(f"response kind {kind!r} has no reprompt, but the session stays open")
        self.last = {"speech": rendered.speech, "reprompt": rendered.reprompt}
        builder = self.handler_input.response_builder
        builder.speak(rendered.speech).ask(rendered.reprompt)
        if rendered.card_title and rendered.card_text:
            builder.set_card(SimpleCard(title=rendered.card_title, content=rendered.card_text))
        return self._respond(end_session=False)

    def say_and_keep_offer(self, kind: str, **data: Any) -> Response:
        """Answer without changing the open question (fallback, a stray yes or no)."""
        return self.say(kind, offer=_KEEP, **data)

    def repeat(self) -> Response:
        if not self.last:
            return self.say("welcome", offer=Offer.BEGIN, first_time=False)
        self.handler_input.response_builder.speak(self.last["speech"]).ask(self.last["reprompt"])
        return self._respond(end_session=False)

    def finish(self, kind: str, **data: Any) -> Response:
        """Answer and end the session."""
        rendered = self.content.speech.render(kind, at=self.where(), offer=None, **data)
        self.offer = None
        self.handler_input.response_builder.speak(rendered.speech)
        return self._respond(end_session=True)

    def apologise(self) -> Response:
        """The error path: a short apology, the session and its state left as they were."""
        apology = self.content.apology
        attributes = self._session_attributes()
        attributes.clear()
        attributes.update(copy.deepcopy(self._as_received))
        builder = self.handler_input.response_builder
        builder.speak(apology.speech).ask(apology.reprompt or apology.speech)
        builder.set_should_end_session(False)
        return builder.response

    def _session_attributes(self) -> dict[str, Any]:
        """The session's attributes; a throwaway dict for a request outside any session."""
        manager = self.handler_input.attributes_manager
        if self.handler_input.request_envelope.session is None:
            return self._sessionless
        attributes = manager.session_attributes
        if attributes is None:
            attributes = manager.session_attributes = {}
        return attributes

    def _respond(self, *, end_session: bool) -> Response:
        attributes = self._session_attributes()
        attributes.clear()
        if self.position is not None:
            attributes[STEP] = self.position
        if self.offer is not None:
            attributes[OFFER] = self.offer.value
        if self.last:
            attributes[LAST] = self.last
        builder = self.handler_input.response_builder
        builder.set_should_end_session(end_session)
        return builder.response


def _read_offer(value: object) -> Offer | None:
    return Offer(value) if isinstance(value, str) and value in tuple(Offer) else None


def _read_last(value: object) -> dict[str, str] | None:
    if isinstance(value, dict) and all(
        isinstance(value.get(k), str) for k in ("speech", "reprompt")
    ):
        return {"speech": value["speech"], "reprompt": value["reprompt"]}
    return None
