"""The runner's place in the routine, as plain data, and the moves between places.

Nothing here knows the SDK or any words. A position is the 1-based number of the
step last read out, or None before the first step. Every move returns where the
runner ends up and what happened, so a handler only has to pick the words. Steps the
runner chose to leave out (`skipped`, step numbers) are passed over by next, previous
and what is left; going to one by name or number brings it back (the handler's job).
"""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple


class Outcome(StrEnum):
    STEP = "step"  # a step to read out
    PAST_END = "past_end"  # asked for next after the last step
    BEFORE_START = "before_start"  # asked for previous on the first step
    OUT_OF_RANGE = "out_of_range"  # asked for a step number that does not exist


class Move(NamedTuple):
    position: int | None
    outcome: Outcome


def clamp(position: object, total: int) -> int | None:
    """A position read back from outside (session attributes): anything odd means 'not started'."""
    if isinstance(position, bool) or not isinstance(position, int):
        return None
    return position if 1 <= position <= total else None


def following(
    position: int | None, total: int, skipped: frozenset[int] = frozenset()
) -> int | None:
    """The next step not left out, after `position` (None: from the start); None if none."""
    start = 1 if position is None else position + 1
    return next((n for n in range(start, total + 1) if n not in skipped), None)


def next_step(position: int | None, total: int, skipped: frozenset[int] = frozenset()) -> Move:
    number = following(position, total, skipped)
    if number is None:
        return Move(position, Outcome.PAST_END)
    return Move(number, Outcome.STEP)


def previous_step(position: int | None, total: int, skipped: frozenset[int] = frozenset()) -> Move:
    before = range((position or 1) - 1, 0, -1)
    number = next((n for n in before if n not in skipped), None)
    if number is None:
        return Move(position, Outcome.BEFORE_START)
    return Move(number, Outcome.STEP)


def go_to(position: int | None, number: int, total: int) -> Move:
    if 1 <= number <= total:
        return Move(number, Outcome.STEP)
    return Move(position, Outcome.OUT_OF_RANGE)


def start_over() -> Move:
    return Move(1, Outcome.STEP)


def remaining(position: int | None, total: int, skipped: frozenset[int] = frozenset()) -> list[int]:
    """The step numbers still to come after the current one, those left out left out."""
    start = 1 if position is None else position + 1
    return [n for n in range(start, total + 1) if n not in skipped]
