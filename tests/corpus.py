"""The labelled corpus: real-sounding phrasings, written apart from the sentence templates,
in the annotation-set format of Amazon's NLU Evaluation Tool, so the same files can test
the live model in the developer console.

`tests/corpus/<language>/annotations.json`, `dev.json`, (English) `casual_dev.json`,
`care_tuned.json` (pain, safety questions and soreness told apart), `everyday.json`
(in-session speech as a recognizer passes it on, regional and non-native speakers
included) and `mid_session.json` (the same kind, written later and read at step 3 before
any template was tuned to it) are the slices the templates may be tuned to (each written by someone who had
not seen the templates);
`held_out.json`, `casual_held_out.json` and `care_held_out.json` are never consulted while
writing templates, as a check against tuning to the corpus: only their counts and shares
are ever printed. `python -m tests.corpus` prints the figures the README quotes.

Three readers: `literal` matches the model's samples exactly (case and punctuation
folded, nothing else: the issue's measure), `folded` also drops filler words at either
end and reads typed digits and apostrophe-less forms as spoken, and `chat` is the chat's
recognizer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from skill import resources, slots
from skill.sentences import word_slots
from skill.simulator.nlu import LanguageModel, LiteralMatcher, SampleMatcher, Understanding

CORPUS_DIR = Path(__file__).parent / "corpus"
# care_*: where pain, a question about safety and plain soreness part (issue 19's line).
TUNED = ("annotations", "dev", "casual_dev", "care_tuned", "everyday", "mid_session")
HELD_OUT = ("held_out", "casual_held_out", "care_held_out")
SLICES = TUNED + HELD_OUT
Reader = LanguageModel | SampleMatcher
READERS: dict[str, type[Reader]] = {
    "literal": LiteralMatcher,
    "folded": SampleMatcher,
    "chat": LanguageModel,
}


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


def slices(locale: str) -> list[str]:
    """The slices the locale's corpus holds, tuned ones first."""
    found = folder(locale)
    return [] if found is None else [s for s in SLICES if (found / f"{s}.json").is_file()]


def load(locale: str, slice_name: str) -> list[Labelled]:
    """A slice, without the utterances an earlier slice (in SLICES order) already holds:
    the casual slices were written apart and repeat a few short commands, which must count
    once, and never as held out when the templates were tuned to them."""
    earlier = {u.utterance for name in SLICES[: SLICES.index(slice_name)]
               if name in slices(locale) for u in _read(locale, name)}  # fmt: skip
    return [u for u in _read(locale, slice_name) if u.utterance not in earlier]


def _read(locale: str, slice_name: str) -> list[Labelled]:
    found = folder(locale)
    assert found is not None, f"no corpus for {locale}"
    data = json.loads((found / f"{slice_name}.json").read_text(encoding="utf-8"))
    return [_labelled(entry) for entry in data["data"]]


def _labelled(entry: dict[str, Any]) -> Labelled:
    expected = entry["expected"][0]["intent"]
    slots = {name: str(slot["id"]) for name, slot in expected.get("slots", {}).items()}
    return Labelled(entry["inputs"]["utterance"], expected["name"], slots)


def understood(labelled: Labelled, got: Understanding, locale: str) -> bool:
    """The right intent, and exactly the expected slots, each resolved to the right value:
    by Alexa's matching, or else as the skill folds what Alexa passed on (skill.slots).
    Slots whose words the skill never reads (a body part in a complaint: `word_types` in
    `_model.yaml`) are not part of the answer, and the labels do not name them."""
    unread = word_slots(locale)
    heard = {name: value for name, value in got.slots.items() if name not in unread}
    if got.intent != labelled.intent or set(heard) != set(labelled.slots):
        return False
    for name, value in heard.items():
        resolved = value.resolved_id if value.custom else value.value
        if value.custom and resolved is None:
            resolved = slots.fold_remedy(value.value, locale)
        if resolved != labelled.slots[name]:
            return False
    return True


def misses(reader: Reader, corpus: list[Labelled]) -> list[str]:
    found = []
    for labelled in corpus:
        got = reader.understand(labelled.utterance)
        if not understood(labelled, got, reader.locale):
            found.append(
                f"{labelled.utterance!r}: want {labelled.intent} {labelled.slots}, got {got.intent} { ({k: v.resolved_id or v.value for k, v in got.slots.items()}) }"
            )
    return found


def share(reader: Reader, corpus: list[Labelled]) -> float:
    return 1 - len(misses(reader, corpus)) / len(corpus)


def main() -> None:
    print("| locale | slice | utterances | literal | filler-folded | chat (hassil) |")
    print("|---|---|---|---|---|---|")
    for locale in locales():
        readers = [kind.for_locale(locale) for kind in READERS.values()]
        for slice_name in slices(locale):
            labelled = load(locale, slice_name)
            shares = " | ".join(f"{share(reader, labelled):.1%}" for reader in readers)
            print(f"| {locale} | {slice_name} | {len(labelled)} | {shares} |")


if __name__ == "__main__":
    main()
