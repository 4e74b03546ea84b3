"""Plain text folding, one rule for everything that compares what people say: the model
build, the simulator, and the skill itself. No hassil here (the Lambda door may use it).

Folded text is what a sample utterance or a slot value may hold: lower case, words and
apostrophes only, single spaces. Also the one compact JSON encoder (what the session, the
store and the log lines hold).
"""

from __future__ import annotations

import json
import re

# One encoder, kept: `json.dumps` given `separators` builds a new encoder on every call,
# which costs about as much as encoding a turn's few values.
COMPACT_JSON = json.JSONEncoder(separators=(",", ":"))

_NON_WORD = re.compile(r"[^\w' ]+")


def normalize(text: str) -> str:
    """Text folded for comparison: "Skip to the Ice-Bath!" is "skip to the ice bath"."""
    return " ".join(_NON_WORD.sub(" ", text.lower().replace("-", " ")).split())
