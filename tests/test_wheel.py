"""The skill as Lambda gets it: built into a wheel, installed into a fresh virtual
environment outside the source tree, answering a launch, a next and a why from the
templates compiled into the wheel."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests import said

REPO = Path(__file__).parent.parent

SCRIPT = """
import json, skill
from skill.content import content_for
from skill.lambda_function import lambda_handler
from skill.simulator.device import SimulatedDevice
device = SimulatedDevice(send=lambda event: lambda_handler(event, None))
turns = [device.launch(), device.say("next"), device.say("why does that help")]
speech = content_for("en-US").speech
print(json.dumps({
    "file": skill.__file__,
    "speech": [t.speech for t in turns],
    "compiled": speech.compiled,
    "from_source": sorted(
        t.name for t in speech.environment.cache.values() if not t.filename.endswith(".py")
    ),
}))
"""


def run(*args: str | Path, cwd: Path | None = None) -> str:
    result = subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, cwd=cwd, timeout=600, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.mark.slow
def test_the_wheel_carries_its_words_and_answers_from_a_clean_environment(tmp_path: Path) -> None:
    import json

    dist = tmp_path / "dist"
    run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", dist, REPO)
    (wheel,) = dist.glob("recovery_coach-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "skill/_data/responses/en/remedies.toml" in names
    assert "skill/_data/responses/en/speech/step.ssml.j2" in names
    assert "skill/_data/interaction_model/en-US.json" in names
    assert "skill/_compiled/sources.json" in names
    for shipped in ("static/page.js", "static/page.css", "static/icon.svg", "templates/page.html"):
        assert f"skill/web/{shipped}" in names, "the browser page ships in the wheel"
    assert "skill/_data/responses/en/web.toml" in names
    assert [n for n in names if n.startswith("skill/_compiled/en-US/tmpl_")]
    assert not [n for n in names if n.startswith("tests/")]

    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", venv)
    python = venv / "bin" / "python"
    run(python, "-m", "pip", "install", "--quiet", wheel)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = json.loads(run(python, "-I", "-c", SCRIPT, cwd=elsewhere))

    assert result["file"].startswith(str(venv)), "imported from the wheel, not the checkout"
    assert result["compiled"] and result["from_source"] == [], "nothing compiled at run time"
    launch, step, why = result["speech"]
    assert launch.startswith(said.WELCOME)
    assert step.startswith(said.step(1))
    assert why.startswith(said.CONTENT.remedy_at(1).why)
