"""The benchmark still runs (its figures are read by people, never asserted here)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).parent.parent


@pytest.mark.slow
def test_the_benchmark_runs_and_prints_its_table(tmp_path: Path) -> None:
    # In a copy: the bench compiles the templates into its checkout's package (as the
    # wheel ships them), which must not change under tests running beside this one.
    ignored = shutil.ignore_patterns("__pycache__", "_compiled")
    for part in ("skill", "bench", "responses", "interaction_model"):
        shutil.copytree(REPO / part, tmp_path / part, ignore=ignored)
    result = subprocess.run(
        [sys.executable, "-m", "bench.run", "--quick", "--only", "latency", "--only", "cold"],
        capture_output=True, text=True, cwd=tmp_path, timeout=600, check=False,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    for figure in (
        "cold start to first answer",
        "its peak RSS",
        "Jinja2's import adds",
        "cold start less that",
        "in-process p50",
        "in-process p99",
        "p50 reading timestamps as the SDK does",
    ):
        assert figure in result.stdout
