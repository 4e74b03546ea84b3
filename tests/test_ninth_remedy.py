"""The promise that a remedy is data: in a copy of the skill, one locale gets a ninth
remedy by editing data files alone (its own remedies.toml, then `sync-model`), and that
locale's whole story suite passes unchanged."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from skill import resources

REPO = Path(__file__).parent.parent
NINTH = """
[[remedy]]
id = "easy_walk"
name = "easy walk"
synonyms = ["walk", "a walk", "walking"]
title = "Walk it off"
short = "an easy walk"
step = "Go for a short, easy walk, at a gentle pace."
why = "Moving gently keeps the blood flowing to your legs."
more = "Keep it short and easy: it is a walk, not another workout."
dose = "keep it short and easy."
"""


def run(*args: str | Path, cwd: Path) -> str:
    result = subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, cwd=cwd, timeout=900, check=False
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return result.stdout


@pytest.mark.slow
def test_a_ninth_remedy_takes_data_edits_alone(tmp_path: Path) -> None:
    locale = next(x for x in resources.locales() if x != resources.DEFAULT_LOCALE)
    language = resources.layers(locale)[1]
    copy = tmp_path / "copy"
    ignore = shutil.ignore_patterns("__pycache__", "_compiled", "_data")
    shutil.copytree(REPO / "skill", copy / "skill", ignore=ignore)
    shutil.copytree(REPO / "tests", copy / "tests", ignore=shutil.ignore_patterns("__pycache__"))
    for folder in ("responses", "interaction_model"):
        shutil.copytree(REPO / folder, copy / "skill" / "_data" / folder)
    shutil.copy(REPO / "pyproject.toml", copy / "pyproject.toml")

    # The data edit: the locale's own remedy list, its language's plus one.
    responses = copy / "skill" / "_data" / "responses"
    base = (responses / language / "remedies.toml").read_text(encoding="utf-8")
    (responses / locale / "remedies.toml").write_text(base + NINTH, encoding="utf-8")
    run(sys.executable, "-m", "skill", "sync-model", "--locale", locale, cwd=copy)

    out = run(
        sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--locale", locale,
        "tests/test_stories.py", "tests/test_transcripts.py", "tests/test_content.py",
        "-k", "not every_locale_has_the_same",  # the one check across locales
        cwd=copy,
    )  # fmt: skip
    assert " passed" in out and "failed" not in out
