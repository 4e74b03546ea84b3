"""Screens: APL documents sent only to devices with screens, matching the speech, valid
for every viewport profile, and touch that moves exactly as voice does."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from skill import resources, screens
from skill.content import content_for
from skill.simulator.device import WITH_SCREEN, SimulatedDevice, Turn
from tests import said

DOCUMENTS = sorted(Path(str(resources.responses_dir() / "apl")).glob("*.json"))
BINDING = re.compile(r"\$\{([^}]*)\}")

# The main viewport profiles: small round hub, landscape hubs, large hub, TV.
PROFILES = {
    "hubRoundSmall": {"shape": "round", "width": 480, "height": 480, "mode": "hub"},
    "hubLandscapeSmall": {"shape": "rectangle", "width": 960, "height": 480, "mode": "hub"},
    "hubLandscapeMedium": {"shape": "rectangle", "width": 960, "height": 600, "mode": "hub"},
    "hubLandscapeLarge": {"shape": "rectangle", "width": 1280, "height": 800, "mode": "hub"},
    "tvLandscapeXLarge": {"shape": "rectangle", "width": 960, "height": 540, "mode": "tv"},
}


def screen_device() -> SimulatedDevice:
    return SimulatedDevice(supported_interfaces=WITH_SCREEN)


def rendered(turn: Turn) -> dict[str, Any]:
    (directive,) = turn.directives
    assert directive["type"] == "Alexa.Presentation.APL.RenderDocument"
    return directive  # type: ignore[no-any-return]


def test_a_voice_only_device_gets_no_screen() -> None:
    device = SimulatedDevice()
    for line in ("open recovery coach", "yes", "why", "list them all", "what's left", "next"):
        turn = device.say(line)
        assert turn is not None and turn.directives == [], line


def test_a_step_on_a_screen_matches_what_is_said() -> None:
    device = screen_device()
    device.say("open recovery coach")
    turn = device.say("go to step three")
    assert turn is not None and (turn.speech or "").startswith(said.step(3))
    directive = rendered(turn)
    assert directive["document"] == screens.document("step")
    step = directive["datasources"]["payload"]["step"]
    assert (step["number"], step["total"]) == (3, said.CONTENT.total)
    assert step["label"] in (turn.speech or "") and str(said.CONTENT.total) in step["label"]
    assert step["title"] == said.CONTENT.remedy_at(3).title and step["title"] in (turn.speech or "")
    assert step["text"] in (turn.speech or "")
    assert step["progress"] == f"{round(100 * 3 / said.CONTENT.total)}%"


def test_why_and_the_overview_have_their_screens() -> None:
    device = screen_device()
    device.say("open recovery coach")
    device.say("go to step three")
    why = device.say("why does the ice bath help")
    assert why is not None
    payload = rendered(why)["datasources"]["payload"]["why"]
    assert payload["id"] == "ice_bath" and payload["text"] in (why.speech or "")
    overview = device.say("list them all")
    assert overview is not None
    items = rendered(overview)["datasources"]["payload"]["overview"]["items"]
    assert [item["mark"] for item in items] == ["✓", "✓", "▶"] + ["○"] * 5
    assert [item["title"] for item in items][6] == "Ice bath"


def test_answers_without_a_screen_of_their_own_leave_the_screen_alone() -> None:
    device = screen_device()
    for line in ("open recovery coach", "help", "should I use ice or heat"):
        turn = device.say(line)
        assert turn is not None and turn.directives == [], line


# Touch ------------------------------------------------------------------------------------


def test_tapping_moves_exactly_as_speaking_does() -> None:
    touch, voice = screen_device(), screen_device()
    for device in (touch, voice):
        device.say("open recovery coach")
        device.say("yes")
    pairs = [
        (lambda: touch.tap("next"), lambda: voice.say("next")),
        (lambda: touch.tap("next"), lambda: voice.say("next")),
        (lambda: touch.tap("previous"), lambda: voice.say("go back")),
        (lambda: touch.tap("goto", 7, token="recovery-coach-overview"), lambda: voice.say("go to step seven")),
        (lambda: touch.tap("next"), lambda: voice.say("next")),
        (lambda: touch.tap("next"), lambda: voice.say("next")),
    ]  # fmt: skip
    for tapped, spoken in pairs:
        by_touch, by_voice = tapped(), spoken()
        assert by_voice is not None
        assert by_touch.speech == by_voice.speech
        assert by_touch.directives == by_voice.directives
        assert touch.dialogue == voice.dialogue
    assert (by_touch.speech or "").startswith(said.FINISHED)


def test_a_strange_touch_gets_the_fallback() -> None:
    device = screen_device()
    device.say("open recovery coach")
    previous = None
    for misses, arguments in enumerate(((), ("dance",), ("goto",), ("goto", "banana")), start=1):
        turn = device.tap(*arguments)
        assert device.dialogue["misses"] == misses, arguments  # a miss, as the fallback counts
        assert turn.speech and turn.speech != previous and turn.end_session is False
        previous = turn.speech


# The documents ----------------------------------------------------------------------------


def walk(node: Any) -> Iterator[Any]:
    yield node
    if isinstance(node, dict):
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def send_events(document: dict[str, Any], total: int) -> list[list[str]]:
    """Every argument list a document's SendEvent commands can send, bindings resolved
    from each use of the layout they sit in (and the data a sequence shows)."""
    uses: dict[str, list[dict[str, Any]]] = {}
    for node in walk(document["mainTemplate"]):
        if isinstance(node, dict) and node.get("type") in document.get("layouts", {}):
            uses.setdefault(node["type"], []).append(node)
    found: list[list[str]] = []
    sources = [(None, document["mainTemplate"]), *document.get("layouts", {}).items()]
    for layout, tree in sources:
        for node in walk(tree):
            if not (isinstance(node, dict) and node.get("type") == "SendEvent"):
                continue
            for use in uses.get(layout, [{}]) if layout else [{}]:
                arguments = []
                for argument in node["arguments"]:
                    match = BINDING.fullmatch(argument)
                    value = use.get(match.group(1), argument) if match else argument
                    arguments.append(value)
                if any(a == "${data.number}" for a in arguments):
                    for number in range(1, total + 1):
                        found.append(
                            [str(number) if a == "${data.number}" else a for a in arguments]
                        )
                else:
                    found.append(arguments)
    return found


@pytest.mark.parametrize("path", DOCUMENTS, ids=[p.stem for p in DOCUMENTS])
def test_documents_are_valid_apl(path: Path) -> None:
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["type"] == "APL"
    assert re.fullmatch(r"\d{4}\.\d", document["version"])
    assert document["mainTemplate"]["parameters"] == ["payload"]
    assert document["mainTemplate"]["items"], "something to show"
    layouts = document.get("layouts", {})
    for node in walk(document):
        if isinstance(node, dict) and "type" in node and isinstance(node["type"], str):
            known = {"APL", "Container", "Frame", "Text", "TouchWrapper", "Sequence", "SendEvent"}
            assert node["type"] in known | set(layouts), node["type"]


@pytest.mark.parametrize("path", DOCUMENTS, ids=[p.stem for p in DOCUMENTS])
def test_every_touch_a_document_can_send_has_a_handler(path: Path) -> None:
    document = json.loads(path.read_text(encoding="utf-8"))
    events = send_events(document, content_for("en-US").total)
    assert events, "every screen offers something to tap"
    for arguments in events:
        device = screen_device()
        device.say("open recovery coach")
        device.say("yes")
        turn = device.tap(*arguments)
        assert not (turn.speech or "").startswith("Sorry"), arguments


def evaluate(condition: str, viewport: dict[str, Any]) -> bool:
    """The small part of APL's expression language the documents use in `when`."""
    match = BINDING.fullmatch(condition.strip())
    assert match, condition
    expression = match.group(1).replace("&&", " and ").replace("||", " or ")
    assert re.fullmatch(r"[\w\s.'=<>!]+", expression), f"unsupported: {condition}"
    return bool(eval(expression, {"__builtins__": {}}, {"viewport": SimpleNamespace(**viewport)}))


def selected_item(document: dict[str, Any], viewport: dict[str, Any]) -> dict[str, Any]:
    for item in document["mainTemplate"]["items"]:
        if "when" not in item or evaluate(item["when"], viewport):
            return item  # type: ignore[no-any-return]
    raise AssertionError("no layout for this viewport")


def dimensions(document: dict[str, Any], viewport: dict[str, Any]) -> dict[str, str]:
    resolved: dict[str, str] = {}
    for block in document.get("resources", []):
        if "when" not in block or evaluate(block["when"], viewport):
            resolved.update(block.get("dimensions", {}))
    return resolved


def resolve(path: str, data: Any) -> Any:
    for part in path.split("."):
        assert isinstance(data, dict) and part in data, f"{path}: no {part!r}"
        data = data[part]
    return data


def datasources_for(name: str) -> Iterator[dict[str, Any]]:
    content = content_for("en-US")
    words = screens.ScreenWords.for_locale("en-US")
    for number in range(1, content.total + 1):
        if name == "step":
            yield screens.step_data(words, content.remedies, number)
        elif name == "why":
            yield screens.why_data(words, content.remedy_at(number))
        else:
            yield screens.overview_data(words, content.remedies, number)


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("path", DOCUMENTS, ids=[p.stem for p in DOCUMENTS])
def test_each_viewport_profile_gets_a_full_layout(path: Path, profile: str) -> None:
    document = json.loads(path.read_text(encoding="utf-8"))
    viewport = PROFILES[profile]
    item = selected_item(document, viewport)
    expected_round = viewport["shape"] == "round"
    assert ("round" in item.get("when", "")) == expected_round
    sizes = dimensions(document, viewport)
    layouts = document.get("layouts", {})
    trees = [item, *(layouts[n]["item"] for n in layouts)]
    for node in (n for tree in trees for n in walk(tree)):
        if isinstance(node, str) and node.startswith("@"):
            assert node[1:] in sizes, f"{profile}: {node} is not defined"
    if viewport["width"] >= 1280 or viewport["mode"] == "tv":
        assert sizes == {
            **document["resources"][0]["dimensions"],
            **document["resources"][1]["dimensions"],
        }
    for payload in datasources_for(path.stem):
        for node in walk(item):
            if not isinstance(node, dict):
                continue
            texts = [node["text"]] if node.get("type") == "Text" else []
            texts += [
                v
                for k, v in node.items()
                if k not in ("type", "when", "data") and isinstance(v, str)
            ]
            for text in texts:
                for binding in BINDING.findall(text):
                    if binding.startswith("payload."):
                        value = resolve(binding.removeprefix("payload."), payload)
                        assert str(value).strip(), f"{profile}: {binding} is empty"
                    elif binding.startswith("data."):
                        sequence = next(
                            n
                            for n in walk(item)
                            if isinstance(n, dict) and n.get("type") == "Sequence"
                        )
                        for entry in resolve(
                            BINDING.fullmatch(sequence["data"]).group(1).removeprefix("payload."),
                            payload,
                        ):  # type: ignore[union-attr]
                            assert str(resolve(binding.removeprefix("data."), entry)).strip()
