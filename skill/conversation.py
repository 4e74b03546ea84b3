"""One request's view of the conversation: the dialogue state, and how to answer.

Handlers decide the move; a Conversation turns "say this kind of thing" into a full
response (speech, reprompt, card, screen, session end). The state is one `Dialogue`
(skill/dialogue.py) read from the session attributes at the start of the request and
written back, with the runner's saved progress, by `keep()` at the end of every turn:
one place, which the app calls after every handled request (skill/app.py).

Progress between sessions goes through the SDK's persistent attributes: read once a
session (what the store holds is then summed up in the session attributes, so later
turns need not ask again), written when the runner moves on. A store that fails is
logged once a request and otherwise ignored: the skill answers from the session, and
never writes over what it could not read.
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

from skill.content import Content, Remedy, content_for
from skill.dialogue import Dialogue, MissLevel, Offer, Said, closing_offer
from skill.persistence.errors import CorruptRecord
from skill.progress import Progress

log = logging.getLogger(__name__)

SAVED = "saved"  # what the store holds for this runner, as far as this session knows


class Conversation:
    def __init__(self, handler_input: HandlerInput) -> None:
        self.handler_input = handler_input
        self._sessionless: dict[str, Any] = {}
        self.content: Content = content_for(get_locale(handler_input))
        attributes = self._session_attributes()
        ids = {remedy.id for remedy in self.content.remedies}
        self.state = Dialogue.from_attributes(attributes, self.content.total, ids)
        self.discard_stored_step = False  # launch decided the stored step is stale or done
        self._missed = False  # this turn was not understood
        self._answered = False  # this turn's answer is in the state: keep() may write it
        self._note_said = False  # the not-medical-advice note was said in this request
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

    # Where the runner is ---------------------------------------------------------------

    @property
    def position(self) -> int | None:
        return self.state.position

    @property
    def offer(self) -> Offer | None:
        return self.state.offer

    @property
    def remedy(self) -> Remedy | None:
        return None if self.position is None else self.content.remedy_at(self.position)

    @property
    def topic(self) -> Remedy | None:
        """The remedy last talked about ("why?" and "tell me more" refer to it), else the
        current step's."""
        for remedy in self.content.remedies:
            if remedy.id == self.state.topic:
                return remedy
        return self.remedy

    def known_position(self) -> int | None:
        """Where the runner is, or, before anything happened this session (a one-shot),
        where their saved progress says they got to."""
        if self.position is not None:
            return self.position
        stored = self.stored_progress()
        return stored.step if stored is not None else None

    def where(self) -> dict[str, Any]:
        """What every template may use to say where the runner is."""
        number, total = self.position, self.content.total
        if number is None:
            upcoming: Remedy | None = self.content.remedy_at(1)
        else:
            upcoming = self.content.remedy_at(number + 1) if number < total else None
        return {"number": number, "total": total, "remedy": self.remedy, "next": upcoming}

    def move_to(self, position: int | None) -> None:
        self.state = self.state.moved_to(position)

    def talk_about(self, remedy: Remedy) -> None:
        self.state = self.state.about(remedy.id)

    def miss(self) -> MissLevel:
        """This turn was not understood: how to answer this many misses in a row."""
        self._missed = True
        self.state = self.state.missed()
        return self.state.miss_level()

    # Answering -------------------------------------------------------------------------

    def say(
        self,
        kind: str,
        *,
        asks: Offer | None = None,
        keep_offer: bool = False,
        real: bool = True,
        **data: Any,
    ) -> Response:
        """Answer and wait for the runner.

        The answer ends with exactly one question: `asks`, if given; the question already
        open, with `keep_offer` (help, a fallback); otherwise the one that fits where the
        runner is (to begin, to move on, to finish). Only a `real` answer is what "repeat
        that" repeats.
        """
        if keep_offer:
            offer = self.state.offer or closing_offer(self.position, self.content.total)
        else:
            offer = asks or closing_offer(self.position, self.content.total)
        rendered = self._render(kind, offer, {**data, "first_contact": self._first_contact()})
        if not rendered.reprompt:
            raise ValueError(f"response kind {kind!r} has no reprompt, but the session stays open")
        speech = self._with_note(rendered.speech)
        if self.state.would_repeat(speech):  # never the same words twice in a row
            speech = f"{self._render('again', offer, {}).speech} {speech}"
        self._record(Said(speech, rendered.reprompt, offer), real=real)
        builder = self.handler_input.response_builder
        builder.speak(speech).ask(rendered.reprompt)
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
        return builder.set_should_end_session(False).response

    def repeat(self) -> Response:
        """The last real answer again (never a fallback or help), with its question."""
        last = self.state.last
        if last is None:
            return self.say("welcome", asks=Offer.BEGIN)
        again = self._render("again", last.offer, {})
        speech = f"{again.speech} {last.speech}"
        self._record(Said(speech, last.reprompt, last.offer), real=False)
        self.handler_input.response_builder.speak(speech).ask(last.reprompt)
        return self.handler_input.response_builder.set_should_end_session(False).response

    def finish(self, kind: str, **data: Any) -> Response:
        """Answer and end the session."""
        rendered = self._render(kind, None, {**data, "first_contact": self._first_contact()})
        speech = self._with_note(rendered.speech)
        self._record(Said(speech, "", None), real=False)
        self.handler_input.response_builder.speak(speech)
        return self.handler_input.response_builder.set_should_end_session(True).response

    def apologise(self) -> Response:
        """The error path: a short apology, the session and its state left as they were
        (the attributes and the store are written only by `keep`, which the error path
        does not call: a turn that failed half-way leaves no half of itself behind)."""
        apology = self.content.apology
        builder = self.handler_input.response_builder
        builder.speak(apology.speech).ask(apology.reprompt or apology.speech)
        builder.set_should_end_session(False)
        return builder.response

    def keep(self) -> None:
        """The end of a turn: save the runner's progress, and the dialogue in the session."""
        if not self._answered:
            return
        self.persist()
        state = self.state.to_attributes()
        if self._store == "ok" and self._stored is not None:
            state[SAVED] = {"step": self._stored.step, "introduced": self._stored.introduced}
        attributes = self._session_attributes()
        attributes.clear()
        attributes.update(state)

    def _render(self, kind: str, offer: Offer | None, data: dict[str, Any]) -> Any:
        return self.content.speech.render(
            kind,
            at=self.where(),
            offer=offer and offer.value,
            # One of a few variants by turn; modulo 6 (every count of options up to three
            # divides it) so that rendered answers are reused rather than redone per turn.
            variant=self.state.turns % 6,
            **data,
        )

    def _record(self, said: Said, *, real: bool) -> None:
        if not self._missed:
            self.state = self.state.understood()
        self.state = self.state.answered(said, real=real)
        self._answered = True

    def _first_contact(self) -> bool:
        """Has this runner yet to hear the not-medical-advice note?"""
        stored = self.stored_progress()
        return not self.state.noted and not (stored is not None and stored.introduced)

    def _with_note(self, speech: str) -> str:
        """On a runner's first contact, however they come in, the answer carries the
        not-medical-advice note: where its template placed it, or else first. It counts as
        heard once it has been said."""
        if not self._first_contact():
            return speech
        self.state = self.state.with_note_said()
        self._note_said = True
        note = self.content.speech.render("note", at=self.where(), offer=None).speech
        return speech if note in speech else f"{note} {speech}"

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
        said = self.state.last
        if self.position is not None:
            step = self.position
            last = {"speech": said.speech, "reprompt": said.reprompt} if said else None
        elif self.discard_stored_step:
            step, last = None, None
        else:
            step, last = stored.step, stored.last
        introduced = stored.introduced or self._note_said
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


def supports_apl(handler_input: HandlerInput) -> bool:
    """Whether the device shows APL screens (voice-only devices never load that code)."""
    try:
        interfaces = get_supported_interfaces(handler_input)
    except (AttributeError, TypeError):
        return False
    return getattr(interfaces, "alexa_presentation_apl", None) is not None


def _read_saved(value: object) -> Progress | None:
    if not isinstance(value, dict):
        return None
    step = value.get("step")
    return Progress(
        step=step if isinstance(step, int) and not isinstance(step, bool) else None,
        introduced=value.get("introduced") is True,
    )
