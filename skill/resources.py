"""Where the skill's data lives (`responses/` and `interaction_model/`), and the one rule
that says which file a locale uses.

In the source tree the data sits beside the package; in a wheel (what Lambda runs) the
build copies it into the package as `skill/_data/`. Either way it is found through the
package itself, never through the current directory.

A locale is supported when `responses/<locale>/locale.toml` exists. It overrides only the
files it changes and falls back, file by file, to its language's base: en-GB reads
`responses/en-GB/<file>` if there is one, else `responses/en/<file>`. The same rule
serves the speech templates, the remedy data, the screen and chat words, the sentence
templates, Alexa's built-in meanings, the stories and the corpus: the skill, the
simulator, the tests and the packaging all ask `layers` or `find`.
"""

from __future__ import annotations

from functools import cache
from importlib.abc import Traversable
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
DEFAULT_LOCALE = "en-US"
LOCALE_FILE = "locale.toml"


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


@cache
def locales() -> tuple[str, ...]:
    """The supported locales: the folders under responses/ that hold a locale.toml."""
    return tuple(
        sorted(
            entry.name
            for entry in responses_dir().iterdir()
            if entry.is_dir() and (entry / LOCALE_FILE).is_file()
        )
    )


def layers(locale: str) -> tuple[str, str]:
    """Where a locale's files are looked for, most specific first: en-GB, then en."""
    return locale, locale.split("-")[0]


def find(root: Traversable, locale: str, relative: str) -> Traversable:
    """`root/<locale>/<relative>`, or else its language's `root/<language>/<relative>`."""
    for layer in layers(locale):
        candidate = root / layer / relative
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"{relative} for {locale}: none in {' or '.join(layers(locale))}")


def relative_path(locale: str, relative: str) -> str:
    """`<layer>/<relative>` under responses/, for the layer that has the file."""
    for layer in layers(locale):
        if (responses_dir() / layer / relative).is_file():
            return f"{layer}/{relative}"
    raise FileNotFoundError(f"{relative} for {locale}: none in {' or '.join(layers(locale))}")


def supported(requested: str | None) -> str | None:
    """The supported locale a request names, or None (matched regardless of case)."""
    for locale in locales():
        if requested and requested.lower() == locale.lower():
            return locale
    return None
