"""A total time budget for one request's store calls.

Alexa waits 8 seconds for an answer. A store that accepts connections and never answers
would otherwise cost each call its timeouts times its retries. `WithDeadline` wraps any
store: the first call for a request envelope starts a budget (`BUDGET_SECONDS`), every
call of that request runs in a small pool of threads and is waited for at most what is
left of it, and a call past it raises `PersistenceException`, which the skill already
treats as a broken store: it logs the fault and answers from the session. A call that
outlives its wait finishes (or times out) on its own thread; the pool bounds how many can.

With `threaded=False` (SQLite, on local disk, whose lock wait is bounded per call) calls
run inline and only the budget is checked before each, so a request's calls stop at most
one call's own timeout past the budget, at no cost per call.
"""

from __future__ import annotations

import threading
import time
import weakref
from typing import TYPE_CHECKING, Any

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_core.exceptions import PersistenceException
from ask_sdk_model import RequestEnvelope

if TYPE_CHECKING:
    from concurrent.futures import Future

BUDGET_SECONDS = 2.5
POOL_THREADS = 8


class DeadlinePassed(PersistenceException):
    """The request's store budget ran out before the store answered."""


class WithDeadline(AbstractPersistenceAdapter):
    def __init__(
        self,
        store: AbstractPersistenceAdapter,
        budget: float = BUDGET_SECONDS,
        *,
        threaded: bool = True,
    ) -> None:
        self.store = store
        self.budget = budget
        self._pool = None
        if threaded:  # imported only here: the Lambda door with SQLite never needs it
            from concurrent.futures import ThreadPoolExecutor

            self._pool = ThreadPoolExecutor(POOL_THREADS, thread_name_prefix="store")
        # The budget belongs to the envelope object: one request, all its calls.
        self._deadlines: weakref.WeakKeyDictionary[Any, float] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:
        # create(), reconnect() and the like pass straight through.
        return getattr(self.store, name)

    def _deadline(self, envelope: RequestEnvelope) -> float:
        with self._lock:
            try:
                return self._deadlines.setdefault(envelope, time.monotonic() + self.budget)
            except TypeError:  # not weakly referable: a budget per call
                return time.monotonic() + self.budget

    def _within(self, envelope: RequestEnvelope, call: str, *args: Any) -> Any:
        left = self._deadline(envelope) - time.monotonic()
        if left <= 0:
            raise DeadlinePassed(f"the store's {self.budget} s budget for this request is spent")
        if self._pool is None:
            return getattr(self.store, call)(envelope, *args)
        future: Future[Any] = self._pool.submit(getattr(self.store, call), envelope, *args)
        from concurrent.futures import TimeoutError as FutureTimeout

        try:
            return future.result(timeout=left)
        except FutureTimeout:
            future.cancel()
            raise DeadlinePassed(
                f"the store did not answer within this request's {self.budget} s budget"
            ) from None

    def get_attributes(self, request_envelope: RequestEnvelope) -> Any:
        return self._within(request_envelope, "get_attributes")

    def save_attributes(
        self, request_envelope: RequestEnvelope, attributes: dict[str, Any]
    ) -> None:
        self._within(request_envelope, "save_attributes", attributes)

    def delete_attributes(self, request_envelope: RequestEnvelope) -> None:
        self._within(request_envelope, "delete_attributes")
