"""Log lines that carry nothing an attacker can shape: one line per event, every field
capped and escaped, whatever the call site.

`OneLine` is a logging filter the doors put on the root logger's handlers (the web
service's, and the one Lambda's runtime installs). It rewrites each record once, before
any formatter sees it: every argument is cut to `MAX_FIELD_CHARS` and the message to
`MAX_MESSAGE_CHARS`, control characters (a newline, an escape) are written as escapes
(so a JSON line stays the JSON it was), and a traceback is folded into the same line,
escaped and cut to its last `MAX_TRACE_CHARS` (where the error is). So a request id, a
locale or an error message sent by a client cannot start a fake line or fill the disk.
"""

from __future__ import annotations

import logging
import traceback
from typing import Any

MAX_FIELD_CHARS = 200
MAX_MESSAGE_CHARS = 2000
MAX_TRACE_CHARS = 4000
_DONE = "recovery_coach_one_line"
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_TABLE = {
    **{code: f"\\x{code:02x}" for code in [*range(0x20), 0x7F]},
    **{ord(char): escaped for char, escaped in _ESCAPES.items()},
    0x2028: "\\u2028",
    0x2029: "\\u2029",
    0x85: "\\x85",
}


def escaped(text: str) -> str:
    """`text` on one line: control characters as escapes."""
    return text.translate(_TABLE)


def capped(text: str, limit: int = MAX_FIELD_CHARS, *, tail: bool = False) -> str:
    """`text` escaped and cut to `limit` characters (its end kept if `tail`), saying so."""
    line = escaped(text)
    if len(line) <= limit:
        return line
    mark = "..."
    return mark + line[-(limit - len(mark)) :] if tail else line[: limit - len(mark)] + mark


def _field(value: Any) -> Any:
    # Numbers stay numbers (a %d or %.1f must still format); everything else is text.
    if isinstance(value, bool | int | float) or value is None:
        return value
    try:
        text = str(value)
    except Exception:  # a __str__ that fails must not lose the line
        text = f"<{type(value).__name__}>"
    return capped(text)


class OneLine(logging.Filter):
    """Rewrites a record to one capped, escaped line (idempotent; never drops a record)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, _DONE, False):
            return True
        if _one_line_already(record):
            setattr(record, _DONE, True)
            return True
        if isinstance(record.args, dict):
            record.args = {key: _field(value) for key, value in record.args.items()}
        elif isinstance(record.args, tuple):
            record.args = tuple(_field(value) for value in record.args)
        try:
            message = record.getMessage()
        except Exception:
            message = f"{record.msg!s} (arguments that did not format)"
        parts = [capped(message, MAX_MESSAGE_CHARS)]
        if record.exc_info and record.exc_info[1] is not None:
            trace = "".join(traceback.format_exception(record.exc_info[1]))
            parts.append(capped(trace.rstrip(), MAX_TRACE_CHARS, tail=True))
        elif record.exc_text:
            parts.append(capped(record.exc_text, MAX_TRACE_CHARS, tail=True))
        if record.stack_info:
            parts.append(capped(record.stack_info, MAX_TRACE_CHARS, tail=True))
        record.msg, record.args = " | ".join(parts), None
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        setattr(record, _DONE, True)
        return True


def _one_line_already(record: logging.LogRecord) -> bool:
    """A plain message with nothing to escape or cut (the web door's request line): as is."""
    message = record.msg
    return (
        not record.args
        and not record.exc_info
        and not record.exc_text
        and not record.stack_info
        and isinstance(message, str)
        and len(message) <= MAX_MESSAGE_CHARS
        and message.isprintable()  # False for every control character, and for U+2028/9
    )


def install(logger: logging.Logger | None = None) -> None:
    """Put `OneLine` on every handler of `logger` (the root logger by default), once."""
    for handler in (logger or logging.getLogger()).handlers:
        if not any(isinstance(existing, OneLine) for existing in handler.filters):
            handler.addFilter(OneLine())
