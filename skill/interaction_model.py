"""The interaction model's REMEDY slot type, derived from the remedy data.

`responses/<locale>/remedies.toml` is the one source of remedy names and synonyms;
`python -m skill sync-model` writes them into `interaction_model/<locale>.json`, and a
test fails whenever the two disagree.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from skill import resources
from skill.content import Remedy, load_remedies

REMEDY_SLOT_TYPE = "REMEDY"


def remedy_slot_type(remedies: tuple[Remedy, ...]) -> dict[str, Any]:
    return {
        "name": REMEDY_SLOT_TYPE,
        "values": [
            {"id": remedy.id, "name": {"value": remedy.name, "synonyms": list(remedy.synonyms)}}
            for remedy in remedies
        ],
    }


def model_path(locale: str) -> Path:
    return Path(str(resources.interaction_model_dir() / f"{locale}.json"))


def load_model(locale: str) -> dict[str, Any]:
    model: dict[str, Any] = json.loads(model_path(locale).read_text(encoding="utf-8"))
    return model


def sync_remedy_slot_type(locale: str) -> bool:
    """Rewrite the model's REMEDY type from the remedy data; True if anything changed."""
    model = load_model(locale)
    types = model["interactionModel"]["languageModel"].setdefault("types", [])
    wanted = remedy_slot_type(load_remedies(locale))
    kept = [slot_type for slot_type in types if slot_type["name"] != REMEDY_SLOT_TYPE]
    if [wanted] == [t for t in types if t["name"] == REMEDY_SLOT_TYPE]:
        return False
    model["interactionModel"]["languageModel"]["types"] = [*kept, wanted]
    text = json.dumps(model, indent=2, ensure_ascii=False) + "\n"
    model_path(locale).write_text(text, encoding="utf-8")
    return True
