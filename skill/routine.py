"""The runner's place in the routine, as plain data, and the moves between places.

Nothing here knows the SDK or any words. A position is the 1-based number of the
step last read out, or None before the first step. Every move returns where the
runner ends up and what happened, so a handler only has to pick the words.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Outcome(StrEnum):
    STEP = "step"  # a step to read out
    PAST_END = "past_end"  # asked for next after the last step
    BEFORE_START = "before_start"  # asked for previous on the first step
    OUT_OF_RANGE = "out_of_range"  # asked for a step number that does not exist


@dataclass(frozen=True)
class Move:
    position: int | None
    outcome: Outcome


def clamp(position: object, total: int) -> int | None:
    """A position read back from outside (session attributes): anything odd means 'not started'."""
    if isinstance(position, bool) or not isinstance(position, int):
        return None
    return position if 1 <= position <= total else None


def next_step(position: int | None, total: int) -> Move:
    if position is None:
        return Move(1, Outcome.STEP)
    if position >= total:
        return Move(position, Outcome.PAST_END)
    return Move(position + 1, Outcome.STEP)


def previous_step(position: int | None, total: int) -> Move:
    if position is None or position <= 1:
        return Move(position, Outcome.BEFORE_START)
    return Move(position - 1, Outcome.STEP)


def go_to(position: int | None, number: int, total: int) -> Move:
    if 1 <= number <= total:
        return Move(number, Outcome.STEP)
    return Move(position, Outcome.OUT_OF_RANGE)


def start_over() -> Move:
    return Move(1, Outcome.STEP)


def remaining(position: int | None, total: int) -> list[int]:
    """The step numbers still to come after the current one."""
    start = 1 if position is None else position + 1
    return list(range(start, total + 1))
