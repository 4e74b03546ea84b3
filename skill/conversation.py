"""One request's view of the conversation: where the runner is, and how to answer.

Handlers decide the move; a Conversation turns "say this kind of thing" into a full
response (speech, reprompt, card, session end) and keeps the session attributes,
which hold only plain JSON: the step number, the open yes/no offer, and the last
thing said (for "repeat that").

It also keeps the runner's progress between sessions, through the SDK's persistent
attributes: read once a session (what the store holds is then summed up in the session
attributes, so later turns need not ask again), written when the runner moves on. A store
that fails is logged once a request and otherwise ignored: the skill answers from the
session, and never writes over what it could not read.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from ask_sdk_core.exceptions import AttributesManagerException
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_locale, get_supported_interfaces
from ask_sdk_model import Response
from ask_sdk_model.ui import SimpleCard

from skill import routine
from skill.content import Content, Remedy, content_for
from skill.persistence.errors import CorruptRecord
from skill.progress import Progress
from skill.routine import Offer

log = logging.getLogger(__name__)

STEP = "step"
OFFER = "offer"
LAST = "last"
SAVED = "saved"  # what the store holds for this runner, as far as this session knows

_KEEP = object()  # "leave the open offer as it is"


class Conversation:
    def __init__(self, handler_input: HandlerInput) -> None:
        self.handler_input = handler_input
        self._sessionless: dict[str, Any] = {}
        self.content: Content = content_for(get_locale(handler_input))
        attributes = self._session_attributes()
        self.position = routine.clamp(attributes.get(STEP), self.content.total)
        self.offer = _read_offer(attributes.get(OFFER))
        self.last = _read_last(attributes.get(LAST))
        self.introduced = False  # the not-medical-advice note was said in this request
        self.discard_stored_step = False  # launch decided the stored step is stale or done
        self._stored = _read_saved(attributes.get(SAVED))
        # "unread", then "none" (no store), "ok" or "failed"
        self._store = "ok" if self._stored is not None else "unread"
        self._fault_logged = False
        self._forgotten = False

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
        if supports_apl(self.handler_input):
            from skill import screens  # only for devices with a screen

            directive = screens.render(
                kind,
                screens.ScreenWords.for_locale(self.content.locale),
                self.content.remedies,
                self.position,
                data.get("remedy"),
            )
            if directive is not None:
                builder.add_directive(directive)
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
        """The error path: a short apology, the session and its state left as they were
        (the attributes change only in `_respond`, the last thing an answer does)."""
        apology = self.content.apology
        builder = self.handler_input.response_builder
        builder.speak(apology.speech).ask(apology.reprompt or apology.speech)
        builder.set_should_end_session(False)
        return builder.response

    # Progress between sessions -------------------------------------------------------

    def stored_progress(self) -> Progress | None:
        """What the store holds for this runner; None without a working store."""
        if self._store == "unread":
            self._store = "ok"
            try:
                record = self.handler_input.attributes_manager.persistent_attributes
            except AttributesManagerException:
                self._store = "none"
                return None
            except CorruptRecord as error:
                self._store_fault("read", error)
                record = {}  # the store works: new progress may replace what did not parse
            except Exception as error:
                self._store = "failed"
                self._store_fault("read", error)
                return None
            if not isinstance(record, dict):
                self._store_fault("read", ValueError("the stored record is not an object"))
            self._stored = Progress.from_record(record, self.content.total)
        return self._stored if self._store == "ok" else None

    def persist(self) -> None:
        """Save the runner's place if it moved (or the note was heard) since it was stored."""
        stored = self.stored_progress()
        if stored is None or self._forgotten:
            return
        if self.position is not None:
            step, last = self.position, self.last
        elif self.discard_stored_step:
            step, last = None, None
        else:
            step, last = stored.step, stored.last
        introduced = stored.introduced or self.introduced
        if step == stored.step and introduced == stored.introduced:
            return
        progress = Progress(step=step, last=last, saved_at=int(time.time()), introduced=introduced)
        manager = self.handler_input.attributes_manager
        try:
            manager.persistent_attributes = progress.to_record()
            manager.save_persistent_attributes()
        except Exception as error:
            self._store_fault("write", error)
            return
        self._stored = progress

    def forget(self) -> None:
        """Delete what is stored for this runner, and keep nothing more this request."""
        self._forgotten = True
        self.move_to(None)
        try:
            self.handler_input.attributes_manager.delete_persistent_attributes()
        except AttributesManagerException:
            pass  # no store: nothing was kept
        except Exception as error:
            self._store_fault("delete", error)
        else:
            self._stored = Progress()

    def _store_fault(self, action: str, error: Exception) -> None:
        if self._fault_logged:
            return
        self._fault_logged = True
        request = self.handler_input.request_envelope.request
        log.warning(
            "progress store %s failed (request %s); answering from the session: %s",
            action,
            getattr(request, "request_id", None),
            error,
        )

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
        self.persist()
        state: dict[str, Any] = {}
        if self.position is not None:
            state[STEP] = self.position
        if self.offer is not None:
            state[OFFER] = self.offer.value
        if self.last:
            state[LAST] = self.last
        if self._store == "ok" and self._stored is not None:
            state[SAVED] = {"step": self._stored.step, "introduced": self._stored.introduced}
        attributes = self._session_attributes()
        attributes.clear()
        attributes.update(state)
        builder = self.handler_input.response_builder
        builder.set_should_end_session(end_session)
        return builder.response


def supports_apl(handler_input: HandlerInput) -> bool:
    """Whether the device shows APL screens (voice-only devices never load that code)."""
    try:
        interfaces = get_supported_interfaces(handler_input)
    except (AttributeError, TypeError):
        return False
    return getattr(interfaces, "alexa_presentation_apl", None) is not None


def _read_offer(value: object) -> Offer | None:
    return Offer(value) if isinstance(value, str) and value in tuple(Offer) else None


def _read_saved(value: object) -> Progress | None:
    if not isinstance(value, dict):
        return None
    step = value.get("step")
    return Progress(
        step=step if isinstance(step, int) and not isinstance(step, bool) else None,
        introduced=value.get("introduced") is True,
    )


def _read_last(value: object) -> dict[str, str] | None:
    if isinstance(value, dict) and all(
        isinstance(value.get(k), str) for k in ("speech", "reprompt")
    ):
        return {"speech": value["speech"], "reprompt": value["reprompt"]}
    return None
