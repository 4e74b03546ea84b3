"""The ASK interaction model of each locale, generated from the sentence templates and
the remedy data.

`interaction_model/sentences/<locale>/` (what users say, see `skill.sentences`) and
`responses/<locale>/remedies.toml` (the remedy names) are the sources;
`python -m skill sync-model` writes `interaction_model/<locale>.json`, which stays checked
in because the ASK CLI and the skill package read it. A test fails whenever it is stale.
It also checks that no sample means two things (skill.conflicts) and records the result
in `interaction_model/<locale>.conflicts.json`; a test checks that record is fresh.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from skill import conflicts, resources
from skill.content import Remedy
from skill.sentences import Templates, load_builtin
from skill.text import normalize

REMEDY_SLOT_TYPE = "REMEDY"


def remedy_slot_type(remedies: tuple[Remedy, ...]) -> dict[str, Any]:
    values = []
    for remedy in remedies:
        name, *synonyms = remedy.phrases
        values.append({"id": remedy.id, "name": {"value": name, "synonyms": synonyms}})
    return {"name": REMEDY_SLOT_TYPE, "values": values}


def word_slot_type(kind: str, words: list[str]) -> dict[str, Any]:
    """A custom slot type of words the skill does not act on (`word_types`)."""
    return {"name": kind, "values": [{"name": {"value": word}} for word in words]}


def model_path(locale: str) -> Path:
    return Path(str(resources.interaction_model_dir() / f"{locale}.json"))


def conflicts_path(locale: str) -> Path:
    return Path(str(resources.interaction_model_dir() / f"{locale}.conflicts.json"))


def load_conflicts(locale: str) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(conflicts_path(locale).read_text(encoding="utf-8"))
    return found


def load_model(locale: str) -> dict[str, Any]:
    model: dict[str, Any] = json.loads(model_path(locale).read_text(encoding="utf-8"))
    return model


def model_locales() -> list[str]:
    """The locales that have a model: every supported one (skill/resources.py)."""
    return list(resources.locales())


def generate(locale: str) -> dict[str, Any]:
    """The model the templates and remedy data make: every expansion a sample."""
    templates = Templates(locale, load_builtin(locale))
    intents: list[dict[str, Any]] = []
    for name, samples in templates.samples().items():
        used = sorted({slot for sample in samples for slot in re.findall(r"\{(\w+)\}", sample)})
        intent: dict[str, Any] = {"name": name}
        if used:
            intent["slots"] = [{"name": slot, "type": templates.slot_types[slot]} for slot in used]
        intent["samples"] = samples
        intents.append(intent)
    intents += [{"name": name, "samples": []} for name in templates.without_samples]
    return {
        "interactionModel": {
            "languageModel": {
                "invocationName": templates.invocation_name,
                "intents": intents,
                "types": [
                    remedy_slot_type(templates.remedies),
                    *(word_slot_type(kind, words) for kind, words in templates.word_types.items()),
                ],
            }
        }
    }


def check_conflicts(locale: str, templates: Templates | None = None) -> list[conflicts.Overlap]:
    """No sample of the locale's templates means two things (raises
    conflicts.AmbiguousSamples, naming them, unless each is allowed with a reason)."""
    builtin = load_builtin(locale)
    templates = templates or Templates(locale, builtin)
    samples = templates.samples()
    for name, phrases in builtin["intents"].items():  # Alexa's own phrases mean their intent
        samples[name] = list(dict.fromkeys([*samples.get(name, []), *map(normalize, phrases)]))
    values = {
        REMEDY_SLOT_TYPE: [phrase for remedy in templates.remedies for phrase in remedy.phrases],
        **{kind: list(words) for kind, words in builtin["slotTypes"].items()},
        **templates.word_types,
    }
    return conflicts.check(samples, values, templates.slot_types, templates.allowed_overlaps)


def as_text(model: dict[str, Any]) -> str:
    return json.dumps(model, indent=2, ensure_ascii=False) + "\n"


def write_model(locale: str) -> bool:
    """Regenerate the locale's model file, after checking no sample means two things, and
    record that check beside it; True if anything changed."""
    templates = Templates(locale, load_builtin(locale))
    text = as_text(generate(locale))
    overlaps = check_conflicts(locale, templates)
    written = as_text(conflicts.record(text, overlaps, templates.allowed_overlaps))
    changed = False
    for path, content in ((model_path(locale), text), (conflicts_path(locale), written)):
        if not (path.is_file() and path.read_text(encoding="utf-8") == content):
            path.write_text(content, encoding="utf-8")
            changed = True
    return changed
