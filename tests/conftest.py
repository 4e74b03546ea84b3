"""Test-wide setup: a throwaway progress store, so tests never touch a real one."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings

# Before anything builds the shared skill (importing skill.lambda_function does).
_STORE_FOLDER = Path(tempfile.mkdtemp(prefix="recovery-coach-tests-"))
os.environ["SKILL_DB"] = f"sqlite:///{_STORE_FOLDER / 'progress.db'}"


def pytest_sessionfinish() -> None:
    shutil.rmtree(_STORE_FOLDER, ignore_errors=True)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """The corpus figures (tests/test_corpus.py), whenever those tests ran."""
    from tests.test_corpus import FIGURES

    if not FIGURES:
        return
    terminalreporter.section("what runners say: share of the corpus understood")
    for (locale, slice_name, reader), share in sorted(FIGURES.items()):
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
