"""A locale's remedies and speech templates, loaded once per process from package data."""

from __future__ import annotations

import logging
from functools import cache
from typing import Any, NamedTuple

from skill import precompiled, resources, speech
from skill.speech import Rendered, Speech
from skill.text import normalize

log = logging.getLogger(__name__)


class Remedy(NamedTuple):
    id: str
    name: str
    synonyms: tuple[str, ...]
    title: str
    short: str
    step: str
    why: str
    more: str
    dose: str  # what the article says when asked how long, how much, how cold or how often
    # Single words or short forms that point to the remedy inside other words ("a warm
    # bath", "that roller thing"), for folding what entity resolution did not match
    # (skill.slots). Optional.
    words: tuple[str, ...] = ()

    @property
    def phrases(self) -> list[str]:
        """Every name the skill speaks for the remedy (name, title, short form) and its
        synonyms, folded: what the model's REMEDY slot type and the simulator accept."""
        folded = (normalize(p) for p in (self.name, self.title, self.short, *self.synonyms))
        return list(dict.fromkeys(phrase for phrase in folded if phrase))

    @classmethod
    def from_data(cls, data: dict[str, object]) -> Remedy:
        expected = set(cls._fields)
        missing = expected - data.keys() - {"words"}
        unknown = data.keys() - expected
        if missing or unknown:
            raise ValueError(
                f"remedy {data.get('id')!r}: missing {sorted(missing)}, unknown {sorted(unknown)}"
            )
        values = dict(data)
        values["synonyms"] = tuple(values["synonyms"])  # type: ignore[arg-type]
        values["words"] = tuple(values.get("words", ()))  # type: ignore[arg-type]
        return cls(**values)  # type: ignore[arg-type]


class Place(NamedTuple):
    """`at` in every template: the step number (None before the first), the total, the
    current remedy and the next one not left out."""

    number: int | None
    total: int
    remedy: Remedy | None
    next: Remedy | None


class Content:
    """A locale's remedies and templates, made once per locale (`content_for`)."""

    def __init__(
        self, locale: str, remedies: tuple[Remedy, ...], speech: Speech, apology: Rendered
    ) -> None:
        self.locale = locale
        self.remedies = remedies
        self.speech = speech
        self.apology = apology  # rendered at load, so the error path needs no template at all
        self.ids = frozenset(remedy.id for remedy in remedies)
        self._places: dict[tuple[int | None, frozenset[int]], Place] = {}

    @property
    def total(self) -> int:
        return len(self.remedies)

    def remedy_at(self, number: int) -> Remedy:
        return self.remedies[number - 1]

    def clamp(self, position: object) -> int | None:
        """A step number read back from outside: anything odd means 'not started'."""
        if isinstance(position, bool) or not isinstance(position, int):
            return None
        return position if 1 <= position <= self.total else None

    def where(self, position: int | None, skipped: frozenset[int] = frozenset()) -> Place:
        """What every template may use to say where the runner is, and what comes next
        (the next step not left out). Made once per place: rendered answers are cached by
        it, so it is one small hashable value."""
        key = (position, skipped)
        place = self._places.get(key)
        if place is None:
            if len(self._places) >= 1024:
                self._places.clear()  # bounded, though a locale has only so many places
            place = self._places[key] = _place(self, position, skipped)
        return place

    def remedy(self, remedy_id: object) -> Remedy | None:
        """The remedy with this id, or None (for any other value)."""
        number = self.number_of(remedy_id) if isinstance(remedy_id, str) else None
        return None if number is None else self.remedy_at(number)

    def number_of(self, remedy_id: str) -> int | None:
        for number, remedy in enumerate(self.remedies, start=1):
            if remedy.id == remedy_id:
                return number
        return None


def _place(content: Content, position: int | None, skipped: frozenset[int]) -> Place:
    start = 1 if position is None else position + 1
    coming = next((n for n in range(start, content.total + 1) if n not in skipped), None)
    return Place(
        number=position,
        total=content.total,
        remedy=None if position is None else content.remedy_at(position),
        next=None if coming is None else content.remedy_at(coming),
    )


def load_remedies(locale: str) -> tuple[Remedy, ...]:
    data = precompiled.load_toml(resources.relative_path(locale, "remedies.toml"))
    remedies = tuple(Remedy.from_data(entry) for entry in data["remedy"])
    ids = [remedy.id for remedy in remedies]
    if len(set(ids)) != len(ids):
        raise ValueError(f"{locale}: duplicate remedy ids in {ids}")
    return remedies


def content_for(requested_locale: Any) -> Content:
    """The content for a request's locale, or the default locale's for one the skill does
    not declare (said once in the log, for the first few such locales, capped). Cached by
    the supported locale it resolves to, so made-up locale strings cannot grow the cache."""
    locale = resources.supported(requested_locale)
    if locale is None:
        if (
            not isinstance(requested_locale, str)
            or requested_locale in _UNDECLARED
            or len(_UNDECLARED) >= MAX_UNDECLARED_LOGGED
        ):
            return _content(resources.DEFAULT_LOCALE)
        _UNDECLARED.add(requested_locale)
        log.warning(
            "locale %r is not one the skill declares; answering in %s",
            requested_locale[:MAX_LOGGED_LOCALE] if isinstance(requested_locale, str) else None,
            resources.DEFAULT_LOCALE,
        )
        locale = resources.DEFAULT_LOCALE
    return _content(locale)


MAX_LOGGED_LOCALE = 32
MAX_UNDECLARED_LOGGED = 32
_UNDECLARED: set[Any] = set()


@cache
def _content(locale: str) -> Content:
    sources = speech.source_loader(resources.responses_dir(), locale)
    templates = Speech(sources, precompiled.compiled_loader(sources, locale))
    remedies = load_remedies(locale)
    templates.environment.globals["remedies"] = remedies  # the list, wherever it is said
    return Content(
        locale=locale,
        remedies=remedies,
        speech=templates,
        apology=templates.render("error"),
    )
