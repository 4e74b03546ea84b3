"""Reading a slot from what Alexa sends: entity resolution first, then plain folding.

Alexa's entity resolution matches a heard remedy against the REMEDY slot type's names and
synonyms. When it reports no match ("the warm bath one", "that roller thing"), or a
built-in number or ordinal slot carries words ("seven", "siebte", "next", "the ice bath
one"), the raw value is read here from the data, with the plain folding of skill.text and
no hassil (this runs in the Lambda door):

- the words around a name are dropped ("the X one", "that X thing": `before` and
  `after` in `responses/<language>/understanding.toml`);
- a remedy is named by any of its phrases, plurals folded, or by the word forms its
  remedies.toml entry lists (`words`): the remedy most of whose forms were heard, if one;
- numbers and ordinals are digits, number words or ordinal words, in the tables of
  `interaction_model/sentences/<language>/_builtin.json` (what Alexa itself understands);
- a value naming a move is that move (`moves` in understanding.toml): next, previous,
  first, last;
- words that name no remedy may still tell something (`told`): Alexa gives a slot-only
  sample ("{remedy}") whatever else it did not understand, so "i have a sharp pain in my
  knee" can arrive as a remedy. Pain is pain, a question about safety or medicine is
  one, soreness is soreness, and a move ending the words ("okay good, go next") is that
  move.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any, NamedTuple

from ask_sdk_model.slu.entityresolution import StatusCode

from skill import precompiled, resources
from skill.content import Remedy, load_remedies
from skill.text import normalize

UNDERSTANDING_FILE = "understanding.toml"
BUILTIN_FILE = "_builtin.json"
MOVES = ("next", "previous", "first", "last")
ENDING_MOVES = ("next", "previous")  # what words that name nothing may end in


class Words(NamedTuple):
    """A locale's folding tables."""

    before: tuple[str, ...]  # longest first
    after: tuple[str, ...]
    moves: dict[str, str]  # folded phrase -> move
    numbers: dict[str, int]  # folded number or ordinal word -> value
    topic: frozenset[str]  # words that point back at what is being talked about
    pain: tuple[str, ...]  # words that tell of pain or injury
    medical: tuple[str, ...]  # words that ask about safety or medicine
    sore: tuple[str, ...]  # words that tell of plain soreness, longest first
    skip: tuple[str, ...]  # words that say to skip a step
    remedies: tuple[Remedy, ...]


@cache
def words(locale: str) -> Words:
    data = precompiled.load_toml(resources.relative_path(locale, UNDERSTANDING_FILE))
    sentences = resources.interaction_model_dir() / "sentences"
    builtin = json.loads(
        resources.find(sentences, locale, BUILTIN_FILE).read_text(encoding="utf-8")
    )
    numbers: dict[str, int] = {}
    for kind in ("AMAZON.NUMBER", "AMAZON.Ordinal"):
        numbers.update({normalize(w): int(n) for w, n in builtin["slotTypes"][kind].items()})
    moves = {normalize(p): move for move in MOVES for p in data["moves"].get(move, [])}
    by_length = lambda phrases: tuple(sorted(map(normalize, phrases), key=len, reverse=True))  # noqa: E731
    return Words(
        before=by_length(data["before"]),
        after=by_length(data["after"]),
        moves=moves,
        numbers=numbers,
        topic=frozenset(normalize(w) for w in data["topic"]["words"]),
        pain=by_length(data["told"]["pain"]),
        medical=by_length(data["told"]["medical"]),
        sore=by_length(data["told"]["sore"]),
        skip=by_length(data["told"]["skip"]),
        remedies=load_remedies(locale),
    )


def _slot(request: Any, name: str) -> Any:
    slots = getattr(getattr(request, "intent", None), "slots", None)
    return slots.get(name) if isinstance(slots, dict) else None


def _locale(request: Any) -> str:
    return resources.supported(getattr(request, "locale", None)) or resources.DEFAULT_LOCALE


def text(request: Any, name: str) -> str | None:
    """What the runner said for a slot, as heard."""
    value = getattr(_slot(request, name), "value", None)
    return value.strip() if isinstance(value, str) and value.strip() else None


def resolved_id(request: Any, name: str) -> str | None:
    """The id of the custom slot value Alexa matched, or None when nothing matched."""
    resolutions = getattr(_slot(request, name), "resolutions", None)
    for authority in (resolutions.resolutions_per_authority or []) if resolutions else []:
        matched = (
            authority.status is not None and authority.status.code == StatusCode.ER_SUCCESS_MATCH
        )
        if matched and authority.values and authority.values[0].value is not None:
            return str(authority.values[0].value.id)
    return None


def remedy_id(request: Any, name: str) -> str | None:
    """The remedy a slot names: Alexa's match, else the heard words folded."""
    found = resolved_id(request, name)
    if found is not None:
        return found
    heard = text(request, name)
    return None if heard is None else fold_remedy(heard, _locale(request))


def number(request: Any, name: str) -> int | None:
    """A number or ordinal slot as an int: digits ("3", as Alexa sends it; "?" when it is
    unsure is None), number words or ordinal words."""
    heard = text(request, name)
    return None if heard is None else fold_number(heard, _locale(request))


def move(request: Any, name: str) -> str | None:
    """The move a slot's words name ("next", "the one before"), or None."""
    heard = text(request, name)
    return None if heard is None else fold_move(heard, _locale(request))


def means_topic(request: Any, name: str) -> bool:
    """Whether a slot's words only point back at what is being talked about ("that
    exactly", "das"), rather than naming something."""
    heard = text(request, name)
    if heard is None:
        return False
    table = words(_locale(request))
    return all(word in table.topic for word in _core(heard, table).split())


def told(request: Any, name: str) -> str | None:
    """What a slot's words tell when they name no remedy: "pain", "medical", "sore", or
    None."""
    heard = text(request, name)
    return None if heard is None else fold_told(heard, _locale(request))


def says_skip(request: Any, name: str) -> bool:
    """Whether a slot's words say to skip ("das überspring mal", "leave out the massage")."""
    heard = text(request, name)
    if heard is None:
        return False
    folded = f" {normalize(heard)} "
    return any(f" {phrase} " in folded for phrase in words(_locale(request)).skip)


def ending_move(request: Any, name: str) -> str | None:
    """The move that ends a slot's words ("okay good go next", "hit me with the next
    one"), or None."""
    heard = text(request, name)
    return None if heard is None else fold_ending_move(heard, _locale(request))


# Folding, on plain text -------------------------------------------------------------


def _core(heard: str, table: Words) -> str:
    """The heard words without what surrounds a name: "the warm bath one" is "warm bath"."""
    folded = normalize(heard)
    changed = True
    while changed:
        changed = False
        for word in table.before:
            if folded.startswith(word + " "):
                folded, changed = folded.removeprefix(word + " "), True
        for word in table.after:
            if folded.endswith(" " + word):
                folded, changed = folded.removesuffix(" " + word), True
    return folded


def _singular(word: str) -> str:
    for ending in ("es", "s", "en", "n", "e"):
        if len(word) > len(ending) + 3 and word.endswith(ending):
            return word.removesuffix(ending)
    return word


def _stems(text: str) -> tuple[str, ...]:
    return tuple(_singular(word) for word in text.split())


def fold_remedy(heard: str, locale: str) -> str | None:
    """The id of the remedy the words name, or None when they name none, or several."""
    table = words(locale)
    for candidate in dict.fromkeys((normalize(heard), _core(heard, table))):
        stems = _stems(candidate)
        for remedy in table.remedies:
            if any(_stems(phrase) == stems for phrase in remedy.phrases):
                return remedy.id
    heard_stems = set(_stems(_core(heard, table)))
    scores: dict[str, int] = {}
    for remedy in table.remedies:
        hits = sum(1 for form in remedy.words if set(_stems(normalize(form))) <= heard_stems)
        if hits:
            scores[remedy.id] = hits
    if not scores:
        return None
    best = max(scores.values())
    winners = [remedy_id for remedy_id, hits in scores.items() if hits == best]
    return winners[0] if len(winners) == 1 else None


def fold_number(heard: str, locale: str) -> int | None:
    folded = normalize(heard)
    if folded.isdigit():
        return int(folded)
    table = words(locale)
    for candidate in (folded, _core(folded, table)):
        if candidate in table.numbers:
            return table.numbers[candidate]
        parts = candidate.split()
        if len(parts) > 1 and all(part in table.numbers for part in parts):  # "twenty one"
            return sum(table.numbers[part] for part in parts)
    return None


def fold_move(heard: str, locale: str) -> str | None:
    table = words(locale)
    folded = normalize(heard)
    return table.moves.get(folded) or table.moves.get(_core(folded, table))


def fold_told(heard: str, locale: str) -> str | None:
    """ "pain" if the words tell of pain, else "medical" if they ask about safety or
    medicine, else "sore" if they tell of soreness, else None. Soreness phrases are taken
    out first, so "everything hurts" is soreness and "my knee hurts" pain; pain anywhere
    else wins. A possessive is its word ("the pain's on the outside of my knee")."""
    table = words(locale)
    rest, sore = f" {normalize(heard)} ".replace("'s ", " "), False
    for phrase in table.sore:
        if f" {phrase} " in rest:
            rest, sore = rest.replace(f" {phrase} ", " "), True
    for told, phrases in (("pain", table.pain), ("medical", table.medical)):
        if any(f" {phrase} " in rest for phrase in phrases):
            return told
    return "sore" if sore else None


def fold_ending_move(heard: str, locale: str) -> str | None:
    """Next or previous, ending the words. Not first or last: "zurück zum letzten tipp"
    means the one before, and "the last" ends many a sentence that is not a move."""
    table = words(locale)
    core = _core(heard, table)
    for phrase in sorted(table.moves, key=len, reverse=True):
        if table.moves[phrase] in ENDING_MOVES and (core == phrase or core.endswith(" " + phrase)):
            return table.moves[phrase]
    return None
