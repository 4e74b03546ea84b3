"""What a screen shows: the same answer as the speech, as an APL RenderDocument directive.

Documents live in `responses/apl/` and hold no words; the words come from
`responses/<locale>/screens.toml` and the remedy data, through the datasource. A
directive goes only to devices that say they support APL, so voice stands alone
everywhere else.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

import jinja2

from skill import precompiled, resources
from skill.content import Remedy

if TYPE_CHECKING:
    from ask_sdk_model.interfaces.alexa.presentation.apl import RenderDocumentDirective

TOKEN_PREFIX = "recovery-coach-"

# Which screen goes with which kind of answer; kinds not named leave the screen as it is.
SCREEN_FOR_KIND = {
    "step": "step",
    "welcome_back": "step",
    "more": "step",
    "why": "why",
    "overview": "overview",
    "left": "overview",
}


@cache
def document(name: str) -> dict[str, Any]:
    text = (resources.responses_dir() / "apl" / f"{name}.json").read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


@dataclass(frozen=True)
class ScreenWords:
    """A locale's screen words, each a Jinja2 template compiled once."""

    templates: dict[str, jinja2.Template]

    @classmethod
    @cache
    def for_locale(cls, locale: str) -> ScreenWords:
        words = precompiled.load_toml(resources.relative_path(locale, "screens.toml"))
        environment = jinja2.Environment(autoescape=False, undefined=jinja2.StrictUndefined)
        return cls({key: environment.from_string(value) for key, value in words.items()})

    def __call__(self, key: str, **values: Any) -> str:
        return self.templates[key].render(**values)


def render(
    kind: str,
    words: ScreenWords,
    remedies: tuple[Remedy, ...],
    position: int | None,
    remedy: Remedy | None = None,
    skipped: frozenset[int] = frozenset(),
) -> RenderDocumentDirective | None:
    """The directive for an answer of this kind, or None if it has no screen."""
    screen = SCREEN_FOR_KIND.get(kind)
    if screen == "step" and position is not None:
        data = step_data(words, remedies, position)
    elif screen == "why" and remedy is not None:
        data = why_data(words, remedy)
    elif screen == "overview":
        data = overview_data(words, remedies, position, skipped)
    else:
        return None
    # Imported here: the APL package loads every APL model class, which voice-only
    # requests (and a Lambda cold start) need not pay for.
    from ask_sdk_model.interfaces.alexa.presentation.apl import RenderDocumentDirective

    return RenderDocumentDirective(
        token=TOKEN_PREFIX + screen, document=document(screen), datasources={"payload": data}
    )


def step_data(words: ScreenWords, remedies: tuple[Remedy, ...], number: int) -> dict[str, Any]:
    total, remedy = len(remedies), remedies[number - 1]
    return {
        "step": {
            "number": number,
            "total": total,
            "label": words("step_label", number=number, total=total),
            "title": remedy.title,
            "text": remedy.step,
            "progress": f"{round(100 * number / total)}%",
            "hint": words("step_hint"),
            "back": words("back"),
            "next": words("next"),
        }
    }


def why_data(words: ScreenWords, remedy: Remedy) -> dict[str, Any]:
    return {
        "why": {
            "id": remedy.id,
            "label": words("why_label"),
            "title": remedy.title,
            "text": remedy.why,
            "next": words("why_next"),
        }
    }


def overview_data(
    words: ScreenWords,
    remedies: tuple[Remedy, ...],
    position: int | None,
    skipped: frozenset[int] = frozenset(),
) -> dict[str, Any]:
    """Every step in the article's numbering, each marked done, current, left out or to come."""
    current = position or 0

    def mark(number: int) -> str:
        if number in skipped and number != current:
            return words("skipped_mark")
        if number < current:
            return words("done_mark")
        return words("current_mark") if number == current else words("upcoming_mark")

    return {
        "overview": {
            "title": words("overview_title", total=len(remedies)),
            "hint": words("overview_hint"),
            "items": [
                {"number": number, "title": remedy.title, "mark": mark(number)}
                for number, remedy in enumerate(remedies, start=1)
            ],
        }
    }
