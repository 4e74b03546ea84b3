"""Speech templates compiled ahead of time, with Jinja2's own machinery; data as JSON.

Compiling a template (lexing, parsing, generating Python) costs far more than running
it, and a Lambda cold start would otherwise pay for it on the runner's first request.
So the wheel carries every locale's templates already compiled:
`Environment.compile_templates` writes one Python module per template, and a
`jinja2.ModuleLoader` imports them (pip, and `make lambda`, turn them into bytecode
like any other module). Beside them, `sources.json` records the Jinja2 version that
compiled them and a digest of each template's source, as the locale's source loader
gives it. Compiled by another Jinja2, nothing is used; a template whose source differs
from the one compiled (or that was added since) is compiled from its source when first
used, and the rest still come compiled. A source checkout has no compiled templates, so it
renders from source unless `python -m skill.precompiled` put fresh ones there.

What is compiled is whatever the locale's source loader lists (`speech.source_loader`),
so new templates, and loaders that fall back from one folder to another, need nothing
here.

The TOML data beside them (`responses/<locale>/*.toml`: remedies, screen words) is
written out as JSON too, with its digest in the same record: a cold start then parses
it with the json module it has loaded anyway, instead of importing and running the
pure-Python TOML parser. Stale or missing JSON falls back to the TOML.
"""

from __future__ import annotations

import hashlib
import json
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2

from skill import resources, speech

if TYPE_CHECKING:
    from importlib.abc import Traversable

FOLDER = "_compiled"  # inside the package: skill/_compiled/<locale>/
SOURCES = "sources.json"
DATA = "data"  # skill/_compiled/data/<locale>/<name>.json, from responses/<locale>/<name>.toml


def default_folder() -> Path:
    return resources.PACKAGE / FOLDER


def digests(loader: jinja2.BaseLoader) -> dict[str, str]:
    """Each template the loader lists, with a digest of its source."""
    environment = speech.environment(loader)
    found = {}
    for name in environment.list_templates():
        source, _, _ = loader.get_source(environment, name)
        found[name] = _digest(source)
    return found


def compile_all(responses: Traversable, out: Path) -> dict[str, list[str]]:
    """Compile every locale's speech templates into `out` (replacing what was there).
    Returns the templates compiled, per locale. A template that does not compile fails
    the build rather than being left out."""
    import shutil

    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    record: dict[str, object] = {"jinja2": jinja2.__version__, "locales": {}}
    compiled: dict[str, list[str]] = {}
    for locale in resources.locales(responses):
        loader = speech.source_loader(responses, locale)
        environment = speech.environment(loader)
        environment.compile_templates(out / locale, zip=None, ignore_errors=False)
        sources = digests(loader)
        record["locales"][locale] = sources  # type: ignore[index]
        compiled[locale] = sorted(sources)
    record["data"] = _data_as_json(responses, out / DATA)
    (out / SOURCES).write_text(json.dumps(record, indent=1, sort_keys=True), encoding="utf-8")
    return compiled


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _data_as_json(responses: Traversable, out: Path) -> dict[str, str]:
    import tomllib

    written = {}
    for folder in sorted(responses.iterdir(), key=lambda entry: entry.name):
        if not folder.is_dir():
            continue
        for entry in sorted(folder.iterdir(), key=lambda entry: entry.name):
            if entry.name.endswith(".toml") and entry.is_file():
                text = entry.read_text(encoding="utf-8")
                name = f"{folder.name}/{entry.name}"
                target = out / name.removesuffix(".toml")
                target.parent.mkdir(parents=True, exist_ok=True)
                target.with_suffix(".json").write_text(
                    json.dumps(tomllib.loads(text), ensure_ascii=False), encoding="utf-8"
                )
                written[name] = _digest(text)
    return written


def _record(folder: Path) -> dict[str, Any] | None:
    """What was compiled, if by this Jinja2."""
    try:
        record = json.loads((folder / SOURCES).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("jinja2") != jinja2.__version__:
        return None
    return record


def load_toml(
    relative: str, folder: Path | None = None, responses: Traversable | None = None
) -> dict[str, Any]:
    """`responses/<relative>` (a TOML file), read from its JSON copy when that is fresh."""
    responses = responses if responses is not None else resources.responses_dir()
    text = (responses / relative).read_text(encoding="utf-8")
    folder = folder if folder is not None else default_folder()
    record = _record(folder)
    if record is not None and record.get("data", {}).get(relative) == _digest(text):
        try:
            path = (folder / DATA / relative.removesuffix(".toml")).with_suffix(".json")
            loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
            return loaded
        except (OSError, ValueError):
            pass
    import tomllib  # only when there is no fresh JSON copy (a source checkout)

    return tomllib.loads(text)


class Compiled(jinja2.BaseLoader):
    """A locale's templates as compiled ahead of time, each used only while its source is
    the one compiled: the first load of a template compares its source's digest with the
    record, and a template edited (or added) since is compiled from its source instead.
    So a cold start reads the few sources it uses rather than every one.

    Modules load one at a time: `jinja2.ModuleLoader` imports a compiled template's module
    and then takes it out of `sys.modules`; two threads loading the same template at once
    (the web service's first requests) can meet in between, and one fails with a KeyError.
    A loaded template is cached by the environment, so the lock is only taken the first
    time each template is used."""

    def __init__(
        self, sources: jinja2.BaseLoader, modules: jinja2.ModuleLoader, recorded: dict[str, str]
    ) -> None:
        self.sources = sources
        self.modules = modules
        self.recorded = recorded
        self._lock = threading.Lock()

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str | None, Any]:
        return self.sources.get_source(environment, template)

    def list_templates(self) -> list[str]:
        return self.sources.list_templates()

    def load(
        self,
        environment: jinja2.Environment,
        name: str,
        globals: Any = None,  # jinja2's own parameter name
    ) -> jinja2.Template:
        source, _, _ = self.sources.get_source(environment, name)
        if self.recorded.get(name) != _digest(source):
            return super().load(environment, name, globals)  # compiled now, from the source
        with self._lock:
            return self.modules.load(environment, name, globals)


def compiled_loader(
    loader: jinja2.BaseLoader, locale: str, folder: Path | None = None
) -> Compiled | None:
    """A loader of the locale's compiled templates, if this Jinja2 compiled them; None
    otherwise. Each template is checked against its source when first loaded."""
    folder = folder if folder is not None else default_folder()
    record = _record(folder)
    if record is None:
        return None
    recorded = record.get("locales", {}).get(locale)
    if not recorded or not isinstance(recorded, dict):
        return None
    return Compiled(loader, jinja2.ModuleLoader(folder / locale), recorded)


def main(argv: list[str]) -> int:
    """`python -m skill.precompiled [OUT]`: compile every locale's speech templates
    (by default into the package, where the skill looks for them)."""
    out = Path(argv[0]) if argv else default_folder()
    for locale, names in compile_all(resources.responses_dir(), out).items():
        print(f"{locale}: {len(names)} templates compiled into {out / locale}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
