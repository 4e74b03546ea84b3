"""One request's turn: LOAD (the dialogue from the session, progress from the store, read
once a session) before any handler; SAVE (changed progress to the store, the dialogue to
the session) after every request, error path included. A failing store is logged once a
request; the skill answers from the session and never writes over what it could not read."""

from __future__ import annotations

import contextlib
import json
import logging
import time
from dataclasses import dataclass, field
from typing import Any

from ask_sdk_core.exceptions import AttributesManagerException
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_locale, get_supported_interfaces

from skill.answer import Decision, Keep
from skill.content import Content, Remedy, content_for
from skill.dialogue import Dialogue
from skill.persistence.errors import CorruptRecord
from skill.progress import Progress
from skill.text import COMPACT_JSON

log = logging.getLogger(__name__)

CARRIED = "dialogue"  # session attribute: the dialogue and what the store holds, as JSON
SAVED = "saved"  # session attribute: what the store holds, as far as this session knows
_KEY = "turn"  # request attribute


@dataclass
class Turn:
    content: Content
    state: Dialogue  # as the session left it
    saved: Progress | None  # what the store holds; None without a working store
    now: int  # seconds since the epoch
    screen: bool  # the device shows APL screens
    session: dict[str, Any] = field(default_factory=dict)  # the attributes to write back
    outcome: Decision | None = None  # what was decided, once composed (None: nothing)
    request_id: object = None
    _fault_logged: bool = False

    @property
    def position(self) -> int | None:
        return self.state.position

    @property
    def topic(self) -> Remedy | None:
        """The remedy last talked about ("why?" refers to it), else the current step's."""
        step = None if self.position is None else self.content.remedy_at(self.position)
        return self.content.remedy(self.state.topic) or step

    def known_position(self) -> int | None:
        """Where the runner is, else (a one-shot) where their saved progress got to."""
        return self.position or (self.saved.step if self.saved is not None else None)

    def fault(self, action: str, error: Exception) -> None:
        if not self._fault_logged:
            self._fault_logged = True
            message = "progress store %s failed (request %s); answering from the session: %s"
            log.warning(message, action, self.request_id, type(error).__name__)


def turn_of(handler_input: HandlerInput) -> Turn:
    """The request's turn, loaded once (by the request interceptor, or on first use)."""
    attributes = handler_input.attributes_manager.request_attributes
    turn = attributes.get(_KEY)
    if not isinstance(turn, Turn):
        turn = attributes[_KEY] = load(handler_input)
    return turn


def load(handler_input: HandlerInput) -> Turn:
    content = content_for(get_locale(handler_input))
    session = _session_attributes(handler_input)
    carried = carried_state(session)
    turn = Turn(
        content=content,
        state=Dialogue.from_attributes(carried, content.total, content.ids),
        saved=None,
        now=int(time.time()),
        screen=_shows_screens(handler_input),
        session=session,
        request_id=getattr(handler_input.request_envelope.request, "request_id", None),
    )
    summary = carried.get(SAVED)
    if isinstance(summary, dict):
        turn.saved = Progress.from_record(summary, content.total)
        return turn
    try:
        record = handler_input.attributes_manager.persistent_attributes
    except AttributesManagerException:
        return turn  # no store
    except CorruptRecord as error:
        turn.fault("read", error)
        record = {}  # the store works: new progress may replace what did not parse
    except Exception as error:
        turn.fault("read", error)
        return turn
    if not isinstance(record, dict):
        turn.fault("read", CorruptRecord("the stored record is not an object"))
    turn.saved = Progress.from_record(record, content.total)
    return turn


def save(handler_input: HandlerInput) -> bool:
    """The end of every turn: progress to the store if it changed, the dialogue to the
    session; with nothing decided (the error path), nothing. False: a forget failed."""
    turn = turn_of(handler_input)
    if (decision := turn.outcome) is None:
        return True  # the session attributes go back as they came
    manager = handler_input.attributes_manager
    saved = turn.saved
    if saved is not None and decision.keep is Keep.FORGET:
        try:
            manager.delete_persistent_attributes()
            saved = Progress()
        except Exception as error:
            turn.fault("delete", error)
            turn.outcome = None
            return False
    elif saved is not None:
        state, clear = decision.state, decision.keep is Keep.CLEAR
        heard_note = state.noted and not turn.state.noted  # the note was said in this turn
        if progress := saved.after(state.position, state.skipped, clear, heard_note, turn.now):
            try:
                manager.persistent_attributes = progress.to_record()
                manager.save_persistent_attributes()
                saved = progress
            except Exception as error:
                turn.fault("write", error)
    carried = decision.state.to_attributes()
    if saved is not None:
        carried[SAVED] = saved.summary()
    turn.session.clear()
    turn.session[CARRIED] = COMPACT_JSON.encode(carried)
    return True


def carried_state(session: dict[str, Any]) -> dict[str, Any]:
    """What the session carries between turns: one JSON text under one key (one string
    for the SDK to copy and serialise, rather than a tree of dicts); a session begun
    before that carried the same values as separate attributes."""
    text = session.get(CARRIED)
    if text is None:
        return session
    try:
        carried = json.loads(text) if isinstance(text, str) else None
    except ValueError:
        carried = None
    return carried if isinstance(carried, dict) else {}


def _session_attributes(handler_input: HandlerInput) -> dict[str, Any]:
    """The session's attributes; a throwaway dict for a request outside any session."""
    if handler_input.request_envelope.session is None:
        return {}
    manager = handler_input.attributes_manager
    manager.session_attributes = manager.session_attributes or {}
    return manager.session_attributes  # type: ignore[return-value]


def _shows_screens(handler_input: HandlerInput) -> bool:  # voice-only devices load no APL
    with contextlib.suppress(AttributeError, TypeError):
        return get_supported_interfaces(handler_input).alexa_presentation_apl is not None
    return False
