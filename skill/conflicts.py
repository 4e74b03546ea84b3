"""No sample with two meanings: the check run when a model is generated.

Each intent's samples are matched against every other intent's samples (the expansions
of its templates), with a slot standing for every value it may take: `{remedy}` for
every name in the REMEDY slot type, `{number}` and `{ordinal}` for Alexa's number and
ordinal words (`_builtin.json`). Alexa's own phrases for its built-in intents count as
samples of those intents. A sample that means something else as well fails generation,
unless `_model.yaml` lists it under `allowed_overlaps` with a reason.

The result is recorded beside the model (`interaction_model/<locale>.conflicts.json`),
with the digest of the model it was made for, so a test can tell the record is fresh
without running the check again.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass

from skill.text import normalize

_SLOT = re.compile(r"\{(\w+)\}")


class AmbiguousSamples(ValueError):
    """Samples that would mean two things, not listed as allowed."""


@dataclass(frozen=True)
class Overlap:
    sample: str  # as the first intent has it, slots kept as {slot}
    intents: tuple[str, str]  # the intent whose sample it is, and the other it also means


def find_overlaps(
    samples: dict[str, list[str]],
    slot_values: dict[str, list[str]],
    slot_types: dict[str, str],
) -> list[Overlap]:
    """Every sample of one intent that another intent's samples also match.

    `slot_values` maps a slot type to the phrases it accepts, `slot_types` a slot name to
    its type. A slot of the other intent matches any of its values or the same slot type
    in the sample; a slot in the sample stands for every value, so it matches a slot of
    the same type or, where the other intent has words, those words when they are one of
    its values."""
    token = {name: f"\x00{slot_types[name]}\x00" for name in slot_types}

    def as_tokens(sample: str) -> str:
        return " ".join(
            normalize(part) if not _SLOT.fullmatch(part) else token[part[1:-1]]
            for part in re.split(r"(\{\w+\})", sample)
            if part.strip()
        )

    def pattern(sample: str) -> re.Pattern[str]:
        parts = []
        for part in re.split(r"(\{\w+\})", sample):
            slot = _SLOT.fullmatch(part)
            if slot:
                kind = slot_types[slot.group(1)]
                values = sorted({normalize(v) for v in slot_values.get(kind, [])}, key=len)
                options = [re.escape(f"\x00{kind}\x00"), *map(re.escape, reversed(values))]
                parts.append("(?:" + "|".join(options) + ")")
            elif part.strip():
                parts.append(re.escape(normalize(part)))
        return re.compile(" ".join(parts))

    exact: dict[str, set[str]] = defaultdict(set)  # tokens -> intents
    with_slots: dict[str, list[tuple[str, re.Pattern[str]]]] = defaultdict(list)
    for intent, phrases in samples.items():
        for sample in phrases:
            exact[as_tokens(sample)].add(intent)
            if _SLOT.search(sample):
                first = sample.split()[0]
                key = "" if _SLOT.fullmatch(first) else normalize(first)
                with_slots[key].append((intent, pattern(sample)))
    found: list[Overlap] = []
    seen: set[tuple[str, frozenset[str]]] = set()  # each pair once, as first found
    for intent, phrases in samples.items():
        for sample in phrases:
            text = as_tokens(sample)
            others = exact[text] - {intent}
            first = text.split(" ", 1)[0]
            for other, compiled in [*with_slots.get(first, []), *with_slots.get("", [])]:
                if other != intent and other not in others and compiled.fullmatch(text):
                    others.add(other)
            for other in sorted(others):
                pair = (text, frozenset((intent, other)))
                if pair not in seen:
                    seen.add(pair)
                    found.append(Overlap(sample, (intent, other)))
    return found


def check(
    samples: dict[str, list[str]],
    slot_values: dict[str, list[str]],
    slot_types: dict[str, str],
    allowed: dict[str, str],
) -> list[Overlap]:
    """The overlaps, all of them allowed (listed with a reason); raises otherwise."""
    overlaps = find_overlaps(samples, slot_values, slot_types)
    unlisted = [o for o in overlaps if normalize(o.sample) not in allowed]
    if unlisted:
        listed = "\n".join(f"  {o.sample!r}: {o.intents[0]} and {o.intents[1]}" for o in unlisted)
        raise AmbiguousSamples(
            f"{len(unlisted)} samples mean two things (reword them, or list them under "
            f"allowed_overlaps in _model.yaml with a reason):\n{listed}"
        )
    return overlaps


def record(model_text: str, overlaps: list[Overlap], allowed: dict[str, str]) -> dict[str, object]:
    """What is kept beside the model: the digest of the model checked, how much was
    checked, and each allowed overlap with its reason."""
    return {
        "model_sha256": digest(model_text),
        "allowed": [
            {"sample": o.sample, "intents": list(o.intents), "reason": allowed[normalize(o.sample)]}
            for o in overlaps
        ],
    }


def digest(model_text: str) -> str:
    return hashlib.sha256(model_text.encode("utf-8")).hexdigest()
