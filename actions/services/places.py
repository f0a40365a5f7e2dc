"""Resolve place names (and sector and interest wordings) in any of the five languages to codes.

The names are the entity synonyms of `nlu_data/<lang>/places.yml`, so the NLU and
the form validation share one list ("Katowice" -> PL, "Turin" -> IT).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Dict

import yaml

from actions.services.text import fold
from bot.config import PROJECT_ROOT

MAX_WORDS = 5
# A word of an answer to the country question is read loosely only from this length on, and an
# inflected ending is at most this long ("Mediolanem", "Krakowie", "Turynu").
MIN_LOOSE_LENGTH = 6
MAX_ENDING = 3


def synonym_index(file_name: str, root: Path = PROJECT_ROOT / "nlu_data", codes_are_names: bool = True) -> Dict[str, str]:
    """Folded wording -> code, from the entity synonyms of `nlu_data/<lang>/<file_name>`.

    `codes_are_names`: the code itself is a wording too ("medical_devices"); not so for country
    codes, which as words are everyday words of our languages ("de", "it", "no").
    """
    index: Dict[str, str] = {}
    for path in sorted(root.glob(f"*/{file_name}")):
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
            code = block.get("synonym")
            if not code:
                continue
            if codes_are_names:
                index[fold(code)] = code
            for line in (block.get("examples") or "").splitlines():
                name = line.strip().lstrip("-").strip()
                if name:
                    index.setdefault(fold(name), code)
    return index


@lru_cache(maxsize=1)
def place_index() -> Dict[str, str]:
    """Folded place name -> ISO 3166-1 alpha-2 code."""
    return {name: code for name, code in synonym_index("places.yml", codes_are_names=False).items()
            if len(code) == 2 and code.isupper()}


@lru_cache(maxsize=1)
def vocabulary_index() -> Dict[str, str]:
    """Folded sector or interest wording -> contract code ("other" is too everyday a word to be one:
    "APIs for other pharma companies"; the form reads it by meaning)."""
    index = synonym_index("vocabulary.yml")
    index.pop("other", None)
    return index


def codes_in(text: str, index: Dict[str, str]) -> list[str]:
    """Every code whose wording appears in `text`, in order, longest wordings first."""
    words = fold(text).split()
    found: list[str] = []
    position = 0
    while position < len(words):
        for size in range(min(MAX_WORDS, len(words) - position), 0, -1):
            code = index.get(" ".join(words[position:position + size]))
            if code:
                if code not in found:
                    found.append(code)
                position += size
                break
        else:
            position += 1
    return found


@lru_cache(maxsize=1)
def known_countries() -> frozenset[str]:
    return frozenset(place_index().values())


def country_of(text: str | None) -> str | None:
    """The country a place name or code stands for, or None if unknown.

    Tries the whole text, then its longest word sequences ("near Turin" -> IT).
    """
    if not text:
        return None
    if len(text) == 2 and text.isupper() and text in known_countries():
        return text
    index = place_index()
    words = fold(text).split()
    for size in range(min(MAX_WORDS, len(words)), 0, -1):
        for start in range(len(words) - size + 1):
            code = index.get(" ".join(words[start:start + size]))
            if code:
                return code
    return None


def country_in_answer(text: str) -> str | None:
    """The country of an answer to "where is your company?": a place name as it is, else a word that
    is a known place name inflected ("pod Mediolanem": Mediolan) or misspelt by one letter ("Bergame",
    "Stutgart"). Only there: elsewhere such a word may be anything."""
    found = country_of(text)
    if found:
        return found
    for word in fold(text).split():
        if len(word) >= MIN_LOOSE_LENGTH:
            code = _loosely_named(word)
            if code:
                return code
    return None


def _loosely_named(word: str) -> str | None:
    index = place_index()
    for end in range(len(word) - 1, max(MIN_LOOSE_LENGTH, len(word) - MAX_ENDING) - 1, -1):  # an inflected ending
        if word[:end] in index:
            return index[word[:end]]
    near = {index[name] for name in _single_word_places(len(word)) if _one_letter_apart(word, name)}
    return near.pop() if len(near) == 1 else None


@lru_cache(maxsize=32)
def _single_word_places(length: int) -> tuple[str, ...]:
    """Place names of one word within a letter of `length`."""
    return tuple(name for name in place_index() if " " not in name and abs(len(name) - length) <= 1
                 and len(name) >= MIN_LOOSE_LENGTH)


def _one_letter_apart(a: str, b: str) -> bool:
    """One letter replaced, added or left out."""
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long = sorted((a, b), key=len)
    if len(long) - len(short) != 1:
        return False
    return any(long[:i] + long[i + 1:] == short for i in range(len(long)))


def countries_in(text: str) -> list[str]:
    """Every country named in a text, in order ("Piemont und Wallonien" -> [IT, BE])."""
    return codes_in(text, place_index())
