"""Checks on what users say: the ASK model's shape, its samples, and its agreement with
the remedy data and the handlers."""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any

import pytest

from skill import resources
from skill.content import load_remedies
from skill.interaction_model import REMEDY_SLOT_TYPE, load_model, remedy_slot_type
from skill.simulator.device import SimulatedDevice
from skill.simulator.nlu import LanguageModel, normalize

MODEL_LOCALES = sorted(
    entry.name.removesuffix(".json")
    for entry in resources.interaction_model_dir().iterdir()
    if entry.name.endswith(".json")
)
REQUIRED_BUILT_INS = {
    "AMAZON.NextIntent", "AMAZON.PreviousIntent", "AMAZON.RepeatIntent",
    "AMAZON.StartOverIntent", "AMAZON.HelpIntent", "AMAZON.StopIntent",
    "AMAZON.CancelIntent", "AMAZON.FallbackIntent", "AMAZON.NavigateHomeIntent",
    "AMAZON.YesIntent", "AMAZON.NoIntent",
}  # fmt: skip
MIN_SAMPLES = 15


def language(locale: str) -> dict[str, Any]:
    return load_model(locale)["interactionModel"]["languageModel"]  # type: ignore[no-any-return]


def builtin(locale: str) -> dict[str, Any]:
    path = resources.interaction_model_dir() / "builtin" / f"{locale}.json"
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_every_responses_locale_has_a_model() -> None:
    assert set(resources.available_locales()) <= set(MODEL_LOCALES)


@pytest.mark.parametrize("locale", MODEL_LOCALES)
def test_model_shape(locale: str) -> None:
    model = language(locale)
    assert model["invocationName"] == "recovery coach"
    names = [intent["name"] for intent in model["intents"]]
    assert len(names) == len(set(names))
    assert set(names) >= REQUIRED_BUILT_INS
    for intent in model["intents"]:
        declared = {slot["name"] for slot in intent.get("slots", [])}
        used: set[str] = set()
        for sample in intent["samples"]:
            assert sample == sample.lower() and sample.strip() == sample, sample
            assert not re.search(r"\d", sample), f"spell numbers out: {sample!r}"
            assert re.fullmatch(r"[a-z' {}]+", sample), f"stray punctuation: {sample!r}"
            used |= set(re.findall(r"\{(\w+)\}", sample))
        assert used == declared, f"{intent['name']}: slots used {used}, declared {declared}"
        if not intent["name"].startswith("AMAZON."):
            assert len(intent["samples"]) >= MIN_SAMPLES, intent["name"]


@pytest.mark.parametrize("locale", MODEL_LOCALES)
def test_no_phrase_belongs_to_two_intents(locale: str) -> None:
    owners: dict[str, set[str]] = {}
    for intent in language(locale)["intents"]:
        for sample in intent["samples"]:
            owners.setdefault(normalize(sample), set()).add(intent["name"])
    for intent, phrases in builtin(locale)["intents"].items():
        for phrase in phrases:
            owners.setdefault(normalize(phrase), set()).add(intent)
    counts = Counter(
        normalize(s) for i in language(locale)["intents"] for s in i["samples"]
    ) + Counter(normalize(p) for ps in builtin(locale)["intents"].values() for p in ps)
    assert [phrase for phrase, n in counts.items() if n > 1] == []
    assert {phrase: o for phrase, o in owners.items() if len(o) > 1} == {}


@pytest.mark.parametrize("locale", MODEL_LOCALES)
def test_remedy_slot_values_match_the_remedy_data(locale: str) -> None:
    types = [t for t in language(locale)["types"] if t["name"] == REMEDY_SLOT_TYPE]
    expected = remedy_slot_type(load_remedies(resources.pick_locale(locale)))
    assert types == [expected], "run `python -m skill sync-model` after editing remedies.toml"


@pytest.mark.parametrize("locale", MODEL_LOCALES)
def test_every_sample_is_understood_as_its_intent(locale: str) -> None:
    """The simulator's NLU and the model agree: a filled-in sample means its intent."""
    nlu = LanguageModel.for_locale(locale)
    remedy = load_remedies(resources.pick_locale(locale))[2]
    fill = {"AMAZON.NUMBER": "three", "AMAZON.Ordinal": "third", REMEDY_SLOT_TYPE: remedy.name}
    for intent in language(locale)["intents"]:
        types = {slot["name"]: slot["type"] for slot in intent.get("slots", [])}
        for sample in intent["samples"]:
            text = re.sub(r"\{(\w+)\}", lambda m, t=types: fill[t[m.group(1)]], sample)
            understood = nlu.understand(text)
            assert understood.intent == intent["name"], f"{text!r} -> {understood.intent}"
            for value in understood.slots.values():
                if value.custom:
                    assert value.resolved_id == remedy.id, text
                else:
                    assert value.value == "3", text


@pytest.mark.parametrize("locale", MODEL_LOCALES)
def test_every_intent_in_the_model_has_a_handler(locale: str) -> None:
    """Sent through the skill, no intent of the model falls through to the catch-all."""
    device = SimulatedDevice(locale=locale)
    device.launch()
    fallback = device.intent("AMAZON.FallbackIntent").speech
    assert fallback
    for intent in language(locale)["intents"]:
        if intent["name"] == "AMAZON.FallbackIntent":
            continue
        device.launch()
        turn = device.intent(intent["name"])
        assert turn.speech != fallback, f"{intent['name']} has no handler"
