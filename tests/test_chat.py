"""The local simulator as a newcomer uses it: `python -m skill chat`, text and JSON, in
every locale. What is typed comes from the locale's own data (Alexa's built-in phrases,
the interaction model's samples, the remedy names), and what must be heard from the
remedy data, so these checks hold in any language."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
import uuid
from pathlib import Path
from typing import Any

from skill import resources
from skill.content import content_for
from skill.interaction_model import load_model
from skill.sentences import load_builtin

REPO = Path(__file__).parent.parent
REQUIRED_KEYS = {"utterance", "intent", "slots", "speech", "reprompt", "card", "end_session"}


def chat(*args: str, lines: str, user: str | None = None) -> subprocess.CompletedProcess[str]:
    user = user or f"amzn1.ask.account.chat-test-{uuid.uuid4()}"
    return subprocess.run(
        [sys.executable, "-m", "skill", "chat", "--user", user, *args],
        input=lines,
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
        check=False,
    )


def samples(locale: str, intent: str, remedy: str | None = None) -> list[str]:
    """The model's own samples for the intent, with or without a remedy slot, filled in."""
    language = load_model(locale)["interactionModel"]["languageModel"]
    (found,) = [i["samples"] for i in language["intents"] if i["name"] == intent]
    return [
        text.replace("{remedy}", remedy or "")
        for text in found
        if ("{remedy}" in text) == (remedy is not None) and not re.search(r"\{(?!remedy)", text)
    ]


def sample(locale: str, intent: str, remedy: str | None = None) -> str:
    """The first of them."""
    found = samples(locale, intent, remedy)
    assert found, f"{intent} has no such sample"
    return found[0]


def _understood(locale: str, line: str) -> str | None:
    from skill.simulator.nlu import LanguageModel

    utterance = LanguageModel.for_locale(locale).read(line)
    understanding = utterance.understanding if utterance is not None else None
    return understanding.intent if understanding is not None else None


def lines_for(locale: str) -> tuple[list[str], Any]:
    builtin = load_builtin(locale)
    content = content_for(locale)
    invocation = load_model(locale)["interactionModel"]["languageModel"]["invocationName"]
    jump_to = content.remedies[-2]
    one_shot = next(
        line
        for text in samples(locale, "WhyIntent", content.remedies[2].name)
        # A sample that reads as a one-shot on its own (not "ask ... for what reason ...",
        # which Alexa would take as "ask ... for" something).
        if _understood(
            locale, line := builtin["oneShot"][0].format(invocation=invocation, request=text)
        )
        == "WhyIntent"
    )
    return [
        builtin["intents"]["AMAZON.YesIntent"][0],
        sample(locale, "GoToRemedyIntent", jump_to.name).upper() + "!",
        sample(locale, "WhyIntent"),
        builtin["intents"]["AMAZON.StopIntent"][0],
        one_shot,
    ], content


def test_json_chat_prints_one_object_per_turn(locale: str) -> None:
    lines, content = lines_for(locale)
    result = chat("--json", "--locale", locale, lines="\n".join(lines) + "\n")
    assert result.returncode == 0, result.stderr
    turns = [json.loads(line) for line in result.stdout.splitlines()]
    assert all(set(turn) >= REQUIRED_KEYS for turn in turns)
    assert [t["intent"] for t in turns] == [
        None, "AMAZON.YesIntent", "GoToRemedyIntent", "WhyIntent", "AMAZON.StopIntent", "WhyIntent",
    ]  # fmt: skip
    launch, yes, jump, why, stop, one_shot = turns
    first, jumped = content.remedies[0], content.remedies[-2]
    assert launch["end_session"] is False and launch["reprompt"]
    assert first.title in yes["speech"] and yes["card"]["title"].endswith(first.title)
    assert jump["slots"] == {"remedy": jumped.name.lower()}
    assert jumped.title in jump["speech"]
    assert jumped.why.split(",")[0] in why["speech"]
    assert stop["end_session"] is True and stop["reprompt"] is None
    assert content.remedies[2].why.split(",")[0] in one_shot["speech"]
    assert one_shot["end_session"] is False
    assert "<" not in "".join(t["speech"] for t in turns), "speech is plain text, not SSML"


def test_text_chat_reads_like_a_conversation(locale: str) -> None:
    lines, content = lines_for(locale)
    result = chat("--locale", locale, lines=f"{lines[0]}\n{lines[0]}\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    words = tomllib.loads(
        resources.find(resources.responses_dir(), locale, "chat.toml").read_text()
    )
    assert f"{words['you']}> {lines[0]}" in out
    for remedy in content.remedies[:2]:
        assert f"{words['skill']}> " in out and remedy.title in out
    assert f"[{words['card']}]" in out


def test_an_unsupported_locale_is_a_clear_error() -> None:
    result = chat("--locale", "xx-XX", lines="")
    assert result.returncode == 2
    assert "xx-XX" in result.stderr
    for locale in resources.locales():
        assert locale in result.stderr
