"""How much of the labelled corpus is understood (see tests/corpus.py), read three ways:
literally against the generated model's samples (case and punctuation folded only),
the same with filler words dropped at either end, and by the chat's recognizer. The
figures are printed at the end of every run. TARGET is the aim for the slices the
templates were tuned to; FLOOR guards what each slice reaches today (a held-out slice
read literally, the hardest reader; it is never shown, only counted)."""

from __future__ import annotations

from typing import Any

import pytest

from skill import resources
from tests import corpus

TARGET = 0.97  # the aim for the tuned slices; the held-out aim is 85% English, 80% German
# What each slice reaches today, read every way (held-out slices: literally), less a
# point: regression guards below the aims, raised as the templates improve. The
# annotations in both languages and both care_tuned slices meet the aim (every reader); no
# held-out slice does.
FLOOR = {
    ("en", "annotations"): 0.96,
    ("en", "dev"): 0.95,
    ("en", "casual_dev"): 0.90,
    ("en", "held_out"): 0.71,
    ("en", "casual_held_out"): 0.48,
    ("en", "everyday"): 0.89,
    ("de", "annotations"): 0.97,
    ("de", "dev"): 0.95,
    ("de", "held_out"): 0.32,
    ("de", "everyday"): 0.89,
    ("en", "mid_session"): 0.77,
    ("de", "mid_session"): 0.78,
    ("en", "care_tuned"): 0.99,
    ("en", "care_held_out"): 0.15,
    ("de", "care_tuned"): 0.99,
    ("de", "care_held_out"): 0.10,
}
FIGURE = "corpus_figure"  # a test's recorded (locale, slice, reader, share understood)


@pytest.mark.parametrize("reader", sorted(corpus.READERS))
@pytest.mark.parametrize("slice_name", corpus.SLICES)
def test_the_corpus_is_understood(
    locale: str, slice_name: str, reader: str, record_property: Any
) -> None:
    if slice_name not in corpus.slices(locale):
        pytest.skip(f"no {slice_name} slice for {locale}'s language")
    labelled = corpus.load(locale, slice_name)
    misses = corpus.misses(corpus.READERS[reader].for_locale(locale), labelled)
    share = 1 - len(misses) / len(labelled)
    # Reported with the test, so the figures reach the summary from parallel workers too.
    record_property(FIGURE, (locale, slice_name, reader, share))
    floor = FLOOR[(resources.layers(locale)[1], slice_name)]
    if slice_name in corpus.TUNED:
        assert share >= floor, f"{share:.1%} understood; missed:\n" + "\n".join(misses)
    elif reader == "literal":  # never show what a held-out slice holds: counts only
        assert share >= floor, f"{share:.1%} of the {slice_name} slice understood"


def test_the_corpus_is_a_real_test() -> None:
    """Enough utterances, no sample copied from the model, and the slices kept apart."""
    from skill.interaction_model import load_model

    for locale in corpus.locales():
        names = corpus.slices(locale)
        tuned = [u for name in names if name in corpus.TUNED for u in corpus.load(locale, name)]
        held = [u for name in names if name in corpus.HELD_OUT for u in corpus.load(locale, name)]
        assert len(tuned) + len(held) >= 300 and len(held) >= 60
        # Counted, never shown: a failure message must not reveal the held-out slice.
        duplicates = len(tuned + held) - len({u.utterance for u in tuned + held})
        assert duplicates == 0, f"{duplicates} utterances appear twice across the slices"
        intents = {
            i["name"] for i in load_model(locale)["interactionModel"]["languageModel"]["intents"]
        }
        unknown = len({u.intent for u in tuned + held} - intents)
        assert unknown == 0, f"{unknown} expected intents are not in the model"
