"""Every path of the conversation, walked: from the welcome, each thing a runner can do,
then each thing again from where that led, a few turns deep, through real envelopes.
Every response must read like a person coaching: never the same answer twice in a row,
at most one question and only at the very end, a reprompt whenever the session stays
open that adds something rather than repeating the prompt, and no sentence said twice.

Nothing here names a word the skill says: moves are intents, and slot values come from
the remedy data, so the walk holds for every locale and for a ninth remedy.
"""

from __future__ import annotations

import itertools
import re
from collections import deque
from typing import Any

from skill.app import build_skill
from skill.content import content_for
from skill.lambda_function import handler_for
from skill.simulator.device import SimulatedDevice, Turn
from skill.speech import ssml_to_text
from tests.checks import check_response

DEPTH = 4  # turns after the welcome
SENTENCE = re.compile(r"(?<=[.!?])\s+")


def moves(locale: str) -> list[tuple[str, dict[str, str]]]:
    content = content_for(locale)
    named = content.remedies[len(content.remedies) // 2].name
    return [
        ("AMAZON.YesIntent", {}),
        ("AMAZON.NoIntent", {}),
        ("AMAZON.NextIntent", {}),
        ("AMAZON.PreviousIntent", {}),
        ("AMAZON.RepeatIntent", {}),
        ("AMAZON.StartOverIntent", {}),
        ("AMAZON.HelpIntent", {}),
        ("AMAZON.FallbackIntent", {}),
        ("StartRoutineIntent", {}),
        ("WhyIntent", {}),
        ("WhyIntent", {"remedy": named}),
        ("TellMeMoreIntent", {}),
        ("GoToRemedyIntent", {"remedy": named}),
        ("GoToRemedyIntent", {"remedy": "zzz"}),
        ("SkipRemedyIntent", {"remedy": named}),
        ("GoToStepIntent", {"number": "2"}),
        ("GoToStepIntent", {"number": str(content.total + 5)}),
        ("GoToLastStepIntent", {}),
        ("WhatsLeftIntent", {}),
        ("WhereAmIIntent", {}),
        ("ResumeIntent", {}),
        ("PainIntent", {}),
        ("MedicalQuestionIntent", {}),
        ("HowLongIntent", {}),
        ("HowOftenIntent", {"remedy": named}),
        ("HowMuchIntent", {"remedy": "zzz"}),
        ("HeatOrIceIntent", {}),
        ("ListStepsIntent", {}),
        ("SomeIntentFromANewerModel", {}),
    ]


def door() -> Any:
    handler = handler_for(build_skill(None))
    return lambda event: handler(event, None)


def sentences(speech: str) -> list[str]:
    return [s.strip() for s in SENTENCE.split(speech) if s.strip()]


REFUSALS = ("unknown_remedy", "out_of_range", "at_start", "not_here")  # kinds that say no


def leads_and_refusals(locale: str) -> tuple[set[str], set[str]]:
    """The agreeing leads ("Sure.") the skill may put before words said again, and the
    first sentence of each refusal, rendered from the locale's own templates."""
    content = content_for(locale)
    places = [content.where(None), *(content.where(n) for n in range(1, content.total + 1))]
    leads = {
        content.speech.render("again", at=places[0], offer=None, variant=v).speech for v in range(6)
    }
    openings = set()
    for kind in REFUSALS:
        for at in places:
            said = content.speech.render(kind, at=at, offer=None, variant=0).speech
            openings.add(sentences(ssml_to_text(said))[0])
    return leads, openings


def check_reads_like_a_coach(
    turn: Turn, previous: str | None, where: str, leads: tuple[set[str], set[str]] = (set(), set())
) -> None:
    check_response(turn)
    speech = turn.speech or ""
    if turn.end_session is False:
        assert speech.endswith("?"), (
            f"{where}: the microphone stays open with no question: {speech!r}"
        )
    agreeing, refusals = leads
    for lead in agreeing:
        if speech.startswith(lead):
            rest = speech.removeprefix(lead).strip()
            assert not any(rest.startswith(r) for r in refusals), (
                f"{where}: agrees, then refuses: {speech!r}"
            )
    assert speech != previous, f"{where}: the same answer twice in a row: {speech!r}"
    assert speech.count("?") <= 1, f"{where}: more than one question: {speech!r}"
    if "?" in speech:
        assert speech.endswith("?"), f"{where}: the question is not asked last: {speech!r}"
    said = [s.lower() for s in sentences(speech)]
    assert len(said) == len(set(said)), f"{where}: a sentence said twice: {speech!r}"
    for first, second in itertools.pairwise(said):
        last_word, next_word = first.rstrip(".!?:").split()[-1], second.split()[0]
        assert last_word != next_word.rstrip(".,!?:"), f"{where}: echoed {last_word!r}: {speech!r}"
    if turn.end_session is False:
        assert turn.reprompt, f"{where}: no reprompt"
        assert turn.reprompt not in speech, f"{where}: the reprompt only repeats: {speech!r}"


def state_key(attributes: dict[str, Any]) -> tuple[Any, ...]:
    return (
        attributes.get("step"),
        attributes.get("offer"),
        attributes.get("topic"),
        min(attributes.get("misses", 0), 4),
    )


def test_every_path_reads_like_a_coach(locale: str) -> None:
    send = door()
    leads = leads_and_refusals(locale)
    device = SimulatedDevice(locale=locale, send=send)
    welcome = device.launch()
    check_reads_like_a_coach(welcome, None, "launch", leads)
    queue = deque([(dict(device.attributes), welcome.speech, ("launch",))])
    seen = {state_key(device.dialogue)}
    walked = 0
    while queue:
        attributes, previous, path = queue.popleft()
        for intent, slots in moves(locale):
            branch = SimulatedDevice(locale=locale, send=send, user_id=device.user_id)
            branch.continue_session(attributes)
            turn = branch.intent(intent, slots)
            walked += 1
            where = " > ".join((*path, f"{intent}{slots or ''}"))
            check_reads_like_a_coach(turn, previous, where, leads)
            key = state_key(branch.dialogue)
            if turn.end_session is False and len(path) <= DEPTH and key not in seen:
                seen.add(key)
                queue.append((dict(branch.attributes), turn.speech, (*path, intent)))
    assert walked > 100


def test_step_prompts_vary_across_the_routine(locale: str) -> None:
    content = content_for(locale)
    device = SimulatedDevice(locale=locale, send=door())
    device.launch()
    closings = set()
    for _ in range(content.total):
        turn = device.intent("AMAZON.NextIntent")
        closings.add(sentences(turn.speech or "")[-1])
    assert len(closings) >= 3, closings


def test_repeat_gives_the_last_real_answer_never_a_fallback_or_help(locale: str) -> None:
    device = SimulatedDevice(locale=locale, send=door())
    device.launch()
    step = device.intent("AMAZON.NextIntent").speech or ""
    for detour in ("AMAZON.FallbackIntent", "AMAZON.HelpIntent", "AMAZON.FallbackIntent"):
        device.intent(detour)
        again = device.intent("AMAZON.RepeatIntent").speech or ""
        assert again.endswith(step), (detour, again)


def test_misses_escalate_and_reset_once_understood(locale: str) -> None:
    device = SimulatedDevice(locale=locale, send=door())
    device.launch()
    device.intent("AMAZON.NextIntent")
    answers = [device.intent("AMAZON.FallbackIntent").speech for _ in range(5)]
    assert len(set(answers[:3])) == 3, "the first three misses escalate"
    assert all(a != b for a, b in itertools.pairwise(answers))
    device.intent("WhyIntent")
    assert "misses" not in device.dialogue
    assert device.intent("AMAZON.FallbackIntent").speech == answers[0]
