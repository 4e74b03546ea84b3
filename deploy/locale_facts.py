"""What the Alexa store needs to know of each supported locale, kept as data in
`responses/` beside everything else the locale says:

- `responses/<locale>/locale.toml` (the file that makes a locale supported) names the
  countries whose store it serves;
- `store.toml`, found by the project's locale rule (`skill.resources.find`: the
  locale's own file, else its language's), holds the store listing and the health
  disclaimer in the words certification reviewers look for.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from typing import Any

from skill import resources

STORE_FILE = "store.toml"


@dataclass(frozen=True)
class LocaleFacts:
    locale: str
    countries: tuple[str, ...]
    disclaimer: str
    listing: dict[str, Any]  # name, summary, description, examplePhrases, keywords

    @property
    def language(self) -> str:
        return self.locale.split("-")[0]


def _toml(file: Any) -> dict[str, Any]:
    return tomllib.loads(file.read_text(encoding="utf-8"))


def facts(locale: str) -> LocaleFacts:
    """The store facts of a supported locale; ValueError, saying what is missing, if any."""
    if locale not in resources.locales():
        raise ValueError(f"{locale} is not a supported locale (no responses/{locale}/locale.toml)")
    marker = _toml(resources.responses_dir() / locale / resources.LOCALE_FILE)
    store = _toml(resources.find(resources.responses_dir(), locale, STORE_FILE))
    countries = marker.get("countries")
    if not countries or not all(isinstance(c, str) and len(c) == 2 for c in countries):
        raise ValueError(f"{locale}: locale.toml must list `countries` (two-letter codes)")
    return LocaleFacts(
        locale=locale,
        countries=tuple(countries),
        disclaimer=str(store["disclaimer"]),
        listing=dict(store["listing"]),
    )


def every_locale() -> dict[str, LocaleFacts]:
    return {locale: facts(locale) for locale in resources.locales()}
