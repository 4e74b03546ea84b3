"""Where runners' progress is kept, chosen by the SKILL_DB setting.

- unset: an embedded SQLite file in the user's data directory
- `sqlite:///relative/path.db` or `sqlite:////absolute/path.db` (SQLAlchemy's form)
- `dynamodb://TABLE`: the ASK SDK's DynamoDB adapter; region, endpoint and credentials
  come from the usual AWS settings (AWS_REGION, AWS_ENDPOINT_URL_DYNAMODB, ...)
- `none`: keep nothing beyond the session

Every store is an ASK SDK persistence adapter, so handlers only ever see
`attributes_manager` persistent attributes. Each comes wrapped in a per-request time
budget for all its calls (`skill.persistence.deadline`): past it the skill answers from
the session, as it does for any store fault.
"""

from __future__ import annotations

from pathlib import Path

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter

from skill.persistence.deadline import WithDeadline
from skill.persistence.sqlite import SQLiteStore

SETTING = "SKILL_DB"


def default_db_path() -> Path:
    from platformdirs import user_data_path  # only when the default store is chosen

    return user_data_path("recovery-coach", appauthor=False) / "progress.db"


def store_from_url(url: str | None) -> AbstractPersistenceAdapter | None:
    """The store a SKILL_DB value names (None for `none`). Raises ValueError for nonsense."""
    if not url:
        return WithDeadline(SQLiteStore(default_db_path()), threaded=False)
    if url == "none":
        return None
    if url.startswith("sqlite:///") and len(url) > len("sqlite:///"):
        return WithDeadline(SQLiteStore(Path(url.removeprefix("sqlite:///"))), threaded=False)
    if url.startswith("dynamodb://") and len(url) > len("dynamodb://"):
        from skill.persistence.dynamodb import dynamodb_store

        return WithDeadline(dynamodb_store(url.removeprefix("dynamodb://")))
    raise ValueError(
        f"{SETTING}={url!r}: expected sqlite:///path.db, sqlite:////abs/path.db, "
        "dynamodb://TABLE or none"
    )
