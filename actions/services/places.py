"""Resolve place names (and sector and interest wordings) in any of the five languages to codes.

The names are the entity synonyms of `nlu_data/<lang>/places.yml`, so the NLU and
the form validation share one list ("Katowice" -> PL, "Turin" -> IT). The answer to the country
question is read with more names besides (`country_index`): the towns, cities and regions of
`catalogue/places.yml` and every country's name in the five languages (CLDR, through Babel).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Dict

import yaml

from actions.services.text import fold
from bot.config import PROJECT_ROOT
from bot.definitions import LANGUAGES

MAX_WORDS = 5
# A word of an answer to the country question is read loosely only from this length on, and an
# inflected ending after a name the NLU knows is at most this long ("Mediolanem", "Krakowie",
# "Turynu"); any known name, even a shorter one or one whose last vowel the ending replaces, takes a
# Polish case ending after at least MIN_STEM letters ("w Dakarze": Dakar, "z Jerozolimy": Jerozolima, "pod Grazem").
MIN_LOOSE_LENGTH = 6
MAX_ENDING = 3
MIN_STEM = 4
# The endings Polish gives a place name in its cases, folded ("Dakarze", "Lagosie", "Dakaru", "Zakopanego").
DECLENSION_ENDINGS = ("iem", "owi", "ach", "ami", "ego", "ie", "ze", "em", "om", "ow", "u", "a", "e", "y", "i")
# The last vowel of a name, which a Polish case ending replaces ("Jerozolima", "Sarajewo", "Zakopane").
FINAL_VOWELS = ("", "a", "o", "e")
PLACES_CATALOGUE = PROJECT_ROOT / "catalogue" / "places.yml"


def synonym_index(file_name: str, root: Path = PROJECT_ROOT / "nlu_data", codes_are_names: bool = True) -> Dict[str, str]:
    """Folded wording -> code, from the entity synonyms of `nlu_data/<lang>/<file_name>`.

    `codes_are_names`: the code itself is a wording too ("medical_devices"); not so for country
    codes, which as words are everyday words of our languages ("de", "it", "no").
    """
    index: Dict[str, str] = {}
    for path in sorted(root.glob(f"*/{file_name}")):
        for name, code in _synonyms(path, codes_are_names).items():
            index.setdefault(name, code)
    return index


def _synonyms(path: Path, codes_are_names: bool) -> Dict[str, str]:
    """Folded wording -> code, from the entity synonyms of one training data file."""
    index: Dict[str, str] = {}
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
    """Folded place name -> ISO 3166-1 alpha-2 code, of every language's nlu_data/ (the first language's
    code where two differ, as `synonym_index` reads them)."""
    index: Dict[str, str] = {}
    for language in sorted(LANGUAGES):
        for name, code in _nlu_places(language).items():
            index.setdefault(name, code)
    return index


@lru_cache(maxsize=8)
def country_index(language: str | None = None) -> Dict[str, str]:
    """Folded place name -> ISO 3166-1 alpha-2 code, for the answer to "where is your company?".

    Beyond `place_index`: the towns, cities and regions of catalogue/places.yml, and the countries'
    names of CLDR. A name can mean different places in different languages ("Monaco" is Munich in
    Italian, the principality in French): the conversation's own names come first, then the names
    every language shares, then the other languages'. A word that is an everyday word of the
    conversation's language (of any of the five when it is unknown) is no place from the catalogue
    or CLDR ("seul" is no Seoul in French); nlu_data/ is taken as it is.
    """
    catalogue = places_catalogue()
    by_language = catalogue["languages"]
    own = language if language in LANGUAGES else None
    others = [code for code in LANGUAGES if code != own]
    everyday = by_language[own]["not_places"] if own else \
        frozenset().union(*(by_language[code]["not_places"] for code in LANGUAGES))
    index: Dict[str, str] = {}

    def add(names: Dict[str, str], guarded: bool = True) -> None:
        for name, code in names.items():
            if not (guarded and name in everyday):
                index.setdefault(name, code)

    if own:
        add(_nlu_places(own), guarded=False)
        add(by_language[own]["places"])
        add(_cldr_countries(own))
    add(catalogue["countries"])
    for code in sorted(others):  # as place_index reads nlu_data/
        add(_nlu_places(code), guarded=False)
    for code in others:
        add(by_language[code]["places"])
    for code in others:
        add(_cldr_countries(code))
    return index


@lru_cache(maxsize=1)
def places_catalogue(path: Path = PLACES_CATALOGUE) -> Dict[str, Any]:
    """catalogue/places.yml, folded: countries (name -> code), languages (places, not_places), cldr_left_out."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    countries: Dict[str, str] = {}
    for code, names in data["countries"].items():
        for name in names:
            countries.setdefault(fold(name), code)
    languages: Dict[str, Dict[str, Any]] = {}
    for language in LANGUAGES:
        own = (data.get("languages") or {}).get(language) or {}
        languages[language] = {"places": {fold(name): code for name, code in (own.get("places") or {}).items()},
                               "not_places": frozenset(fold(word) for word in own.get("not_places") or [])}
    return {"countries": countries, "languages": languages, "cldr_left_out": frozenset(data.get("cldr_left_out", []))}


@lru_cache(maxsize=8)
def _nlu_places(language: str) -> Dict[str, str]:
    """The country codes of nlu_data/<language>/places.yml (its other synonyms are roles, not places)."""
    path = PROJECT_ROOT / "nlu_data" / language / "places.yml"
    return {name: code for name, code in _synonyms(path, codes_are_names=False).items()
            if len(code) == 2 and code.isupper()}


@lru_cache(maxsize=8)
def _cldr_countries(language: str) -> Dict[str, str]:
    """Folded country name in `language` -> code, from CLDR ("Sénégal", "Wybrzeże Kości Słoniowej")."""
    from babel import Locale

    left_out = places_catalogue()["cldr_left_out"]
    return {fold(name): code for code, name in Locale.parse(language).territories.items()
            if len(code) == 2 and code.isalpha() and code.isupper() and code not in left_out}


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
    """Every country an answer can name (the form accepts no other code)."""
    return frozenset(place_index().values()) | frozenset(country_index().values())


def country_of(text: str | None) -> str | None:
    """The country a place name or code stands for, or None if unknown.

    Tries the whole text, then the first place name in it ("near Turin" -> IT).
    """
    if not text:
        return None
    if len(text) == 2 and text.isupper() and text in known_countries():
        return text
    return _named(fold(text).split(), place_index())


def _named(words: list[str], index: Dict[str, str]) -> str | None:
    """The code of the first place name among `words`, the longest one that starts there: an SME names
    its base first ("HQ in Mailand, Produktion aber in Rumänien", "Paris, and a lab in New York")."""
    for start in range(len(words)):
        for size in range(min(MAX_WORDS, len(words) - start), 0, -1):
            code = index.get(" ".join(words[start:start + size]))
            if code:
                return code
    return None


def country_in_answer(text: str, language: str | None = None) -> str | None:
    """The country of an answer to "where is your company?", in the conversation's `language`.

    A place name as it is (`country_index`): one the NLU knows too before any other ("Chad, from
    Lyon"), then the catalogue's and CLDR's. Else a word that is a place name the NLU knows inflected
    ("pod Mediolanem": Mediolan) or misspelt by one letter or two neighbouring letters swapped
    ("Bergame", "Stutgart", "germnay"), or, in Polish, any known place name with a case ending ("w
    Dakarze": Dakar). Only there: elsewhere such a word may be anything. The catalogue's long tail of
    names is read neither misspelt nor with another language's endings: too many everyday words are a
    letter away from some small town ("holding": Kolding, "colmare": Colmar).
    """
    if not text:
        return None
    if len(text) == 2 and text.isupper() and text in known_countries():
        return text
    words = fold(text).split()
    found = _named(words, _common_places(language)) or _named(words, country_index(language))
    if found:
        return found
    for word in words:
        if len(word) >= MIN_LOOSE_LENGTH:
            code = _loosely_named(word, language)
            if code:
                return code
    return None


def country_named_at(text: str, start: int, end: int, language: str | None = None) -> str | None:
    """The country of the place name written at text[start:end] (where the NLU found a place), read in
    the conversation's `language` and as part of the longest place name around it ("Principato di
    Monaco": the NLU may find "Monaco" alone, which in Italian is Munich)."""
    named = fold(text[start:end]).split()
    if not named:
        return None
    before = fold(text[:start]).split()
    words = before + named + fold(text[end:]).split()
    at = len(before)
    index = country_index(language)
    for size in range(min(MAX_WORDS, len(words)), len(named) - 1, -1):
        for first in range(max(0, at + len(named) - size), min(at, len(words) - size) + 1):
            code = index.get(" ".join(words[first:first + size]))
            if code:
                return code
    return None


@lru_cache(maxsize=8)
def _common_places(language: str | None = None) -> Dict[str, str]:
    """The names of `country_index` that nlu_data/ knows too (read there in `language`)."""
    return {name: code for name, code in country_index(language).items() if name in place_index()}


@lru_cache(maxsize=8)
def _polish_places(language: str | None = None) -> Dict[str, str]:
    """The names of `country_index` as Polish writes them, which a Polish answer declines ("Lubiana",
    Italian for Ljubljana, is no stem of "lubiany", liked); none in the other languages' conversations."""
    if language not in (None, "pl"):
        return {}
    catalogue = places_catalogue()
    index = country_index(language)
    polish = {**_nlu_places("pl"), **_cldr_countries("pl"), **catalogue["countries"],
              **catalogue["languages"]["pl"]["places"]}
    return {name: index[name] for name in polish if name in index}


def _loosely_named(word: str, language: str | None = None) -> str | None:
    common = _common_places(language)
    for end in range(len(word) - 1, max(MIN_LOOSE_LENGTH, len(word) - MAX_ENDING) - 1, -1):  # an inflected ending
        if word[:end] in common:
            return common[word[:end]]
    polish = _polish_places(language)
    for ending in DECLENSION_ENDINGS:  # a Polish case ending, in place of the name's last vowel if it has one
        stem = word[:-len(ending)]  # ("w Dakarze", "w Lagosie", "z Jerozolimy", "w Sarajewie")
        if polish and word.endswith(ending) and len(stem) >= MIN_STEM:
            name = next((stem + vowel for vowel in FINAL_VOWELS if stem + vowel in polish), None)
            if name:
                return polish[name]
    near = {common[name] for name in _single_word_places(len(word), language) if _one_edit_apart(word, name)}
    return near.pop() if len(near) == 1 else None


@lru_cache(maxsize=256)
def _single_word_places(length: int, language: str | None = None) -> tuple[str, ...]:
    """Place names of one word the NLU knows too, within a letter of `length`."""
    return tuple(name for name in _common_places(language) if " " not in name and abs(len(name) - length) <= 1
                 and len(name) >= MIN_LOOSE_LENGTH)


def _one_edit_apart(a: str, b: str) -> bool:
    """One letter replaced, added or left out, or two neighbouring letters swapped ("Frnace")."""
    if len(a) == len(b):
        differ = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        return len(differ) == 1 or (len(differ) == 2 and differ[1] == differ[0] + 1 and
                                    a[differ[0]] == b[differ[1]] and a[differ[1]] == b[differ[0]])
    short, long = sorted((a, b), key=len)
    if len(long) - len(short) != 1:
        return False
    return any(long[:i] + long[i + 1:] == short for i in range(len(long)))


def countries_in(text: str) -> list[str]:
    """Every country named in a text, in order ("Piemont und Wallonien" -> [IT, BE])."""
    return codes_in(text, place_index())
