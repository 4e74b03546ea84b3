"""Checks on what users say: the generated ASK model follows Alexa's rules, stays well
inside its limits, is not stale, and agrees with the templates, the remedy data and the
handlers.

Alexa's rules for sample utterances: words only (an apostrophe, or a period in an
abbreviation, are the only punctuation), numbers spelled out, each `{slot}` set off by
spaces and declared on its intent, no sample under two intents. The limits we keep to
are named in the README.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pytest
import yaml

from skill import conflicts, resources, sentences
from skill.content import load_remedies
from skill.interaction_model import (
    REMEDY_SLOT_TYPE,
    as_text,
    check_conflicts,
    generate,
    load_conflicts,
    load_model,
    model_locales,
    model_path,
    remedy_slot_type,
)
from skill.sentences import Templates, builtin_rule, load_builtin, sentences_dir, word_slots
from skill.simulator.device import SimulatedDevice
from skill.simulator.nlu import FALLBACK, LanguageModel, LiteralMatcher
from skill.text import normalize

MODEL_LOCALES = model_locales()
REQUIRED_BUILT_INS = {
    "AMAZON.NextIntent", "AMAZON.PreviousIntent", "AMAZON.RepeatIntent",
    "AMAZON.StartOverIntent", "AMAZON.HelpIntent", "AMAZON.StopIntent",
    "AMAZON.CancelIntent", "AMAZON.FallbackIntent", "AMAZON.NavigateHomeIntent",
    "AMAZON.YesIntent", "AMAZON.NoIntent",
}  # fmt: skip
MIN_SAMPLES = 15  # a custom intent with fewer is one Alexa will hardly recognise
MAX_SAMPLES_PER_INTENT = 2_000  # a ceiling other voice platforms document
MAX_SAMPLES = 25_000  # ours: keeps the model near a megabyte
MAX_SAMPLE_CHARACTERS = 200
MAX_INTENTS = 250  # Alexa's limit, custom and built-in together
AGREEMENT_CHECKS = 400  # samples per locale sent through the chat's recognizer

WORD = r"[^\W\d_]+(?:'[^\W\d_]+)*'?"  # letters, in any script, with apostrophes
SAMPLE = re.compile(rf"(?:{WORD}|\{{\w+\}})(?: (?:{WORD}|\{{\w+\}}))*")


def language(locale: str) -> dict[str, Any]:
    return load_model(locale)["interactionModel"]["languageModel"]  # type: ignore[no-any-return]


def test_every_responses_locale_has_a_model() -> None:
    assert set(resources.locales()) == set(MODEL_LOCALES)
    for locale in MODEL_LOCALES:
        assert model_path(locale).is_file(), f"run `python -m skill sync-model` for {locale}"


def test_the_model_is_generated_from_the_templates(locale: str) -> None:
    """The checked-in model is exactly what the templates and remedy data make."""
    assert model_path(locale).read_text(encoding="utf-8") == as_text(generate(locale)), (
        "stale: run `python -m skill sync-model`"
    )


def test_the_conflict_record_is_fresh(locale: str) -> None:
    """No sample means two things: checked when the model is generated, recorded with the
    digest of the model checked. The record must be of the model as it is now."""
    record = load_conflicts(locale)
    text = model_path(locale).read_text(encoding="utf-8")
    assert record["model_sha256"] == conflicts.digest(text), "stale: run sync-model"
    allowed = Templates(locale, load_builtin(locale)).allowed_overlaps
    for overlap in record["allowed"]:
        assert allowed.get(normalize(overlap["sample"])) == overlap["reason"] != ""


def test_a_sample_with_two_meanings_fails_generation(tmp_path: Any, monkeypatch: Any) -> None:
    """A template that makes a sample another intent's templates also make, through a slot
    standing for its values, is refused when the model is generated."""
    locale = resources.DEFAULT_LOCALE
    remedy = load_remedies(locale)[0]
    extra = tmp_path / "ambiguous.yaml"
    extra.write_text(
        "intents:\n  WhyIntent:\n    data:\n      - sentences:\n"
        f'          - "tell me about {normalize(remedy.name)}"\n',
        encoding="utf-8",
    )
    extra_rule = tmp_path / "ambiguous_next.yaml"
    extra_rule.write_text(
        'intents:\n  HowManyStepsIntent:\n    data:\n      - sentences:\n          - "<alexa_next>"\n',
        encoding="utf-8",
    )
    files = sentences.template_files(locale)
    for added in (extra, extra_rule):
        monkeypatch.setattr(sentences, "template_files", lambda _locale, a=added: [*files, a])
        with pytest.raises(conflicts.AmbiguousSamples):
            check_conflicts(locale)


def test_built_in_intents_have_carried_samples(locale: str) -> None:
    """Alexa's built-in intents take their own phrases as samples, and carried forms."""
    samples = {i["name"]: set(i["samples"]) for i in language(locale)["intents"]}
    templates = Templates(locale, load_builtin(locale))
    openers = templates.intents.expansion_rules["opener"]
    opener = next(iter(sentences.sample_expression(openers.expression, {}, {})))
    for intent, phrases in load_builtin(locale)["intents"].items():
        if intent in {"AMAZON.NavigateHomeIntent", "AMAZON.FallbackIntent"}:
            continue
        assert builtin_rule(intent) in templates.intents.expansion_rules
        assert {normalize(p) for p in phrases} <= samples[intent], intent
        assert any(s.startswith(opener + " ") for s in samples[intent]), intent


def test_samples_follow_alexas_rules(locale: str) -> None:
    model = language(locale)
    invocation = model["invocationName"]
    assert re.fullmatch(rf"{WORD}(?: {WORD})+", invocation) and invocation == invocation.lower()
    names = [intent["name"] for intent in model["intents"]]
    assert len(names) == len(set(names)) and len(names) <= MAX_INTENTS
    assert set(names) >= REQUIRED_BUILT_INS
    for intent in model["intents"]:
        declared = {slot["name"] for slot in intent.get("slots", [])}
        used: set[str] = set()
        for sample in intent["samples"]:
            assert sample == sample.lower(), sample
            assert not re.search(r"\d", sample), f"spell numbers out: {sample!r}"
            assert SAMPLE.fullmatch(sample), (
                f"only words and {{slots}} set off by spaces: {sample!r}"
            )
            assert len(sample) <= MAX_SAMPLE_CHARACTERS, sample
            used |= set(re.findall(r"\{(\w+)\}", sample))
        assert used == declared, f"{intent['name']}: slots used {used}, declared {declared}"
        assert len(intent["samples"]) <= MAX_SAMPLES_PER_INTENT, intent["name"]
        if not intent["name"].startswith("AMAZON."):
            assert len(intent["samples"]) >= MIN_SAMPLES, intent["name"]
    assert sum(len(intent["samples"]) for intent in model["intents"]) <= MAX_SAMPLES


def test_no_phrase_belongs_to_two_intents(locale: str) -> None:
    """Neither two of our intents, nor one of ours and one of Alexa's own phrases."""
    owners: dict[str, set[str]] = {}
    for intent in language(locale)["intents"]:
        for sample in intent["samples"]:
            owners.setdefault(normalize(sample), set()).add(intent["name"])
    for intent, phrases in load_builtin(locale)["intents"].items():
        for phrase in phrases:
            owners.setdefault(normalize(phrase), set()).add(intent)
    counts = Counter(normalize(s) for i in language(locale)["intents"] for s in i["samples"])
    assert [phrase for phrase, n in counts.items() if n > 1] == []
    assert {phrase: o for phrase, o in owners.items() if len(o) > 1} == {}


def test_the_remedy_slot_holds_every_name_the_skill_speaks(locale: str) -> None:
    remedies = load_remedies(locale)
    types = [t for t in language(locale)["types"] if t["name"] == REMEDY_SLOT_TYPE]
    assert types == [remedy_slot_type(remedies)]
    nlu = LanguageModel.for_locale(locale)
    for remedy in remedies:
        for said in (remedy.name, remedy.title, remedy.short, *remedy.synonyms):
            value = nlu.slot_value(REMEDY_SLOT_TYPE, normalize(said))
            assert value is not None and value.resolved_id == remedy.id, said


def test_slot_lists_stay_slots_in_the_samples(locale: str) -> None:
    """No remedy name is spelled out inside a sample: it would bypass the slot."""
    names = {
        normalize(phrase)
        for remedy in load_remedies(locale)
        for phrase in (remedy.name, remedy.title)
    }
    for intent in language(locale)["intents"]:
        if any(slot["type"] == REMEDY_SLOT_TYPE for slot in intent.get("slots", [])):
            for sample in intent["samples"]:
                assert not any(f" {name} " in f" {sample} " for name in names), sample


def test_the_chat_understands_the_models_samples(locale: str) -> None:
    """The chat (hassil on the templates) and the model agree: a filled-in sample means
    its intent. Every sample is checked across a spread of the model, not just the first."""
    nlu = LanguageModel.for_locale(locale)
    builtin = load_builtin(locale)
    remedy = load_remedies(locale)[-1]
    number_word, number = next(
        iter(sorted(builtin["slotTypes"]["AMAZON.NUMBER"].items(), key=lambda kv: kv[1] != 3))
    )
    ordinal_word = next(w for w, n in builtin["slotTypes"]["AMAZON.Ordinal"].items() if n == number)
    fill = {
        "AMAZON.NUMBER": number_word,
        "AMAZON.Ordinal": ordinal_word,
        REMEDY_SLOT_TYPE: normalize(remedy.name),
        # Word types (a body part): any of their words; the skill never reads them.
        **{
            kind["name"]: kind["values"][-1]["name"]["value"]
            for kind in language(locale).get("types", [])
            if kind["name"] != REMEDY_SLOT_TYPE
        },
    }
    unread = word_slots(locale)
    samples = [
        (intent, sample) for intent in language(locale)["intents"] for sample in intent["samples"]
    ]
    stride = max(1, len(samples) // AGREEMENT_CHECKS)
    for intent, sample in samples[::stride]:
        types = {slot["name"]: slot["type"] for slot in intent.get("slots", [])}
        text = re.sub(r"\{(\w+)\}", lambda m, t=types: fill[t[m.group(1)]], sample)
        understood = nlu.understand(text)
        assert understood.intent == intent["name"], f"{text!r} -> {understood.intent}"
        for name, value in understood.slots.items():
            if name in unread:
                continue
            expected = remedy.id if value.custom else str(number)
            assert (value.resolved_id if value.custom else value.value) == expected, text


def test_templates_keep_slot_lists_the_model_declares(locale: str) -> None:
    templates = Templates(locale, load_builtin(locale))
    assert set(templates.slot_types) <= set(templates.slot_lists)


def test_every_intent_in_the_model_has_a_handler(locale: str) -> None:
    """Sent through the skill, no intent of the model falls through to the catch-all: from
    the same point of a conversation (a new runner, just welcomed), each real intent must
    answer otherwise than an intent the skill has never heard of."""

    def answer(intent: str) -> str | None:
        device = SimulatedDevice(locale=locale)  # a new runner each time: the same state
        device.launch()
        return device.intent(intent).speech

    unknown = answer("NoSuchIntentInThisModel")
    assert unknown
    for intent in language(locale)["intents"]:
        if intent["name"] != "AMAZON.FallbackIntent":
            assert answer(intent["name"]) != unknown, f"{intent['name']} reaches no handler"


def test_what_the_chat_folds_from_typing_the_model_never_needs(locale: str) -> None:
    """Typed apostrophe-less forms ("whats", "lets") are the chat's to fold: no sample
    spells one, and each typed form of a sample means what the sample means."""
    typed = {normalize(k): normalize(v) for k, v in load_builtin(locale)["typed"].items()}
    nlu = LanguageModel.for_locale(locale)
    folded_somewhere = 0
    for intent in language(locale)["intents"]:
        for sample in intent["samples"]:
            words = sample.split()
            assert not set(words) & set(typed), f"{sample!r} spells a typed form"
            if "{" in sample or folded_somewhere > 40:
                continue
            spoken_to_typed = {spoken: form for form, spoken in typed.items()}
            as_typed = [spoken_to_typed.get(word, word) for word in words]
            if as_typed != words:
                folded_somewhere += 1
                understood = nlu.understand(" ".join(as_typed)).intent
                assert understood == intent["name"], f"{' '.join(as_typed)!r} -> {understood}"
    assert folded_somewhere, "no sample has a form people type without its apostrophe"


def test_a_carrier_alone_keeps_a_meaning_of_its_own(locale: str) -> None:
    """Every opener said alone ("okay", "done", "got it") is understood, by the model's
    samples and the chat alike, never as a miss; hesitations ("um"), which carry no
    meaning of their own, are Alexa's fillers and may go unheard."""
    rules = yaml.safe_load(
        resources.find(sentences_dir(), locale, "_rules.yaml").read_text(encoding="utf-8")
    )["expansion_rules"]
    fillers = {normalize(f) for f in load_builtin(locale)["fillers"]}
    openers = [o for o in rules["opener"].strip("()").split("|") if normalize(o) not in fillers]
    literal, chat = LiteralMatcher.for_locale(locale), LanguageModel.for_locale(locale)
    for opener in openers:
        by_samples, by_chat = literal.understand(opener).intent, chat.understand(opener).intent
        assert by_samples != FALLBACK, f"{opener!r} alone means nothing in the model"
        assert by_samples == by_chat, f"{opener!r}: model {by_samples}, chat {by_chat}"
