"""Reading request envelopes: the skill's serializer gives exactly what the SDK's own
gives, with the timestamp read by the standard library where it is ISO 8601."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from ask_sdk_core.exceptions import SerializationException
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope

from skill.app import shared_skill
from skill.envelope import EnvelopeSerializer, read_event
from skill.simulator.device import WITH_SCREEN, SimulatedDevice


def recorded_events() -> list[dict[str, Any]]:
    """Real envelopes of one session: launch, an intent with a slot, a screen touch, the end."""
    events: list[dict[str, Any]] = []

    def send(event: dict[str, Any]) -> dict[str, Any]:
        events.append(event)
        reply: dict[str, Any] = shared_skill().serializer.serialize(
            shared_skill().invoke(read_event(shared_skill().serializer, event), None)
        )
        return reply

    device = SimulatedDevice(send=send, supported_interfaces=WITH_SCREEN)
    device.launch()
    device.intent("GoToRemedyIntent", {"remedy": "foam rolling"})
    device.intent("AMAZON.NextIntent")
    device.end_session()
    return events


# As Alexa writes them, and forms it does not, which the SDK also reads.
TIMESTAMPS = [
    "2026-12-05T22:44:18Z",
    "2026-12-05T22:44:18.123Z",
    "2026-12-05T22:44:18.123456Z",
    "2026-12-05T22:44:18+00:00",
    "2026-12-05T23:44:18+01:00",
    "2026-12-05T22:44:18",
    "2026-12-05",
    "Sat, 05 Dec 2026 22:44:18 GMT",  # not ISO 8601: the SDK reads it
    "5 December 2026 22:44",
]


@pytest.mark.parametrize("stamp", TIMESTAMPS)
def test_an_envelope_reads_as_the_sdk_reads_it(stamp: str) -> None:
    for event in recorded_events():
        event["request"]["timestamp"] = stamp
        ours = read_event(EnvelopeSerializer(), event)
        sdks = DefaultSerializer().deserialize(json.dumps(event), RequestEnvelope)
        assert ours == sdks
        assert ours.request.timestamp == sdks.request.timestamp
        assert (ours.request.timestamp.utcoffset() is None) == (
            sdks.request.timestamp.utcoffset() is None
        )
        # The web door hands the serializer the body as text.
        assert EnvelopeSerializer().deserialize(json.dumps(event), RequestEnvelope) == sdks


def test_alexas_timestamp_is_a_utc_time() -> None:
    event = recorded_events()[0]
    event["request"]["timestamp"] = "2026-12-05T22:44:18Z"
    timestamp = read_event(EnvelopeSerializer(), event).request.timestamp
    assert timestamp == datetime(2026, 12, 5, 22, 44, 18, tzinfo=UTC)


@pytest.mark.parametrize("stamp", ["yesterday-ish", "", 12])
def test_a_timestamp_no_reader_understands_fails_as_in_the_sdk(stamp: object) -> None:
    event = recorded_events()[0]
    event["request"]["timestamp"] = stamp
    with pytest.raises(SerializationException):
        DefaultSerializer().deserialize(json.dumps(event), RequestEnvelope)
    with pytest.raises(SerializationException):
        read_event(EnvelopeSerializer(), event)


@pytest.mark.parametrize(
    "body", ["not json", "[1, 2]", "{}", '{"request": 3}', "[" * 100_000 + "]" * 100_000]
)
def test_other_bodies_get_what_the_sdk_gives(body: str) -> None:
    try:
        expected: object = DefaultSerializer().deserialize(body, RequestEnvelope)
    except SerializationException:
        with pytest.raises(SerializationException):
            EnvelopeSerializer().deserialize(body, RequestEnvelope)
    else:
        assert EnvelopeSerializer().deserialize(body, RequestEnvelope) == expected


def test_every_door_reads_through_it() -> None:
    assert isinstance(shared_skill().serializer, EnvelopeSerializer)
