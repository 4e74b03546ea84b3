"""What a handler decides: an answer (its kind, its data, the question it asks) and the
dialogue state after it. Plain values: no SDK, no store, no words.

`Answer.data` holds only plain JSON (remedy ids, numbers, flags), so an answer can be
kept in the session and said again by rendering it afresh (`skill.compose`), never by
replaying text.

These values, like the dialogue's, are NamedTuples rather than frozen dataclasses: the
same immutable values, but a frozen dataclass costs about a millisecond to define (it
generates and compiles six methods), and a Lambda cold start defines every one on the
way to its first answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Any, NamedTuple

from skill.dialogue import Dialogue, Offer


class Measure(StrEnum):
    """What a "how long / how much / how cold / how often" question asks for."""

    TIME = "time"
    AMOUNT = "amount"
    TEMPERATURE = "temperature"
    FREQUENCY = "frequency"


class Keep(StrEnum):
    """What happens to the runner's saved place at the end of the turn."""

    PLACE = "place"  # save where the runner is now (if anywhere), else keep what is saved
    CLEAR = "clear"  # a fresh start: the saved step is stale or finished
    FORGET = "forget"  # delete everything kept for this runner


class Answer(NamedTuple):
    kind: str  # the response template, responses/<language>/speech/<kind>.ssml.j2
    data: Mapping[str, Any] = MappingProxyType({})  # shared, so read-only
    asks: Offer | None = None  # the question it closes with; None: the one that fits
    keeps_question: bool = False  # help, a fallback: the question already open stays open
    repeatable: bool = True  # what "repeat that" says again (never help or a fallback)
    understood: bool = True  # a fallback is not: misses in a row are counted
    ends_session: bool = False
    silent: bool = False  # nothing to say (the session has ended)
    repeats: bool = False  # the last real answer again, led by this kind's few words
    refuses: bool = False  # "that's not one of the steps": said again, led without agreeing
    notes: bool = True  # on first contact, the not-medical-advice note may lead it


class Decision(NamedTuple):
    answer: Answer
    state: Dialogue
    keep: Keep = Keep.PLACE
