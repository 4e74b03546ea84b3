"""One realistic session as replayable request envelopes, the same for both skills.

A session is recorded once per skill by driving `skill.simulator.device.SimulatedDevice`
through that skill's handler, so every envelope is a real one and carries the session
attributes that very skill returned (as Alexa would send them back). The recording keeps
placeholders for the user, session and request ids; each replay fills them in anew, so
every replayed session is a new runner and the store is read and written as in life.

Nothing here but `record` imports the skill: benchmark child processes replay sessions
without loading the simulator, which would otherwise count against their memory.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

Event = dict[str, Any]
Handler = Callable[[Event, Any], Event]

USER, SESSION, REQUEST = "@@USER@@", "@@SESSION@@", "@@REQUEST@@"

# The realistic session: open, all eight steps, back, repeat, a question, help, stop,
# and the SessionEndedRequest. Intents are named directly (not typed) so both skills get
# byte-identical request shapes whatever the simulator's language model does.
SCRIPT: tuple[str, ...] = (
    *("AMAZON.NextIntent",) * 8,
    "AMAZON.PreviousIntent",
    "AMAZON.RepeatIntent",
    "WhyIntent",
    "AMAZON.HelpIntent",
)


@contextmanager
def without_faults(what: str) -> Iterator[None]:
    """Raise if anything logs a warning or worse meanwhile (a failed request, a store
    fault): ours answers those with a 200 and an apology, and timing the error path
    would be a lie. Imports logging only when used, to keep memory children lean."""
    import logging

    class Collect(logging.Handler):
        def __init__(self) -> None:
            super().__init__(logging.WARNING)
            self.messages: list[str] = []

        def emit(self, record: logging.LogRecord) -> None:
            self.messages.append(f"{record.name}: {record.getMessage()}")

    collect, root = Collect(), logging.getLogger()
    root.addHandler(collect)
    try:
        yield
    finally:
        root.removeHandler(collect)
    if collect.messages:
        raise RuntimeError(f"{what}: {len(collect.messages)} faults, first: {collect.messages[0]}")


def record(handler: Handler) -> list[str]:
    """The session's envelopes as JSON texts with id placeholders, recorded on `handler`."""
    with without_faults("recording a session"):
        return _record(handler)


def _record(handler: Handler) -> list[str]:
    from skill.simulator.device import SimulatedDevice

    recorded: list[Event] = []

    def send(event: Event) -> Event:
        recorded.append(event)
        return handler(event, None)

    user_id = f"amzn1.ask.account.bench-recording-{uuid.uuid4()}"
    device = SimulatedDevice(send=send, user_id=user_id)
    device.launch()
    for intent in SCRIPT:
        device.intent(intent)
    session_id = device.session_id
    device.intent("AMAZON.StopIntent")
    device.session_id = session_id  # stop closed it; the SessionEndedRequest names it again
    device.end_session()
    return [_templated(event, user_id) for event in recorded]


def _templated(event: Event, user_id: str) -> str:
    event = json.loads(json.dumps(event))
    session_id = event["session"]["sessionId"]
    event["request"]["requestId"] = REQUEST
    return json.dumps(event).replace(user_id, USER).replace(session_id, SESSION)


def bodies(template: list[str], user_id: str | None = None) -> list[str]:
    """One new session's request bodies (JSON text): a new runner, session and requests."""
    user = user_id or f"amzn1.ask.account.bench-{uuid.uuid4()}"
    session = f"amzn1.echo-api.session.bench-{uuid.uuid4()}"
    return [
        text.replace(USER, user)
        .replace(SESSION, session)
        .replace(REQUEST, f"amzn1.echo-api.request.{session[-36:]}-{turn}")
        for turn, text in enumerate(template)
    ]


def events(template: list[str], user_id: str | None = None) -> list[Event]:
    """One new session's envelopes as dicts, ready for a Lambda handler."""
    return [json.loads(text) for text in bodies(template, user_id)]
