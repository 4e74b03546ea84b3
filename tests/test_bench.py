"""The benchmark still runs (its figures are read by people, never asserted here)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).parent.parent


@pytest.mark.slow
def test_the_benchmark_runs_and_prints_its_table() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bench.run", "--quick", "--only", "latency", "--only", "cold"],
        capture_output=True, text=True, cwd=REPO, timeout=600, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    for figure in (
        "cold start to first answer",
        "its peak RSS",
        "in-process p50",
        "in-process p99",
    ):
        assert figure in result.stdout
