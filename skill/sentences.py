"""What users say, written as sentence templates and read with hassil.

The templates live in `interaction_model/sentences/<locale>/*.yaml`, in the Home
Assistant intent format that hassil parses: alternatives `(a|b)`, optional words
`[please]`, slot lists `{remedy}` and shared expansion rules `<polite>`. `_model.yaml`
beside them names the invocation, the ASK type of each slot list, the built-in intents
that take no samples of their own, and the word types: custom slot types of words the
skill does not act on ("my {body_part} hurts"), so that one sample stands for every
value, and Alexa's NLU takes others like them, instead of a sample per word.

From them come both the ASK interaction model (every expansion a sample utterance,
slot lists kept as `{slot}`) and the local simulator's understanding (hassil's
recognizer on the same templates), so the two cannot disagree.

The model build (skill.interaction_model) and the simulator (skill.simulator.nlu) both
read what users say through this module, and neither imports the other. Only they import
it: hassil is not for Lambda.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

import yaml
from hassil import Intents
from hassil.intents import SlotList, TextSlotList
from hassil.recognize import recognize_best
from hassil.sample import sample_expression

from skill import resources
from skill.content import Remedy, load_remedies
from skill.text import normalize

if TYPE_CHECKING:
    from importlib.abc import Traversable

MODEL_FILE = "_model.yaml"
BUILTIN_FILE = "_builtin.json"  # what Alexa understands by itself, for the simulator
# Words in a remedy slot that name no remedy are passed on as heard (as Alexa does), but
# only a few: a whole sentence in the slot means the sentence was not understood.
MAX_UNKNOWN_WORDS = 3


@dataclass(frozen=True)
class Heard:
    """What hassil recognised: the intent, and each slot as (heard text, value or None)."""

    intent: str
    slots: dict[str, tuple[str, Any]]


class Templates:
    """One locale's sentence templates, with the slot lists filled from the skill's data."""

    def __init__(self, locale: str, builtin: dict[str, Any]) -> None:
        self.locale = locale
        merged: dict[str, Any] = {"intents": {}}
        settings: dict[str, Any] = {}
        for entry in template_files(locale):
            data = yaml.safe_load(entry.read_text(encoding="utf-8")) or {}
            if entry.name == MODEL_FILE:
                settings = data
                continue
            for key, value in data.items():
                if key == "intents":  # a file may add sentences to an intent of another
                    for name, intent in value.items():
                        known = merged["intents"].setdefault(name, {"data": []})
                        known["data"] = [*known["data"], *intent["data"]]
                elif isinstance(value, dict):
                    duplicated = merged.setdefault(key, {}).keys() & value.keys()
                    if duplicated:
                        raise ValueError(f"{entry.name}: {key} {sorted(duplicated)} defined twice")
                    merged[key].update(value)
                else:
                    merged[key] = value
        # Alexa's own phrases for its built-in intents, as rules the sentences may carry:
        # <alexa_next> is every phrase of AMAZON.NextIntent in _builtin.json.
        rules = merged.setdefault("expansion_rules", {})
        for name, phrases in builtin["intents"].items():
            rules[builtin_rule(name)] = "(" + "|".join(_literal(p) for p in phrases) + ")"
        self.invocation_name: str = settings["invocation_name"]
        self.slot_types: dict[str, str] = settings["slot_types"]
        # Custom slot types of words the skill never reads (skill.interaction_model).
        self.word_types: dict[str, list[str]] = settings.get("word_types") or {}
        self.without_samples: list[str] = settings["builtin_intents_without_samples"]
        # Samples allowed to mean two things, each with the reason (skill.conflicts).
        self.allowed_overlaps: dict[str, str] = {
            normalize(sample): reason
            for sample, reason in (settings.get("allowed_overlaps") or {}).items()
        }
        self.intents = Intents.from_dict(merged)
        self.remedies: tuple[Remedy, ...] = load_remedies(locale)
        self.slot_lists: dict[str, SlotList] = {
            "remedy": TextSlotList.from_tuples(
                [(phrase, remedy.id) for remedy in self.remedies for phrase in remedy.phrases]
            ),
            "number": TextSlotList.from_tuples(
                [(word, value) for word, value in builtin["slotTypes"]["AMAZON.NUMBER"].items()]
            ),
            "ordinal": TextSlotList.from_tuples(
                [(word, value) for word, value in builtin["slotTypes"]["AMAZON.Ordinal"].items()]
            ),
            **{
                slot: TextSlotList.from_strings(self.word_types[kind])
                for slot, kind in self.slot_types.items()
                if kind in self.word_types
            },
        }
        # Alexa understands its own built-in intents without samples; the simulator
        # learns them from the built-in data, as extra sentences for those intents.
        self.recognizer = Intents.from_dict(
            {
                "language": merged["language"],
                "intents": {
                    **{
                        name: {"data": [{"sentences": [_literal(p) for p in phrases]}]}
                        for name, phrases in builtin["intents"].items()
                        if name not in merged["intents"]
                    },
                    **_with_builtin_phrases(merged["intents"], builtin["intents"]),
                },
                "expansion_rules": merged.get("expansion_rules", {}),
            }
        )
        self.skip_words: list[str] = list(builtin["fillers"])

    def samples(self) -> dict[str, list[str]]:
        """Every expansion of every intent's templates, slot lists kept as `{slot}`."""
        rules = self.intents.expansion_rules
        found: dict[str, list[str]] = {}
        for name, intent in self.intents.intents.items():
            seen: dict[str, None] = {}
            for data in intent.data:
                local_rules = {**rules, **data.expansion_rules}
                for sentence in data.sentences:
                    for text in sample_expression(
                        sentence.expression, self.slot_lists, local_rules, expand_lists=False
                    ):
                        seen.setdefault(" ".join(text.lower().split()), None)
            found[name] = list(seen)
        return found

    # Understanding typed text ---------------------------------------------------------

    def recognize(self, text: str, *, accept_unknown_values: bool = False) -> Heard | None:
        """The intent and slots for normalised text, or None. With `accept_unknown_values`,
        a remedy slot may hold words that name no remedy, as Alexa passes them on."""
        result = recognize_best(
            text,
            self.recognizer,
            slot_lists=self.slot_lists,
            skip_words=self.skip_words,
            allow_unmatched_entities=accept_unknown_values,
            language=self.intents.language,
        )
        if result is None:
            return None
        slots = {
            name: (entity.text_clean, entity.value) for name, entity in result.entities.items()
        }
        if accept_unknown_values:
            if set(result.unmatched_entities) - {"remedy"} or not result.text_chunks_matched:
                return None
            for name, unmatched in result.unmatched_entities.items():
                heard = normalize(getattr(unmatched, "text", ""))
                if not heard or len(heard.split()) > MAX_UNKNOWN_WORDS:
                    return None
                slots[name] = (heard, None)
        return Heard(result.intent.name, slots)


def sentences_dir() -> Traversable:
    return resources.interaction_model_dir() / "sentences"


def template_files(locale: str) -> list[Traversable]:
    """The locale's template files, file by file: its own folder's, else its language's."""
    chosen = resources.files(sentences_dir(), locale, ".yaml")
    if MODEL_FILE not in chosen:
        raise FileNotFoundError(f"no sentence templates for {locale} under {sentences_dir()}")
    return list(chosen.values())


@cache
def word_slots(locale: str) -> frozenset[str]:
    """The slots whose words the skill never reads: their type is one of `_model.yaml`'s
    word types (a body part named in a complaint changes nothing the skill says)."""
    path = resources.find(sentences_dir(), locale, MODEL_FILE)
    settings = yaml.safe_load(path.read_text(encoding="utf-8"))
    kinds = settings.get("word_types") or {}
    return frozenset(slot for slot, kind in settings["slot_types"].items() if kind in kinds)


def load_builtin(locale: str) -> dict[str, Any]:
    """What Alexa understands by itself in a locale (yes, stop, numbers, ordinals, "open
    ...", "ask ... to ..."): `sentences/<locale or language>/_builtin.json`."""
    path = resources.find(sentences_dir(), locale, BUILTIN_FILE)
    builtin: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return builtin


def builtin_rule(intent: str) -> str:
    """The rule holding Alexa's phrases for a built-in intent: AMAZON.StartOverIntent's
    is `alexa_start_over`."""
    bare = intent.removeprefix("AMAZON.").removesuffix("Intent")
    return "alexa_" + re.sub(r"(?<!^)(?=[A-Z])", "_", bare).lower()


def _literal(phrase: str) -> str:
    """A built-in phrase as a template that matches only itself."""
    return re.sub(r"[()\[\]{}<>|]", " ", phrase)


def _with_builtin_phrases(intents: dict[str, Any], builtin: dict[str, list[str]]) -> dict[str, Any]:
    combined = dict(intents)
    for name, phrases in builtin.items():
        if name in combined:
            data = [*combined[name]["data"], {"sentences": [_literal(p) for p in phrases]}]
            combined[name] = {**combined[name], "data": data}
    return combined
