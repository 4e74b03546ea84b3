"""An embedded SQLite store behind the ASK SDK's persistence-adapter interface.

Safe with several web-service worker processes and threads at once: each thread of each
process has its own connection, the database runs in WAL mode (readers never wait for
the writer), and a write is one atomic upsert. A store that is locked for longer than
`timeout` seconds raises, and the skill carries on from the session.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_core.exceptions import PersistenceException
from ask_sdk_model import RequestEnvelope

from skill.persistence.errors import CorruptRecord
from skill.progress import RESUME_WINDOW
from skill.text import COMPACT_JSON

SCHEMA = """
CREATE TABLE IF NOT EXISTS progress (
    user_id    TEXT PRIMARY KEY,
    attributes TEXT NOT NULL,
    updated_at REAL NOT NULL
)
"""
# Records untouched past the resume window are deleted: a write sweeps them, at most once
# every SWEEP_EVERY seconds per process (an expired row is never read meanwhile). The
# sweep scans the table rather than keep an index on updated_at, which every write would
# pay to maintain (it doubled a write's cost) for a query run once in ten minutes.
SWEEP_EVERY = 600
UNUSED_INDEX = "DROP INDEX IF EXISTS progress_by_age"  # files made while it was kept


def user_id_of(request_envelope: RequestEnvelope) -> str:
    user = getattr(
        getattr(getattr(request_envelope, "context", None), "system", None), "user", None
    )
    user_id = getattr(user, "user_id", None)
    if not user_id:
        raise PersistenceException("the request has no user id to keep progress under")
    return str(user_id)


class SQLiteStore(AbstractPersistenceAdapter):
    def __init__(
        self,
        path: Path,
        timeout: float = 1.0,
        keep_for: float = RESUME_WINDOW.total_seconds(),
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.path = Path(path)
        self.timeout = timeout
        self.keep_for, self.clock = keep_for, clock
        self._swept = float("-inf")  # when expired records were last deleted
        self._local = threading.local()

    def _connection(self) -> sqlite3.Connection:
        # One connection per thread and per process: a forked worker must not reuse its
        # parent's connection.
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is not None and getattr(self._local, "pid", None) == os.getpid():
            return connection
        self.path.parent.mkdir(parents=True, exist_ok=True)
        _create_private(self.path)
        connection = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute(SCHEMA)
        connection.execute(UNUSED_INDEX)
        self._local.connection, self._local.pid = connection, os.getpid()
        return connection

    def _run(self, sql: str, *parameters: Any) -> list[tuple[Any, ...]]:
        try:
            return self._connection().execute(sql, parameters).fetchall()
        except (sqlite3.Error, OSError) as error:
            raise PersistenceException(f"SQLite store {self.path.name}: {error}") from error

    def create(self) -> None:
        """Make the database and its table (they are also made on first use)."""
        self._run("SELECT 1")

    def get_attributes(self, request_envelope: RequestEnvelope) -> dict[str, Any]:
        rows = self._run(
            "SELECT attributes FROM progress WHERE user_id = ? AND updated_at > ?",
            user_id_of(request_envelope),
            self.clock() - self.keep_for,
        )
        if not rows:
            return {}
        try:
            attributes = json.loads(rows[0][0])
        except ValueError as error:
            raise CorruptRecord("the stored record is not valid JSON") from error
        if not isinstance(attributes, dict):
            raise CorruptRecord("the stored record is not an object")
        return attributes

    def save_attributes(
        self, request_envelope: RequestEnvelope, attributes: dict[str, Any]
    ) -> None:
        self._run(
            "INSERT INTO progress (user_id, attributes, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (user_id) DO UPDATE SET "
            "attributes = excluded.attributes, updated_at = excluded.updated_at",
            user_id_of(request_envelope),
            COMPACT_JSON.encode(attributes),
            self.clock(),
        )
        now = self.clock()
        if now - self._swept >= SWEEP_EVERY:  # expired rows are never read in between
            self._swept = now
            self._run("DELETE FROM progress WHERE updated_at <= ?", now - self.keep_for)

    def delete_attributes(self, request_envelope: RequestEnvelope) -> None:
        self._run("DELETE FROM progress WHERE user_id = ?", user_id_of(request_envelope))
        # "Forget" means forgotten: copy the WAL into the database and empty it, so the
        # runner's id and record are not left in the -wal file until a checkpoint.
        # Under a reader the copy may stop short; the next delete or checkpoint finishes it.
        self._run("PRAGMA wal_checkpoint(TRUNCATE)")


def _create_private(path: Path) -> None:
    """Create the database file readable and writable by its owner only (0600), whatever
    the umask; SQLite gives its -wal and -shm files the database's permissions."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600))
