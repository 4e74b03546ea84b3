"""The state of one conversation, as one typed value, and its pure transitions.

A `Dialogue` is what the skill must remember between turns of a session: where the
runner is in the routine, the one question the skill has just asked, the remedy last
talked about, how many turns in a row were not understood, the last real answer (for
"repeat that": its kind and data, rendered again, never its text), and whether the
not-medical-advice note has been said. It lives in the
session attributes as plain JSON. Nothing here knows the SDK or any words, so the policy
reads and tests without either.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Set as AbstractSet
from enum import StrEnum
from typing import Any, NamedTuple, Self, TypeGuard


class Offer(StrEnum):
    """The one question the skill has just asked, so the next answer knows what it answers."""

    BEGIN = "begin"  # take you through the steps?
    NEXT = "next"  # a step was read: ready to move on? (yes, ok and done move on)
    FINISH = "finish"  # the last step was read: finish here?
    START_OVER = "start_over"  # the routine is done: start over?
    RESUME = "resume"  # pick up at the saved step, or start over?
    WHICH_STEP = "which_step"  # which step? (a bare number answers it)
    LIST = "list"  # after repeated misses: hear the list of steps?


class MissLevel(StrEnum):
    """How to answer a turn that was not understood, by how many came in a row."""

    RESTEER = "resteer"  # the first: a short re-steer that fits the moment
    EXAMPLES = "examples"  # the second: concrete examples of what to say
    OFFER_LIST = "offer_list"  # the third: the list of steps, or help


_KIND = re.compile(r"[a-z_]{1,40}")
_DATA_KEY = re.compile(r"[a-z_]{1,20}")


class LastAnswer(NamedTuple):
    """A real answer as decided, so that "repeat that" can render it again: its kind,
    its plain data, the question it asked, where the runner was and which wording."""

    kind: str
    data: dict[str, Any]
    offer: Offer | None = None
    position: int | None = None
    variant: int = 0

    def to_attributes(self) -> dict[str, Any]:
        value: dict[str, Any] = {"kind": self.kind, "variant": self.variant}
        if self.data:
            value["data"] = self.data
        if self.offer is not None:
            value["offer"] = self.offer.value
        if self.position is not None:
            value["step"] = self.position
        return value

    @classmethod
    def read(cls, value: object, total: int) -> LastAnswer | None:
        """Tolerantly, and only plain values: a name-like kind, name-like keys, and
        flags, small numbers, ids (checked again against the content when rendered)."""
        if not isinstance(value, dict):
            return None
        kind, data, position = value.get("kind"), value.get("data", {}), value.get("step")
        if not isinstance(kind, str) or not _KIND.fullmatch(kind) or not isinstance(data, dict):
            return None
        return cls(
            kind,
            {key: item for key, item in data.items() if _DATA_KEY.fullmatch(key) and _plain(item)},
            _offer(value.get("offer")),
            position if _whole(position) and 1 <= position <= total else None,
            value["variant"] % 6 if _whole(value.get("variant")) else 0,
        )


def _plain(value: object) -> bool:
    if isinstance(value, list):
        return len(value) <= 50 and all(_plain(item) for item in value)
    if isinstance(value, str):
        return _DATA_KEY.fullmatch(value) is not None
    return isinstance(value, bool | int) and (isinstance(value, bool) or 0 <= value <= 999)


class Dialogue(NamedTuple):
    """Immutable; each transition returns a new one (a NamedTuple: `_replace` costs a
    third of `dataclasses.replace`, and a turn makes a few)."""

    position: int | None = None  # the step last read out, 1-based; None before the first
    offer: Offer | None = None
    topic: str | None = None  # id of the remedy last asked about, until the runner moves
    misses: int = 0  # turns in a row not understood
    last: LastAnswer | None = None  # the last real answer (never a fallback or help)
    noted: bool = False  # the not-medical-advice note was said in this session
    turns: int = 0  # answers given this session: picks among a template's variants
    previous: int | None = None  # a checksum of the answer just given, never said twice
    skipped: frozenset[int] = frozenset()  # steps the runner chose to leave out this run

    # Transitions ----------------------------------------------------------------------

    def moved_to(self, position: int | None) -> Self:
        """The runner is somewhere new: what was talked about there is done with."""
        if position == self.position:
            return self
        return self._replace(position=position, topic=None)

    def leaving_out(self, number: int) -> Self:
        return self._replace(skipped=self.skipped | {number})

    def bringing_back(self, number: int | None) -> Self:
        return self._replace(skipped=self.skipped - {number})

    def with_skips(self, skipped: frozenset[int]) -> Self:
        return self._replace(skipped=skipped)

    def about(self, remedy_id: str | None) -> Self:
        return self._replace(topic=remedy_id)

    def understood(self) -> Self:
        return self if not self.misses else self._replace(misses=0)

    def missed(self) -> Self:
        return self._replace(misses=self.misses + 1)

    def miss_level(self) -> MissLevel:
        """Escalate over the first three misses; after that, examples and the list by
        turns, so no two answers in a row are the same."""
        if self.misses <= 1:
            return MissLevel.RESTEER
        if self.misses == 2 or self.misses % 2 == 0:
            return MissLevel.EXAMPLES
        return MissLevel.OFFER_LIST

    def answered(self, speech: str, offer: Offer | None, last: LastAnswer | None) -> Self:
        """An answer was given; a real one (`last`) is what "repeat that" repeats."""
        return self._replace(
            offer=offer,
            last=last or self.last,
            turns=self.turns + 1,
            previous=checksum(speech),
        )

    def would_repeat(self, speech: str) -> bool:
        """Would this answer be word for word the one just given?"""
        return self.previous == checksum(speech)

    def with_note_said(self) -> Self:
        return self._replace(noted=True)

    # Session attributes ----------------------------------------------------------------

    def to_attributes(self) -> dict[str, Any]:
        attributes: dict[str, Any] = {"turns": self.turns}
        if self.position is not None:
            attributes["step"] = self.position
        if self.offer is not None:
            attributes["offer"] = self.offer.value
        if self.topic is not None:
            attributes["topic"] = self.topic
        if self.misses:
            attributes["misses"] = self.misses
        if self.last is not None:
            attributes["last"] = self.last.to_attributes()
        if self.noted:
            attributes["noted"] = True
        if self.previous is not None:
            attributes["previous"] = self.previous
        if self.skipped:
            attributes["skipped"] = sorted(self.skipped)
        return attributes

    @classmethod
    def from_attributes(cls, attributes: dict[str, Any], total: int, ids: AbstractSet[str]) -> Self:
        """Read back tolerantly: anything odd counts as absent (a session is never stuck)."""
        position = attributes.get("step")
        topic = attributes.get("topic")
        return cls(
            position=position if _whole(position) and 1 <= position <= total else None,
            offer=_offer(attributes.get("offer")),
            topic=topic if topic in ids else None,
            misses=min(attributes["misses"], 99) if _whole(attributes.get("misses")) else 0,
            last=LastAnswer.read(attributes.get("last"), total),
            noted=attributes.get("noted") is True,
            turns=attributes["turns"] % 1000 if _whole(attributes.get("turns")) else 0,
            previous=attributes["previous"] if _whole(attributes.get("previous")) else None,
            skipped=steps(attributes.get("skipped"), total),
        )


def checksum(speech: str) -> int:
    return zlib.crc32(speech.encode("utf-8"))


def steps(value: object, total: int) -> frozenset[int]:
    """Step numbers read back tolerantly (anything odd is dropped)."""
    if not isinstance(value, list):
        return frozenset()
    return frozenset(n for n in value[:total] if _whole(n) and 1 <= n <= total)


def closing_offer(position: int | None, total: int, skipped: frozenset[int] = frozenset()) -> Offer:
    """The question an answer ends with when it asks nothing in particular: to begin, to
    move on from a step, or to finish after the last one not left out."""
    if position is None:
        return Offer.BEGIN
    ahead = (n for n in range(position + 1, total + 1) if n not in skipped)
    return Offer.NEXT if next(ahead, None) is not None else Offer.FINISH


_OFFERS = {offer.value: offer for offer in Offer}


def _offer(value: object) -> Offer | None:
    return _OFFERS.get(value) if isinstance(value, str) else None


def _whole(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0
