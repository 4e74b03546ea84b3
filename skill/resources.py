"""Where the skill's data lives: `responses/` and `interaction_model/`.

In the source tree they sit beside the package; in a wheel (what Lambda runs) the
build copies them into the package as `skill/_data/`. Either way they are found
through the package itself, never through the current directory.
"""

from __future__ import annotations

from functools import cache
from importlib.abc import Traversable
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


@cache
def package_root() -> Traversable:
    """The installed package's folder; through importlib.resources only when the package
    is not a plain folder (a zip), since that machinery costs a cold start its imports."""
    if (PACKAGE / "__init__.py").is_file():
        return PACKAGE
    from importlib import resources

    return resources.files("skill")


@cache
def data_root() -> Traversable:
    packaged = package_root() / "_data"
    if packaged.is_dir():
        return packaged
    return PACKAGE.parent


def responses_dir() -> Traversable:
    return data_root() / "responses"


def interaction_model_dir() -> Traversable:
    return data_root() / "interaction_model"


def available_locales() -> list[str]:
    """Locales are the folders under responses/ with remedies in them (a new one is a
    new locale); responses/apl/ holds the screens, which have no words of their own."""
    return sorted(
        entry.name
        for entry in responses_dir().iterdir()
        if entry.is_dir() and (entry / "remedies.toml").is_file()
    )


def pick_locale(requested: str | None, available: list[str] | None = None) -> str:
    """The closest locale we have: exact, then same language (en-GB -> en-US), then the first."""
    available = available if available is not None else available_locales()
    if requested in available:
        return requested
    language = (requested or "").split("-")[0].lower()
    for locale in available:
        if locale.split("-")[0].lower() == language:
            return locale
    return "en-US" if "en-US" in available else available[0]
