"""Faults a store can report."""

from __future__ import annotations

from ask_sdk_core.exceptions import PersistenceException


class CorruptRecord(PersistenceException):
    """The store answered, but what it holds for this runner does not parse. Unlike an
    unreachable store, it is safe to write new progress over it."""
