"""Templates compiled ahead of time (what the wheel and Lambda run) say exactly what the
source templates say, and a stale or foreign compilation is never used: not of another
Jinja2, and not of a template edited since."""

from __future__ import annotations

import json
import random
import shutil
import threading
import tomllib
from pathlib import Path

import jinja2
import pytest

from skill import precompiled, resources, speech
from skill.content import content_for
from skill.speech import Speech
from tests.test_content import renderings

REPO = Path(__file__).parent.parent
LOCALE = resources.DEFAULT_LOCALE
LANGUAGE = resources.layers(LOCALE)[-1]  # where its templates and data live


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("compiled")
    precompiled.compile_all(resources.responses_dir(), out)
    return out


def test_every_locale_with_speech_is_compiled_template_by_template(compiled: Path) -> None:
    record = json.loads((compiled / precompiled.SOURCES).read_text())
    assert record["jinja2"] == jinja2.__version__
    assert set(record["locales"]) == set(resources.locales())
    for locale, sources in record["locales"].items():
        listed = speech.source_loader(resources.responses_dir(), locale).list_templates()
        assert sorted(sources) == listed and listed
        modules = {path.name for path in (compiled / locale).glob("tmpl_*.py")}
        assert modules == {jinja2.ModuleLoader.get_module_filename(name) for name in listed}


def test_compiled_templates_say_what_the_sources_say(locale: str, compiled: Path) -> None:
    sources = speech.source_loader(resources.responses_dir(), locale)
    loader = precompiled.compiled_loader(sources, locale, compiled)
    assert isinstance(loader, precompiled.Compiled)
    from_modules, from_source = Speech(sources, loader), Speech(sources)
    assert from_modules.compiled and not from_source.compiled
    assert from_modules.kinds == from_source.kinds
    count = 0
    for kind, data, _ in renderings(content_for(locale)):
        random.seed(count)  # kinds with variants pick the same one on both sides
        expected = from_source.render(kind, **data)
        random.seed(count)
        assert from_modules.render(kind, **data) == expected, kind
        count += 1
    assert count > 100


def copy_of_responses(tmp_path: Path) -> Path:
    responses = tmp_path / "responses"
    shutil.copytree(REPO / "responses", responses)
    return responses


def from_module(template: jinja2.Template) -> bool:
    """Whether a loaded template came from a compiled module (its file is the module's)."""
    return (template.filename or "").endswith(".py")


def test_a_template_changed_since_compiling_is_compiled_from_its_source(tmp_path: Path) -> None:
    responses = copy_of_responses(tmp_path)
    out = tmp_path / "compiled"
    precompiled.compile_all(responses, out)
    sources = speech.source_loader(responses, LOCALE)
    step = responses / LANGUAGE / "speech" / "step.ssml.j2"
    step.write_text(step.read_text().replace("{% block speech %}", "{% block speech %}Edited."))
    loader = precompiled.compiled_loader(sources, LOCALE, out)
    assert loader is not None
    environment = speech.environment(loader)
    edited, untouched = (
        environment.get_template("step.ssml.j2"),
        environment.get_template("help.ssml.j2"),
    )
    assert not from_module(edited) and from_module(untouched)
    rendered = Speech(sources, loader).render("step", **renderings_of(LOCALE, "step"))
    assert rendered.speech.startswith("Edited.")
    step.unlink()  # a template gone is not served from what was compiled of it
    with pytest.raises(jinja2.TemplateNotFound):
        speech.environment(loader).get_template("step.ssml.j2")


def renderings_of(locale: str, kind: str) -> dict[str, object]:
    """Data that renders `kind` in `locale` (the first the content tests use)."""
    return next(data for named, data, _ in renderings(content_for(locale)) if named == kind)


def test_templates_compiled_by_another_jinja2_or_nowhere_are_not_used(tmp_path: Path) -> None:
    responses = copy_of_responses(tmp_path)
    out = tmp_path / "compiled"
    sources = speech.source_loader(responses, LOCALE)
    assert precompiled.compiled_loader(sources, LOCALE, out) is None  # never compiled
    precompiled.compile_all(responses, out)
    record = json.loads((out / precompiled.SOURCES).read_text())
    (out / precompiled.SOURCES).write_text(json.dumps({**record, "jinja2": "2.11.3"}))
    assert precompiled.compiled_loader(sources, LOCALE, out) is None
    (out / precompiled.SOURCES).write_text("{not json")
    assert precompiled.compiled_loader(sources, LOCALE, out) is None
    assert precompiled.compiled_loader(sources, "xx-XX", out) is None


def test_a_template_that_does_not_compile_fails_the_build(tmp_path: Path) -> None:
    responses = copy_of_responses(tmp_path)
    (responses / LANGUAGE / "speech" / "broken.ssml.j2").write_text("{% block speech %}{{ oops")
    with pytest.raises(jinja2.TemplateSyntaxError):
        precompiled.compile_all(responses, tmp_path / "compiled")


def test_data_is_read_from_its_json_copy_only_while_that_matches_the_toml(tmp_path: Path) -> None:
    responses = copy_of_responses(tmp_path)
    out = tmp_path / "compiled"
    precompiled.compile_all(responses, out)
    for locale in resources.locales():
        for name in ("remedies.toml", "screens.toml"):
            relative = resources.relative_path(locale, name)
            expected = tomllib.loads((responses / relative).read_text())
            assert precompiled.load_toml(relative, out, responses) == expected
    remedies = responses / LANGUAGE / "remedies.toml"
    copy = out / precompiled.DATA / LANGUAGE / "remedies.json"
    marked = {**json.loads(copy.read_text()), "read_from": "json"}
    copy.write_text(json.dumps(marked))
    assert precompiled.load_toml(f"{LANGUAGE}/remedies.toml", out, responses)["read_from"] == "json"
    remedies.write_text(remedies.read_text() + "\n# edited after compiling\n")
    assert "read_from" not in precompiled.load_toml(f"{LANGUAGE}/remedies.toml", out, responses)
    assert precompiled.load_toml(f"{LANGUAGE}/remedies.toml", tmp_path / "nowhere", responses)


def test_threads_loading_compiled_templates_at_once_all_get_them(compiled: Path) -> None:
    """The web service's first requests load templates on eight threads at once. Loaded
    straight from `jinja2.ModuleLoader`, about one round in three of this loses a template
    to a KeyError (so thirty rounds fail all but certainly); loaded one at a time, none."""
    sources = speech.source_loader(resources.responses_dir(), LOCALE)
    names = sources.list_templates()
    errors: list[Exception] = []
    for _ in range(30):
        loader = precompiled.compiled_loader(sources, LOCALE, compiled)
        assert loader is not None
        environment = speech.environment(loader)  # a fresh one: nothing loaded yet
        start = threading.Barrier(8)

        def load_all(
            environment: jinja2.Environment = environment, start: threading.Barrier = start
        ) -> None:
            start.wait()
            for name in names:
                try:
                    environment.get_template(name)
                except Exception as error:
                    errors.append(error)

        threads = [threading.Thread(target=load_all) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert not errors, f"{len(errors)} loads failed, first: {errors[0]!r}"
