"""Test-wide setup: a throwaway progress store, so tests never touch a real one."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

# Before anything builds the shared skill (importing skill.lambda_function does).
_STORE_FOLDER = Path(tempfile.mkdtemp(prefix="recovery-coach-tests-"))
os.environ["SKILL_DB"] = f"sqlite:///{_STORE_FOLDER / 'progress.db'}"


def pytest_addoption(parser: Any) -> None:
    parser.addoption(
        "--locale",
        action="append",
        default=[],
        help="run the per-locale checks for this locale only (repeatable; default: all)",
    )


def selected_locales(config: Any) -> list[str]:
    from skill import resources

    chosen = config.getoption("--locale") or list(resources.locales())
    unknown = sorted(set(chosen) - set(resources.locales()))
    if unknown:
        raise pytest.UsageError(f"unknown locale {unknown}: {', '.join(resources.locales())}")
    return chosen


def pytest_generate_tests(metafunc: Any) -> None:
    """Every check that takes a `locale` runs once per supported locale (`--locale` picks)."""
    if "locale" in metafunc.fixturenames and not any(
        "locale" in (mark.args[0] if mark.args else "")
        for mark in metafunc.definition.iter_markers("parametrize")
    ):
        metafunc.parametrize("locale", selected_locales(metafunc.config))


def pytest_sessionfinish() -> None:
    shutil.rmtree(_STORE_FOLDER, ignore_errors=True)


_FIGURES: dict[tuple[str, str, str], float] = {}  # (locale, slice, reader) -> share understood


def pytest_runtest_logreport(report: Any) -> None:
    """Collect the corpus figures tests/test_corpus.py records (from any xdist worker)."""
    for name, value in getattr(report, "user_properties", ()):
        if name == "corpus_figure":
            locale, slice_name, reader, share = value
            _FIGURES[(locale, slice_name, reader)] = share


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """The corpus figures (tests/test_corpus.py), whenever those tests ran."""
    if not _FIGURES:
        return
    terminalreporter.section("what runners say: share of the corpus understood")
    for (locale, slice_name, reader), share in sorted(_FIGURES.items()):
        terminalreporter.write_line(f"{locale} {slice_name:<12} {reader:<8} {share:.1%}")


# Property tests: reproducible in CI (the same examples every run), exploring locally.
settings.register_profile(
    "ci", derandomize=True, max_examples=150, deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)  # fmt: skip
settings.register_profile(
    "dev", max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("ci" if os.environ.get("CI") else "dev")
