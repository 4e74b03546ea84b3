"""Conversations as data: every file under tests/stories/<locale>/ is a story.

A story is a list of turns. A turn is what the runner says (`say`, understood through
the interaction model as the simulator would), or an exact `intent` with `slots`, or a
`request` such as SessionEndedRequest. It then lists what must be heard (`hear`), what
must not (`not_hear`), the reprompt and card it expects, and whether the session stays
`open`. Every turn goes through `lambda_handler` as a real request envelope.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
from ask_sdk_model import SessionEndedReason

from skill.simulator.device import SimulatedDevice, Turn
from tests.checks import check_response

STORIES = Path(__file__).parent / "stories"
STORY_FILES = sorted(STORIES.glob("*/*.toml"))
TURN_KEYS = {
    "say", "intent", "slots", "request", "attributes", "understood",
    "hear", "not_hear", "reprompt", "card", "no_card", "open", "step",
}  # fmt: skip


def load(path: Path) -> dict[str, Any]:
    story = tomllib.loads(path.read_text(encoding="utf-8"))
    assert story.get("turn"), f"{path.name} has no turns"
    for turn in story["turn"]:
        assert set(turn) <= TURN_KEYS, f"{path.name}: unknown keys {set(turn) - TURN_KEYS}"
        assert sum(key in turn for key in ("say", "intent", "request")) == 1, turn
    return story


def send(device: SimulatedDevice, turn: dict[str, Any]) -> Turn:
    if "attributes" in turn:
        if not device.in_session:
            device.start_session()
        device.attributes = dict(turn["attributes"])
    if "say" in turn:
        result = device.say(turn["say"])
        assert result is not None
        return result
    if "intent" in turn:
        return device.intent(turn["intent"], turn.get("slots", {}))
    assert turn["request"] == "SessionEndedRequest"
    return device.end_session(SessionEndedReason.USER_INITIATED)


def heard(turn: Turn) -> str:
    return " ".join((turn.speech or "").lower().split())


@pytest.mark.parametrize(
    "path", STORY_FILES, ids=[f"{p.parent.name}/{p.stem}" for p in STORY_FILES]
)
def test_story(path: Path) -> None:
    story = load(path)
    # A runner of its own per story, so what one story leaves in the store is not another's.
    user = f"amzn1.ask.account.story-{path.parent.name}-{path.stem}"
    device = SimulatedDevice(locale=path.parent.name, user_id=user)
    for number, expected in enumerate(story["turn"], start=1):
        where = f"{path.name}, turn {number} ({expected.get('say') or expected.get('intent')})"
        turn = send(device, expected)
        check_response(turn)
        if "understood" in expected:
            assert turn.intent == expected["understood"], where
        for words in expected.get("hear", []):
            assert words.lower() in heard(turn), f"{where}: expected {words!r} in {turn.speech!r}"
        for words in expected.get("not_hear", []):
            assert words.lower() not in heard(turn), f"{where}: did not expect {words!r}"
        if "reprompt" in expected:
            assert expected["reprompt"].lower() in (turn.reprompt or "").lower(), where
        if "card" in expected:
            assert turn.card and expected["card"] in turn.card["title"], f"{where}: {turn.card}"
        if expected.get("no_card"):
            assert turn.card is None, where
        if "open" in expected:
            assert turn.end_session is (not expected["open"]), f"{where}: {turn.end_session}"
        if "step" in expected:
            assert device.attributes.get("step") == (expected["step"] or None), where
