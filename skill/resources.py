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
simulator, the tests and the packaging all ask `find` (one file) or `files` (a folder).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # importlib.abc imports importlib.resources: 4 ms of a cold start
    from importlib.abc import Traversable

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


def locales(root: Traversable | None = None) -> tuple[str, ...]:
    """The supported locales: the folders under responses/ (or `root`) with a locale.toml."""
    return _locales() if root is None else _locales_in(root)


@cache
def _locales() -> tuple[str, ...]:
    return _locales_in(responses_dir())


def _locales_in(root: Traversable) -> tuple[str, ...]:
    return tuple(
        sorted(
            entry.name
            for entry in root.iterdir()
            if entry.is_dir() and (entry / LOCALE_FILE).is_file()
        )
    )


def layers(locale: str) -> tuple[str, str]:
    """Where a locale's files are looked for, most specific first: en-GB, then en."""
    return locale, locale.split("-")[0]


# The one rule: every reader of locale data (the skill, the simulator, the model build,
# the packaging and the tests) calls `find` for one file or `files` for a folder.


def find(root: Traversable, locale: str, relative: str) -> Traversable:
    """`root/<locale>/<relative>`, or else its language's `root/<language>/<relative>`."""
    return _found(root, locale, relative)[1]


def files(
    root: Traversable, locale: str, suffix: str = "", folder: str = ""
) -> dict[str, Traversable]:
    """A folder read file by file: every name ending in `suffix` in `root/<language>/folder`
    or `root/<locale>/folder`, each from the most specific layer that has it, by name."""
    chosen: dict[str, Traversable] = {}
    for layer in reversed(layers(locale)):
        where = root / layer / folder if folder else root / layer
        if where.is_dir():
            for entry in where.iterdir():
                if entry.name.endswith(suffix) and entry.is_file():
                    chosen[entry.name] = entry
    return dict(sorted(chosen.items()))


def relative_path(locale: str, relative: str) -> str:
    """`<layer>/<relative>` under responses/, for the layer that has the file."""
    layer, _ = _found(responses_dir(), locale, relative)
    return f"{layer}/{relative}"


def _found(root: Traversable, locale: str, relative: str) -> tuple[str, Traversable]:
    for layer in layers(locale):
        candidate = root / layer / relative
        if candidate.is_file():
            return layer, candidate
    raise FileNotFoundError(f"{relative} for {locale}: none in {' or '.join(layers(locale))}")


def supported(requested: str | None) -> str | None:
    """The supported locale a request names, or None (matched regardless of case)."""
    return _by_lower_case().get(requested.lower()) if isinstance(requested, str) else None


@cache
def _by_lower_case() -> dict[str, str]:
    return {locale.lower(): locale for locale in locales()}
