"""What the skill says, taken from its own templates and remedy data, so checks written in
Python hold no sentences of any language: `said.step(3)` is whatever the default locale's
step template announces for step 3 ("Step 3 of 8: Elevate your legs." in English)."""

from __future__ import annotations

import re
from typing import Any

from skill import resources
from skill.content import content_for
from skill.speech import ssml_to_text

LOCALE = resources.DEFAULT_LOCALE
CONTENT = content_for(LOCALE)
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def place(number: int | None) -> dict[str, Any]:
    total = CONTENT.total
    return {
        "number": number,
        "total": total,
        "remedy": CONTENT.remedy_at(number) if number else None,
        "next": CONTENT.remedy_at((number or 0) + 1) if (number or 0) < total else None,
    }


def first_sentence(kind: str, number: int | None = None, **data: Any) -> str:
    """The first sentence the kind says at that place."""
    rendered = CONTENT.speech.render(kind, at=place(number), offer=None, variant=0, **data)
    return _SENTENCE.split(ssml_to_text(rendered.speech))[0]


def step(number: int) -> str:
    """How step `number` is announced."""
    return first_sentence("step", number)


WELCOME = first_sentence("welcome")
NOTE = first_sentence("note")
FORGOTTEN = first_sentence("forgotten")
FORGET_FAILED = first_sentence("forget_failed")
FINISHED = first_sentence("finished", CONTENT.total)
