"""The house's layers (pyproject.toml, [tool.importlinter]), held by import-linter: doors
call the app, the app the handlers, handlers decide and compose, compose renders; nothing
imports back up, no modules import each other in a circle, and the Lambda door loads no
template reader, web framework or crypto."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "from importlinter.cli import lint_imports_command; lint_imports_command()",
        ],
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": ""},
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_layers_hold() -> None:
    result = lint_imports(REPO)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "added",
    [
        {"content.py": "from skill import app"},  # data importing the app: back up
        {"handlers/base.py": "import hassil"},  # hassil on the Lambda door's path
        {"progress.py": "import skill.content", "content.py": "import skill.progress"},  # circle
    ],
    ids=["back-up", "hassil-in-lambda", "circle"],
)
def test_an_import_that_breaks_the_house_is_caught(tmp_path: Path, added: dict[str, str]) -> None:
    ignored = shutil.ignore_patterns("__pycache__", "_compiled", "_data")
    shutil.copytree(REPO / "skill", tmp_path / "skill", ignore=ignored)
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    for module, line in added.items():
        target = tmp_path / "skill" / module
        target.write_text(target.read_text() + f"\n{line}\n")
    assert lint_imports(tmp_path).returncode != 0
