"""`python -m skill chat`: a text conversation with the skill, through real envelopes."""

from __future__ import annotations

import json
import sys
import tomllib
from collections.abc import Iterable
from typing import TextIO

from skill import resources
from skill.simulator.device import SimulatedDevice, Turn


def chat_words(locale: str) -> dict[str, str]:
    path = resources.find(resources.responses_dir(), locale, "chat.toml")
    return tomllib.loads(path.read_text(encoding="utf-8"))


def run_chat(
    locale: str = "en-US",
    as_json: bool = False,
    lines: Iterable[str] | None = None,
    out: TextIO | None = None,
    device: SimulatedDevice | None = None,
) -> int:
    out = out or sys.stdout
    interactive = lines is None and sys.stdin.isatty()
    words = chat_words(locale)
    device = device or SimulatedDevice(locale=locale)

    def show(turn: Turn | None) -> None:
        if turn is None:
            return
        if as_json:
            print(json.dumps(turn.as_json(), ensure_ascii=False), file=out, flush=True)
            return
        if not interactive and turn.utterance:
            print(f"{words['you']}> {turn.utterance}", file=out)
        if turn.speech:
            print(f"{words['skill']}> {turn.speech}", file=out)
        if turn.card:
            print(f"  [{words['card']}] {turn.card['title']}", file=out)
            for card_line in (turn.card["text"] or "").splitlines():
                print(f"    {card_line}", file=out)
        if turn.end_session:
            print(words["session_ended"], file=out)
        print(file=out, flush=True)

    if interactive and not as_json:
        print(words["intro"], end="\n\n", file=out)
    show(device.launch(device.model.launch_phrase))
    for line in _read_lines(lines, interactive, words["you"]):
        if line.strip():
            show(device.say(line.strip()))
    if device.in_session:
        device.end_session()
    return 0


def _read_lines(lines: Iterable[str] | None, interactive: bool, prompt: str) -> Iterable[str]:
    if lines is not None:
        yield from lines
        return
    if not interactive:
        yield from sys.stdin
        return
    while True:
        try:
            yield input(f"{prompt}> ")
        except (EOFError, KeyboardInterrupt):
            print()
            return
