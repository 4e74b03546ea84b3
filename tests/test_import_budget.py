"""The Lambda door's import budget: at start, and for a voice-only launch, it loads only
what answering needs. Each check runs in a fresh interpreter, so what other tests
imported (and the order they ran in) cannot hide or fake a module."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from skill.simulator.device import WITH_SCREEN, SimulatedDevice
from tests import said

# Loaded by another door, by tools, or only on demand; never at a Lambda cold start
# that uses SQLite (or no store) and answers a voice-only device.
NOT_AT_START = (
    "flask",
    "flask_ask_sdk",
    "werkzeug",
    "gunicorn",
    "waitress",
    "cryptography",
    "certifi",
    "hassil",
    "ask_sdk_model.interfaces.alexa.presentation.apl",  # hundreds of APL model classes
    "boto3",
    "dateutil.parser",  # the SDK's datetime reader: an ISO timestamp needs none (skill.envelope)
    "botocore",
    "ask_sdk_dynamodb",
    "platformdirs",
    "tomllib",
    "xml",
    "email",
    "zipfile",
    "skill.screens",
    "skill.simulator",
    "skill.web",
    "skill.webservice",
    "skill.verify",
    "skill.server",
    "skill.interaction_model",
    "skill.persistence.dynamodb",
)

CHILD = """
import json, sys
sys.path.insert(0, sys.argv[1])  # the skill laid out as the wheel ships it
event = json.loads(sys.stdin.read())
import skill.lambda_function
at_start = sorted(sys.modules)
reply = skill.lambda_function.lambda_handler(event, None) if event else None
print(json.dumps({"start": at_start, "answered": sorted(sys.modules), "reply": reply}))
"""


REPO = Path(__file__).parent.parent


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The package as the wheel lays it out: its words inside it as `skill/_data`, the
    templates compiled and the data as JSON (`skill/_compiled`), whatever state the
    checkout's own `skill/_compiled` is in, so no other test or command can sway this one."""
    from skill import precompiled

    root = tmp_path_factory.mktemp("shipped")
    package = root / "skill"
    shutil.copytree(
        REPO / "skill", package, ignore=shutil.ignore_patterns("__pycache__", "_compiled")
    )
    for folder in ("responses", "interaction_model"):
        shutil.copytree(REPO / folder, package / "_data" / folder)
    precompiled.compile_all(package / "_data" / "responses", package / precompiled.FOLDER)
    return root


def loaded(event: dict[str, Any] | None, tmp_path: Path, store: str, root: Path) -> dict[str, Any]:
    env = {**os.environ, "SKILL_DB": store.format(tmp=tmp_path)}
    result = subprocess.run(
        [sys.executable, "-I", "-c", CHILD, str(root)],
        input=json.dumps(event), env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def unwanted(modules: list[str]) -> list[str]:
    return [m for m in modules if any(m == n or m.startswith(f"{n}.") for n in NOT_AT_START)]


def launch_event(**device: Any) -> dict[str, Any]:
    captured: list[dict[str, Any]] = []

    def send(event: dict[str, Any]) -> dict[str, Any]:
        captured.append(event)
        return {"version": "1.0", "response": {"shouldEndSession": False}}

    SimulatedDevice(send=send, **device).launch()
    return captured[0]


@pytest.mark.parametrize("store", ["sqlite:///{tmp}/progress.db", "none"])
def test_the_lambda_door_imports_only_what_a_voice_launch_needs(
    tmp_path: Path, store: str, shipped: Path
) -> None:
    modules = loaded(launch_event(), tmp_path, store, shipped)
    assert unwanted(modules["start"]) == []
    assert unwanted(modules["answered"]) == []
    assert said.WELCOME in modules["reply"]["response"]["outputSpeech"]["ssml"]
    assert "jinja2" in modules["start"], "templates are loaded during init, not on the request"


def test_a_device_with_a_screen_loads_the_screen_code_when_it_asks(
    tmp_path: Path, shipped: Path
) -> None:
    modules = loaded(launch_event(supported_interfaces=WITH_SCREEN), tmp_path, "none", shipped)
    assert unwanted(modules["start"]) == []
    assert "skill.screens" in modules["answered"]  # what the voice-only launch did without
