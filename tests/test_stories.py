"""Conversations as data: every file under tests/stories/<language>/ is a story, told in
each locale of that language; a locale's own folder (tests/stories/en-GB/) may replace a
story file by file, the rule of skill/resources.py.

A story is a list of turns. A turn is what the runner says (`say`, understood through
the interaction model as the simulator would), or an exact `intent` with `slots`
(resolved as Alexa would) or `raw_slots` (sent exactly as heard: a built-in slot holding
words such as "seven" or "next", a custom slot whose entity resolution found no match),
or a `request` such as SessionEndedRequest. It then lists what must be heard (`hear`), what
must not (`not_hear`), the reprompt and card it expects, and whether the session stays
`open`. Every turn goes through `lambda_handler` as a real request envelope.

Counts and remedy names come from the data, as placeholders: `{total}` (how many steps),
`{last}` (the last step's number), `{title3}`, `{name3}`, `{short3}` (step 3's), and
`{last_title}`, `{last_name}`, `{last_short}`; so a ninth remedy needs no story edits.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from ask_sdk_model import SessionEndedReason

from skill import resources
from skill.content import content_for
from skill.simulator.device import SimulatedDevice, Turn
from skill.simulator.nlu import SlotValue
from tests.checks import check_response

STORIES = Path(__file__).parent / "stories"


def story_files(locale: str, root: Path = STORIES) -> list[Path]:
    """The locale's stories, file by file: its own folder's, else its language's."""
    return [Path(str(path)) for path in resources.files(root, locale, ".toml").values()]


def placeholders(locale: str) -> dict[str, object]:
    remedies = content_for(locale).remedies
    values: dict[str, object] = {"total": len(remedies), "last": len(remedies)}
    for number, remedy in enumerate(remedies, start=1):
        for field in ("title", "name", "short"):
            values[f"{field}{number}"] = getattr(remedy, field)
    for field in ("title", "name", "short"):
        values[f"last_{field}"] = getattr(remedies[-1], field)
    return values


def filled(value: Any, values: dict[str, object]) -> Any:
    if isinstance(value, str):
        return value.format_map(values)
    if isinstance(value, list):
        return [filled(item, values) for item in value]
    if isinstance(value, dict):
        return {key: filled(item, values) for key, item in value.items()}
    return value


TURN_KEYS = {
    "say", "intent", "slots", "raw_slots", "request", "attributes", "understood",
    "hear", "not_hear", "reprompt", "card", "no_card", "open", "step",
}  # fmt: skip


def load(path: Path, locale: str) -> dict[str, Any]:
    story = filled(tomllib.loads(path.read_text(encoding="utf-8")), placeholders(locale))
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
        declared = device.model.declared_slots(turn["intent"])
        raw = {  # as heard, unresolved: Alexa's envelope when its matching found nothing
            name: SlotValue(value, custom=not declared.get(name, "").startswith("AMAZON."))
            for name, value in turn.get("raw_slots", {}).items()
        }
        return device.intent(turn["intent"], {**turn.get("slots", {}), **raw})
    assert turn["request"] == "SessionEndedRequest"
    return device.end_session(SessionEndedReason.USER_INITIATED)


def heard(turn: Turn) -> str:
    return " ".join((turn.speech or "").lower().split())


def test_stories(locale: str) -> None:
    paths = story_files(locale)
    assert paths, f"no stories for {locale}"
    for path in paths:
        tell(path, locale)


def tell(path: Path, locale: str) -> None:
    story = load(path, locale)
    # A runner of its own per story, so what one story leaves in the store is not another's.
    user = f"amzn1.ask.account.story-{locale}-{path.stem}"
    device = SimulatedDevice(locale=locale, user_id=user)
    for number, expected in enumerate(story["turn"], start=1):
        where = (
            f"{locale} {path.name}, turn {number} ({expected.get('say') or expected.get('intent')})"
        )
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
            step = int(expected["step"])  # a number, or a placeholder such as "{last}"
            assert device.dialogue.get("step") == (step or None), where
