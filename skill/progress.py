"""What is kept of a runner between sessions, as plain data.

A record holds the step last read out, when, and whether the runner has heard the
not-medical-advice note. Nothing else about the user is kept (records written before
also held the last answer's text; it is ignored when read, and dropped on the next save).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, NamedTuple

from skill.dialogue import steps

# A runner coming back within this window is offered to pick up where they stopped;
# after it, the soreness (and the run) is another day's, so the routine starts fresh.
RESUME_WINDOW = timedelta(hours=24)


class Progress(NamedTuple):
    step: int | None = None
    saved_at: int | None = None  # seconds since the epoch
    introduced: bool = False
    skipped: frozenset[int] = frozenset()  # steps the runner chose to leave out of this run

    @classmethod
    def from_record(cls, record: object, total: int) -> Progress:
        """A stored record read tolerantly: anything odd counts as absent."""
        if not isinstance(record, dict):
            return cls()
        step = record.get("step")
        saved_at = record.get("saved_at")
        return cls(
            step=step if isinstance(step, int) and 1 <= step <= total else None,
            saved_at=saved_at if isinstance(saved_at, int) else None,
            introduced=record.get("introduced") is True,
            skipped=steps(record.get("skipped"), total),
        )

    def to_record(self) -> dict[str, Any]:
        record: dict[str, Any] = {"introduced": self.introduced}
        if self.step is not None:
            record["step"] = self.step
        if self.saved_at is not None:
            record["saved_at"] = self.saved_at
        if self.skipped:
            record["skipped"] = sorted(self.skipped)
        return record

    def after(
        self, step: int | None, skipped: frozenset[int], clear: bool, heard_note: bool, now: int
    ) -> Progress | None:
        """The record after a turn that left the runner at `step` (None: nowhere this
        session, so the saved place stays, unless `clear`); None if nothing changed."""
        if step is None and not clear:
            step, skipped = self.step, self.skipped
        introduced = self.introduced or heard_note
        if (step, skipped, introduced) == (self.step, self.skipped, self.introduced):
            return None
        return Progress(step=step, saved_at=now, introduced=introduced, skipped=skipped)

    def summary(self) -> dict[str, Any]:
        """What a session keeps of the record, so later turns need not read the store."""
        summary: dict[str, Any] = {}
        if self.step is not None:
            summary["step"] = self.step
        if self.introduced:
            summary["introduced"] = True
        if self.skipped:
            summary["skipped"] = sorted(self.skipped)
        return summary

    def resumable_step(self, now: int, total: int) -> int | None:
        """The step to offer to pick up at: mid-routine, and recent enough."""
        if self.step is None or self.saved_at is None or self.step >= total:
            return None
        if now - self.saved_at > RESUME_WINDOW.total_seconds() or self.saved_at > now + 60:
            return None
        return self.step
