"""Checks on the words: every template renders for every place in the routine, as valid,
short SSML; remedy data is complete; every response kind the code asks for exists."""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any

import pytest

from skill import resources
from skill.answer import Measure
from skill.content import Content, content_for, load_remedies
from skill.sentences import load_builtin
from skill.speech import ssml_to_text
from tests.checks import ALLOWED_SSML_TAGS, ONE_BREATH_WORDS, ssml_tags

LOCALES = resources.locales()
STEP_WORDS = 35  # a step is read in at most this many words before its prompt
SKILL_CODE = Path(__file__).parent.parent / "skill"
SAID_ONLY_AT_A_STEP = {"step", "welcome_back"}
OFFERS_AT_ANY_PLACE = (None, "begin", "start_over", "list", "which_step")
OFFERS_AT_A_STEP = ("next", "finish", "resume")
MISS_LEVELS = ("resteer", "examples", "offer_list")
MEASURES = tuple(measure.value for measure in Measure)


def places(content: Content) -> list[dict[str, Any]]:
    """Every place a template can be rendered from: not started, and each step."""
    result: list[dict[str, Any]] = [
        {"number": None, "total": content.total, "remedy": None, "next": content.remedies[0]}
    ]
    for number, remedy in enumerate(content.remedies, start=1):
        upcoming = content.remedy_at(number + 1) if number < content.total else None
        result.append(
            {"number": number, "total": content.total, "remedy": remedy, "next": upcoming}
        )
    return result


def renderings(content: Content):  # type: ignore[no-untyped-def]
    """Every kind at every place with every question it may end on; the variations a kind
    has of its own (a fallback's level, what led to a step, the variant picked by turn)
    are tried where they matter, not multiplied through every kind."""
    for kind, at, offer in itertools.product(
        content.speech.kinds, places(content), (*OFFERS_AT_ANY_PLACE, *OFFERS_AT_A_STEP)
    ):
        if at["number"] is None and (kind in SAID_ONLY_AT_A_STEP or offer in OFFERS_AT_A_STEP):
            continue  # said only at a step
        remedy = at["remedy"] or content.remedies[-1]
        base = {
            "at": at,
            "offer": offer,
            "remedy": remedy,
            "remedies": content.remedies,
            "remaining": content.remedies[(at["number"] or 0) :],
            "level": MISS_LEVELS[0],
            "variant": 0,
            "measure": MEASURES[0],
            "listed": content.remedies,
            "left_out": (),
        }
        variations: list[dict[str, Any]] = [{}]
        if kind == "fallback":
            variations = [{"level": level, "variant": v} for level in MISS_LEVELS for v in (0, 1)]
        elif kind == "step":
            variations = [
                {}, {"skipped": content.remedies[0]}, {"resumed": True}, {"fresh": True},
                {"restarted": True}, {"stayed": True, "variant": 1},
            ]  # fmt: skip
        elif kind == "no_measure":
            variations = [{"measure": measure} for measure in MEASURES]
        elif kind == "overview":
            left_out = content.remedies[1:3]
            listed = tuple(r for r in content.remedies if r not in left_out)
            variations = [{}, {"left_out": left_out[:1], "listed": listed + left_out[1:]},
                          {"left_out": left_out, "listed": listed}]  # fmt: skip
        elif kind == "again":
            variations = [
                {"refusing": refusing, "variant": v} for refusing in (False, True) for v in range(3)
            ]
        elif offer in (None, "next"):
            variations = [{"variant": v} for v in range(3)]
        for variation in variations:
            data = {**base, **variation}
            yield kind, data, content.speech.render(kind, **data)


def test_every_template_renders_valid_short_ssml_everywhere(locale: str) -> None:
    content = content_for(locale)
    count = 0
    for kind, data, rendered in renderings(content):
        where = f"{locale}/{kind} at {data['at']['number']} offer {data['offer']}"
        for ssml in filter(None, (rendered.speech, rendered.reprompt)):
            assert ssml_tags(f"<speak>{ssml}</speak>") <= ALLOWED_SSML_TAGS, where
            words = ssml_to_text(ssml).split()
            assert 0 < len(words) <= ONE_BREATH_WORDS, f"{where}: {len(words)} words"
        assert rendered.speech, where
        if rendered.card_title is not None:
            assert rendered.card_text, where
        count += 1
    assert count > 0


ARTICLE = (
    Path(__file__).resolve().parents[2] / "shared" / "seed" / "muscle-soreness-after-a-run.txt"
)


def numbers_in(text: str, words: dict[str, int]) -> set[int]:
    """The numbers a text says, in digits or in the locale's number words."""
    found = {int(digits) for digits in re.findall(r"\d+", text)}
    for word in re.findall(r"[^\W\d_]+", text.lower()):
        if word in words:
            found.add(words[word])
    return found


def test_every_number_the_skill_speaks_is_a_step_a_count_or_the_articles(locale: str) -> None:
    """No time, amount, temperature or other figure the article does not give: every
    number said or shown is a step number or a count (at most the number of steps). The
    article's own numbers are its eight steps, so nothing else is allowed."""
    content = content_for(locale)
    number_words = {
        word: value
        for word, value in load_builtin(locale)["slotTypes"]["AMAZON.NUMBER"].items()
        if " " not in word
    }
    allowed = set(range(content.total + 1))
    for kind, _data, rendered in renderings(content):
        for text in (rendered.speech, rendered.reprompt, rendered.card_title, rendered.card_text):
            said = ssml_to_text(text) if text and "<" in text else (text or "")
            extra = numbers_in(said, number_words) - allowed
            assert not extra, f"{locale}/{kind}: {sorted(extra)} in {said!r}"


def test_a_step_is_one_breath_before_its_prompt(locale: str) -> None:
    content = content_for(locale)
    for at in places(content)[1:]:
        rendered = content.speech.render("step", at=at, offer="next", variant=0)
        assert rendered.reprompt
        speech = ssml_to_text(rendered.speech)
        body = speech.split(at["remedy"].step)[0] + at["remedy"].step
        assert len(body.split()) <= STEP_WORDS, f"step {at['number']}: {len(body.split())} words"


def test_values_are_escaped_for_ssml(locale: str) -> None:
    """Remedy text with markup characters, or characters XML forbids, cannot break SSML."""
    content = content_for(locale)
    at = places(content)[1]
    odd = at["remedy"]._replace(title="fish & <chips>", step="bell\x07 \ufffe!")
    rendered = content.speech.render("step", at={**at, "remedy": odd}, offer="next", variant=0)
    assert "fish &amp; &lt;chips&gt;" in rendered.speech
    text = ssml_to_text(rendered.speech)
    assert "fish & <chips>" in text
    assert "bell !" in text or "bell!" in text, "characters XML forbids are dropped"
    assert "\x07" not in rendered.speech and "\ufffe" not in rendered.speech


def test_remedy_data_is_complete(locale: str) -> None:
    remedies = load_remedies(locale)
    assert len(remedies) >= 1
    for remedy in remedies:
        assert re.fullmatch(r"[a-z][a-z_]*", remedy.id), remedy.id
        for field in ("name", "title", "short", "step", "why", "more"):
            assert getattr(remedy, field).strip(), f"{remedy.id}.{field} is empty"


def test_every_locale_has_the_same_remedies_and_kinds() -> None:
    reference = content_for(LOCALES[0])
    for locale in LOCALES[1:]:
        content = content_for(locale)
        assert [r.id for r in content.remedies] == [r.id for r in reference.remedies], locale
        assert content.speech.kinds == reference.speech.kinds, locale


def test_every_kind_the_code_asks_for_has_a_template_and_every_template_is_used() -> None:
    code = "\n".join(path.read_text() for path in SKILL_CODE.rglob("*.py"))
    asked = set(re.findall(r"\b(?:say|aside|refuse|finish|render|Answer)\(\s*\"(\w+)\"", code))
    asked |= set(re.findall(r'\bkind = "(\w+)"', code))
    for locale in LOCALES:
        kinds = set(content_for(locale).speech.kinds)
        assert asked - kinds == set(), f"{locale}: the code asks for kinds with no template"
        assert kinds - asked == set(), f"{locale}: templates no code uses"


def test_a_locale_falls_back_file_by_file_to_its_language(tmp_path: Path) -> None:
    for locale in resources.locales():
        assert resources.layers(locale) == (locale, locale.split("-")[0])
        for name in ("remedies.toml", "screens.toml", "chat.toml", "speech/step.ssml.j2"):
            found = resources.find(resources.responses_dir(), locale, name)
            own = resources.responses_dir() / locale / name
            assert found == (
                own
                if own.is_file()
                else resources.responses_dir() / resources.layers(locale)[1] / name
            )
    root = tmp_path / "root"
    (root / "xx").mkdir(parents=True)
    (root / "xx-YY").mkdir()
    (root / "xx" / "both.txt").write_text("language")
    (root / "xx-YY" / "both.txt").write_text("locale")
    (root / "xx" / "base.txt").write_text("language")
    assert resources.find(root, "xx-YY", "both.txt").read_text() == "locale"
    assert resources.find(root, "xx-YY", "base.txt").read_text() == "language"
    with pytest.raises(FileNotFoundError):
        resources.find(root, "xx-YY", "neither.txt")


def test_a_request_in_an_undeclared_locale_is_answered_in_the_default_one(
    caplog: pytest.LogCaptureFixture,
) -> None:
    assert resources.supported("xx-XX") is None and resources.supported(None) is None
    for locale in resources.locales():
        assert resources.supported(locale.lower()) == locale
        assert content_for(locale).locale == locale
    with caplog.at_level("WARNING"):
        assert content_for("zz-ZZ").locale == resources.DEFAULT_LOCALE
        content_for("zz-ZZ")
    assert sum("zz-ZZ" in record.getMessage() for record in caplog.records) <= 1
