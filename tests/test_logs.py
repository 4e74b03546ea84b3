"""Every log line of the doors is one line, capped and escaped, whatever the call site."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from skill import content, logs
from skill.app import build_skill
from skill.lambda_function import handler_for
from skill.simulator.device import SimulatedDevice


@pytest.fixture(name="lines")
def lines_fixture() -> Iterator[io.StringIO]:
    """What a handler with the doors' filter writes."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    logs.install(root)
    level = root.level
    root.setLevel(logging.INFO)
    try:
        yield out
    finally:
        root.setLevel(level)
        root.removeHandler(handler)


def test_a_session_ended_error_message_is_one_capped_line(lines: io.StringIO) -> None:
    device = SimulatedDevice()
    handle = handler_for(build_skill(None))
    device.start_session()
    from ask_sdk_model import SessionEndedRequest
    from ask_sdk_model.session_ended_error import SessionEndedError
    from ask_sdk_model.session_ended_reason import SessionEndedReason

    planted = "FIRST\nERROR fake.logger forged line\r\x1b[2J" + "y" * 100_000
    event = device.envelope(
        SessionEndedRequest(
            **device.request_fields(),
            reason=SessionEndedReason.ERROR,
            error=SessionEndedError(message=planted),
        )
    )
    handle(event, None)
    written = lines.getvalue()
    assert "FIRST" in written, "the message is logged"
    assert written.count("\n") == len(written.splitlines()) and all(
        not line.startswith("ERROR fake.logger") for line in written.splitlines()
    )
    assert "\x1b" not in written and "\r" not in written
    assert max(len(line) for line in written.splitlines()) <= logs.MAX_MESSAGE_CHARS + 100


@pytest.mark.parametrize(
    ("message", "written"),
    [
        ('{"outcome":"ok","status":200}', '{"outcome":"ok","status":200}'),
        ("Grüße, Läufer", "Grüße, Läufer"),
        ("forged\nINFO line", "forged\\nINFO line"),
        ("tab\there", "tab\\there"),
        ("para\u2029graph", "para\\u2029graph"),
        ("x" * (logs.MAX_MESSAGE_CHARS + 10), "x" * (logs.MAX_MESSAGE_CHARS - 3) + "..."),
    ],
)
def test_a_message_without_arguments_is_written_as_is_only_if_it_is_one_short_line(
    lines: io.StringIO, message: str, written: str
) -> None:
    logging.getLogger("skill.test").info(message)
    assert lines.getvalue() == f"INFO skill.test {written}\n"


def test_a_traceback_is_folded_into_its_line(lines: io.StringIO) -> None:
    try:
        raise ValueError("bad\nthing")
    except ValueError:
        logging.getLogger("skill.test").exception("it failed")
    (line,) = lines.getvalue().splitlines()
    assert line.startswith("ERROR skill.test it failed | Traceback")
    assert "ValueError: bad\\nthing" in line


def test_made_up_locales_do_not_grow_the_content_cache(lines: io.StringIO) -> None:
    before = content._content.cache_info().currsize
    for number in range(300):
        assert content.content_for(f"xx-{number}" + "z" * 1000).locale == "en-US"
    assert content._content.cache_info().currsize <= max(before, 1) + 1
    assert len(lines.getvalue()) < 300 * 200, "a made-up locale is not logged whole"
