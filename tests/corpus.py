"""The labelled corpus: real-sounding phrasings, written apart from the sentence templates,
in the annotation-set format of Amazon's NLU Evaluation Tool, so the same files can test
the live model in the developer console.

`tests/corpus/<locale>/annotations.json` and `dev.json` are the slices the templates
may be tuned to (each written by someone who had not seen the templates);
`held_out.json` is never consulted while writing templates, as a check against tuning
to the corpus. `python -m tests.corpus` prints the figures the README quotes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from skill import resources
from skill.simulator.nlu import LanguageModel, SampleMatcher, Understanding

CORPUS_DIR = Path(__file__).parent / "corpus"
SLICES = ("annotations", "dev", "held_out")


@dataclass(frozen=True)
class Labelled:
    utterance: str
    intent: str
    slots: dict[str, str]  # slot -> expected id (remedy id, or the number as digits)


def folder(locale: str) -> Path | None:
    """The folder of the locale's corpus, by the one locale rule: its own, else its
    language's (tests/corpus/en/)."""
    try:
        found = resources.find(CORPUS_DIR, locale, f"{SLICES[0]}.json")
    except FileNotFoundError:
        return None
    return Path(str(found)).parent


def locales() -> list[str]:
    return [locale for locale in resources.locales() if folder(locale) is not None]


def load(locale: str, slice_name: str) -> list[Labelled]:
    found = folder(locale)
    assert found is not None, f"no corpus for {locale}"
    data = json.loads((found / f"{slice_name}.json").read_text(encoding="utf-8"))
    return [_labelled(entry) for entry in data["data"]]


def _labelled(entry: dict[str, Any]) -> Labelled:
    expected = entry["expected"][0]["intent"]
    slots = {name: str(slot["id"]) for name, slot in expected.get("slots", {}).items()}
    return Labelled(entry["inputs"]["utterance"], expected["name"], slots)


def understood(labelled: Labelled, got: Understanding) -> bool:
    """The right intent, and exactly the expected slots, each resolved to the right value."""
    if got.intent != labelled.intent or set(got.slots) != set(labelled.slots):
        return False
    for name, value in got.slots.items():
        resolved = value.resolved_id if value.custom else value.value
        if resolved != labelled.slots[name]:
            return False
    return True


def misses(reader: LanguageModel | SampleMatcher, corpus: list[Labelled]) -> list[str]:
    found = []
    for labelled in corpus:
        got = reader.understand(labelled.utterance)
        if not understood(labelled, got):
            found.append(
                f"{labelled.utterance!r}: want {labelled.intent} {labelled.slots}, got {got.intent} { ({k: v.resolved_id or v.value for k, v in got.slots.items()}) }"
            )
    return found


def share(reader: LanguageModel | SampleMatcher, corpus: list[Labelled]) -> float:
    return 1 - len(misses(reader, corpus)) / len(corpus)


def main() -> None:
    print("| locale | slice | utterances | literal sample match | chat (hassil) |")
    print("|---|---|---|---|---|")
    for locale in locales():
        literal, chat = SampleMatcher.for_locale(locale), LanguageModel.for_locale(locale)
        for slice_name in SLICES:
            labelled = load(locale, slice_name)
            print(
                f"| {locale} | {slice_name} | {len(labelled)} "
                f"| {share(literal, labelled):.1%} | {share(chat, labelled):.1%} |"
            )


if __name__ == "__main__":
    main()
