"""Understanding typed utterances the way Alexa would, for the local simulator.

Two readers share what Alexa understands by itself (yes, stop, numbers, ordinals,
"open ...", "ask ... to ..."), from `sentences/<language or locale>/_builtin.json`:

- `LanguageModel` (what the chat uses) recognises with hassil, on the same sentence
  templates the ASK model is generated from (`skill.sentences`), tolerant of case,
  punctuation and filler words anywhere.
- `SampleMatcher` matches the generated model's samples literally, after folding case
  and punctuation and dropping filler words at either end: what any sample-matching
  simulator sees, and the worst case on Alexa. `LiteralMatcher` folds case and
  punctuation only.

Both read typed text as speech arrives: digits as words ("a 10k" is "a ten k") and the
apostrophe-less forms people type ("whats", "lets", "im": `typed` in `_builtin.json`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import Any, Self

from skill import resources
from skill.sentences import Templates, load_builtin
from skill.text import normalize

FALLBACK = "AMAZON.FallbackIntent"
_SLOT = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class SlotValue:
    value: str  # what was heard, or the number as Alexa sends it ("3")
    resolved_id: str | None = None  # custom slot types: the matched value's id
    resolved_name: str | None = None
    custom: bool = False  # a custom slot type, which carries entity resolutions


@dataclass(frozen=True)
class Understanding:
    intent: str
    slots: dict[str, SlotValue] = field(default_factory=dict)


@dataclass(frozen=True)
class Utterance:
    """A line as the simulator reads it: open the skill, a one-shot request, or a turn."""

    kind: str  # "launch", "one_shot" or "turn"
    understanding: Understanding | None = None


@dataclass(frozen=True)
class _Sample:
    intent: str
    pattern: re.Pattern[str]
    slots: tuple[str, ...]
    literal_length: int  # words outside slots: longer samples are more specific


class _Reader:
    """What both readers share: Alexa's own meanings, slot values, launch and one-shot."""

    def __init__(self, locale: str, model: dict[str, Any], builtin: dict[str, Any]) -> None:
        self.locale = locale
        language = model["interactionModel"]["languageModel"]
        self.invocation_name = normalize(language["invocationName"])
        self._value_ids: dict[str, dict[str, tuple[str, str]]] = {}  # type -> phrase -> (id, name)
        for slot_type in language.get("types", []):
            table: dict[str, tuple[str, str]] = {}
            for value in slot_type["values"]:
                name = value["name"]["value"]
                value_id = value.get("id", name)
                for phrase in [name, *value["name"].get("synonyms", [])]:
                    table[normalize(phrase)] = (value_id, name)
            self._value_ids[slot_type["name"]] = table
        self._builtin_values: dict[str, dict[str, int]] = {
            name: {normalize(word): number for word, number in words.items()}
            for name, words in builtin["slotTypes"].items()
        }
        self._number_words = {
            str(number): word for word, number in builtin["slotTypes"]["AMAZON.NUMBER"].items()
        }
        self._typed = {normalize(typed): spoken for typed, spoken in builtin["typed"].items()}
        self._slot_types: dict[str, dict[str, str]] = {  # intent -> slot -> type
            intent["name"]: {slot["name"]: slot["type"] for slot in intent.get("slots", [])}
            for intent in language["intents"]
        }
        self._fillers = sorted(
            (normalize(filler) for filler in builtin["fillers"]), key=len, reverse=True
        )
        self._articles = [normalize(article) + " " for article in builtin["articles"]]
        self._launch = [self._invocation_pattern(p) for p in builtin["launch"]]
        self.launch_phrase = builtin["launch"][0].replace("{invocation}", self.invocation_name)
        # The most specific pattern first: "tell {invocation} to {request}" before
        # "tell {invocation} {request}", so "to" is not taken as part of the request.
        one_shot = sorted(builtin["oneShot"], key=lambda p: -len(_SLOT.sub("", p).split()))
        self._one_shot = [self._invocation_pattern(p) for p in one_shot]

    @classmethod
    @cache
    def for_locale(cls, locale: str) -> Self:
        """The reader of a supported locale (raises for any other: the simulator never
        quietly understands one locale as another)."""
        if resources.supported(locale) != locale:
            raise ValueError(
                f"{locale!r} is not a supported locale: {', '.join(resources.locales())}"
            )
        folder = resources.interaction_model_dir()
        model = json.loads((folder / f"{locale}.json").read_text(encoding="utf-8"))
        return cls(locale, model, load_builtin(locale))

    def _invocation_pattern(self, phrase: str) -> re.Pattern[str]:
        return _pattern(phrase.replace("{invocation}", self.invocation_name))

    def declared_slots(self, intent: str) -> dict[str, str]:
        return dict(self._slot_types.get(intent, {}))

    def read(self, text: str) -> Utterance | None:
        """What a typed line asks for; None for a line with no words."""
        words = self.words(text)
        if not words:
            return None
        for candidate in self._without_fillers(words):
            if any(pattern.fullmatch(candidate) for pattern in self._launch):
                return Utterance("launch")
            for pattern in self._one_shot:
                match = pattern.fullmatch(candidate)
                if match:
                    return Utterance("one_shot", self.understand(match.group("request")))
        return Utterance("turn", self.understand(words))

    def words(self, text: str) -> str:
        """Typed text as Alexa would hear it: lower case, no punctuation, numbers in words
        ("a 10k" is "a ten k"), apostrophes where speech has them ("whats" is "what's")."""
        spaced = re.sub(r"(?<=\d)(?=[^\d\s])|(?<=[^\d\s])(?=\d)", " ", normalize(text))
        return " ".join(
            self._typed.get(word, self._number_words.get(word, word)) for word in spaced.split()
        )

    def understand(self, text: str) -> Understanding:
        raise NotImplementedError

    def _without_fillers(self, words: str) -> list[str]:
        """The utterance, then with filler words dropped from either end, one at a time."""
        candidates = [words]
        changed = True
        while changed:
            changed = False
            for filler in self._fillers:
                current = candidates[-1]
                for trimmed in (
                    current.removeprefix(filler + " ")
                    if current.startswith(filler + " ")
                    else None,
                    current.removesuffix(" " + filler) if current.endswith(" " + filler) else None,
                ):
                    if trimmed and trimmed != current:
                        candidates.append(trimmed)
                        changed = True
                        break
        return candidates

    def slot_value(self, slot_type: str, heard: str) -> SlotValue | None:
        """A heard slot value, resolved the way Alexa would for this slot type."""
        heard = normalize(heard)
        if slot_type in self._value_ids:
            table = self._value_ids[slot_type]
            resolved = table.get(heard)
            for article in self._articles:
                if resolved is None and heard.startswith(article):
                    resolved = table.get(heard.removeprefix(article))
            if resolved is None:
                return SlotValue(heard, custom=True)
            return SlotValue(heard, resolved_id=resolved[0], resolved_name=resolved[1], custom=True)
        number = self._builtin_number(slot_type, heard)
        return None if number is None else SlotValue(str(number))

    def _builtin_number(self, slot_type: str, heard: str) -> int | None:
        if heard.isdigit():
            return int(heard)
        table = self._builtin_values.get(slot_type, {})
        if heard in table:
            return table[heard]
        parts = heard.split()
        if len(parts) > 1 and all(part in table for part in parts):  # "twenty one"
            return sum(table[part] for part in parts)
        return None


class LanguageModel(_Reader):
    """The chat's understanding: hassil on the sentence templates."""

    def __init__(self, locale: str, model: dict[str, Any], builtin: dict[str, Any]) -> None:
        super().__init__(locale, model, builtin)
        self._builtin = builtin

    @cached_property
    def templates(self) -> Templates:
        """Read on the first typed line."""
        return Templates(self.locale, self._builtin)

    def understand(self, text: str) -> Understanding:
        """The intent and slots for an utterance; the fallback intent when nothing fits.

        Words that name no remedy in a remedy slot ("skip to the hot tub") are taken only
        when nothing matches fully, as Alexa passes such values on too. What hassil cannot
        place at all is matched against the model's samples (`SampleMatcher`): hassil will
        not take "ice bath part" as a new value once "ice bath" is a known one, where
        Alexa passes the words on and the skill folds them ("take me to the ice bath part").
        """
        words = self.words(text)
        for accept_unknown_values in (False, True):
            heard = self.templates.recognize(words, accept_unknown_values=accept_unknown_values)
            if heard is not None:
                slots: dict[str, SlotValue] = {}
                for name, (said, _) in heard.slots.items():
                    slot_type = self.declared_slots(heard.intent).get(name)
                    value = self.slot_value(slot_type, said) if slot_type else None
                    if value is not None:
                        slots[name] = value
                return Understanding(heard.intent, slots)
        return SampleMatcher.for_locale(self.locale).understand(text)


class SampleMatcher(_Reader):
    """Literal matching against the generated model's samples (see the module doc)."""

    def __init__(self, locale: str, model: dict[str, Any], builtin: dict[str, Any]) -> None:
        super().__init__(locale, model, builtin)
        self._phrases: dict[str, str] = {}  # whole phrase -> intent
        self._samples: list[_Sample] = []
        for intent, phrases in builtin["intents"].items():
            for phrase in phrases:
                self._phrases[normalize(phrase)] = intent
        for intent in model["interactionModel"]["languageModel"]["intents"]:
            for sample in intent.get("samples", []):
                self._add_sample(intent["name"], sample)
        self._samples.sort(key=lambda sample: -sample.literal_length)

    def understand(self, text: str) -> Understanding:
        candidates = self._without_fillers(self.words(text))
        for accept_unresolved in (False, True):
            for candidate in candidates:
                found = self._match(candidate, accept_unresolved)
                if found is not None:
                    return found
        return Understanding(FALLBACK)

    def _match(self, words: str, accept_unresolved: bool) -> Understanding | None:
        if words in self._phrases:
            return Understanding(self._phrases[words])
        for sample in self._samples:
            match = sample.pattern.fullmatch(words)
            if not match or (accept_unresolved and sample.literal_length == 0):
                continue
            slots: dict[str, SlotValue] = {}
            complete = True
            for slot in sample.slots:
                value = self.slot_value(self._slot_types[sample.intent][slot], match.group(slot))
                if value is None:
                    break
                slots[slot] = value
                complete = complete and (not value.custom or value.resolved_id is not None)
            else:
                if complete or accept_unresolved:
                    return Understanding(sample.intent, slots)
        return None

    def _add_sample(self, intent: str, sample: str) -> None:
        text = sample.lower()
        slots = tuple(_SLOT.findall(text))
        if not slots:
            self._phrases.setdefault(normalize(text), intent)
            return
        literal = _SLOT.sub(" ", text)
        self._samples.append(
            _Sample(intent, _pattern(text), slots, len(normalize(literal).split()))
        )


class LiteralMatcher(SampleMatcher):
    """The model's samples matched exactly: case and punctuation folded, nothing else."""

    def words(self, text: str) -> str:
        return normalize(text)

    def _without_fillers(self, words: str) -> list[str]:
        return [words]


def _pattern(template: str) -> re.Pattern[str]:
    """A sample with {slots} as a regular expression over normalized words."""
    tokens: list[str] = []
    for part in re.split(r"(\{\w+\})", template):
        slot = _SLOT.fullmatch(part)
        if slot:
            tokens.append(f"(?P<{slot.group(1)}>.+?)")
        else:
            tokens.extend(re.escape(word) for word in normalize(part).split())
    return re.compile(" ".join(tokens))
