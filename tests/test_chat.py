"""The local simulator as a newcomer uses it: `python -m skill chat`, text and JSON."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path

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


def test_json_chat_prints_one_object_per_turn() -> None:
    lines = "yes\nSkip to the ICE BATH!\nwhy?\nstop\nask recovery coach why elevation helps\n"
    result = chat("--json", lines=lines)
    assert result.returncode == 0, result.stderr
    turns = [json.loads(line) for line in result.stdout.splitlines()]
    assert all(set(turn) >= REQUIRED_KEYS for turn in turns)
    assert [t["intent"] for t in turns] == [
        None, "AMAZON.YesIntent", "GoToRemedyIntent", "WhyIntent", "AMAZON.StopIntent", "WhyIntent",
    ]  # fmt: skip
    launch, yes, jump, why, stop, one_shot = turns
    assert launch["utterance"] == "open recovery coach"
    assert launch["speech"].startswith("Welcome to Recovery Coach")
    assert launch["end_session"] is False and launch["reprompt"]
    assert yes["speech"].startswith("Step 1 of 8")
    assert yes["card"]["title"] == "Step 1 of 8: Light cool-down exercises"
    assert jump["slots"] == {"remedy": "ice bath"}
    assert jump["speech"].startswith("Step 7 of 8: Ice bath.")
    assert "micro-tears" in why["speech"]
    assert stop["end_session"] is True and stop["reprompt"] is None
    assert one_shot["speech"].startswith("Elevation lets your blood recirculate")
    assert one_shot["end_session"] is False
    assert "<" not in "".join(t["speech"] for t in turns), "speech is plain text, not SSML"


def test_text_chat_reads_like_a_conversation() -> None:
    result = chat(lines="yes\nwhat's next\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "coach> Welcome to Recovery Coach" in out
    assert "you> yes" in out
    assert "coach> Step 1 of 8: Light cool-down exercises." in out
    assert "coach> Step 2 of 8: Heat therapy." in out
    assert "[card] Step 2 of 8: Heat therapy" in out


def test_chat_in_another_english_locale_falls_back_to_english_words() -> None:
    result = chat("--json", "--locale", "en-GB", lines="next\n")
    assert result.returncode == 0, result.stderr
    turns = [json.loads(line) for line in result.stdout.splitlines()]
    assert turns[1]["speech"].startswith("Step 1 of 8")
