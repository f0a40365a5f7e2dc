"""Read a head count from what users type: "40", "1.200", "about forty", "rund 40",
"około czterdziestu", "une quarantaine", "una quarantina", "zweiundvierzig", and also
"between 40 and 50" (45), "two founders and three employees" (5), "two dozen" (24), "just me" (1),
"me and two colleagues" (3).

Every language goes through the same steps; its words are data (`catalogue/numbers/<lang>.yml`):
number words, the connectors of compounds, words that multiply like "hundred" ("dozen"), the words
of a range, words for people, phrases that make a count a part of another ("of them"), phrases for
a one-person company, and the phrases that add the writer to a count ("me and ...", "... and me").
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Dict, FrozenSet, Iterable, List, Sequence, Tuple

import yaml

from actions.services.text import fold
from bot.config import PROJECT_ROOT

NUMBERS_DIR = PROJECT_ROOT / "catalogue" / "numbers"
_DIGITS = r"\d{1,3}(?:[ .,'’]\d{3})+(?![\d])|\d+(?:[.,]\d+)?"
_PIECES = re.compile(rf"(?<![^\W\d_])(?P<number>{_DIGITS})(?P<thousand>\s?k(?![^\W\d_]))?"  # not "S3martMed"
                     r"|(?P<dash>(?<=\d)\s*[-–—]\s*(?=\d)|(?<=\d)/(?=\d)|\s[-–—]\s)", re.IGNORECASE)
_DECIMAL = re.compile(r"\d+(?:\.\d+)?")
_MULTIPLIERS = {100, 1000, 1_000_000}
_AFTER = 3  # words after a number that may name whom it counts ("two full-time developers")
_BEFORE = 2  # words before a number that may make it a part ("davon zwei", "w tym 2")
_GAP = 2  # words between the ends of a range, or before it from its opener ("tra i 40 e i 50")

Phrase = Tuple[str, ...]


@dataclass(frozen=True)
class Vocabulary:
    """The words of one language that the steps below look for (all folded)."""

    words: Dict[str, float]
    approximate: FrozenSet[str] = frozenset()
    times: FrozenSet[str] = frozenset()
    connectors: FrozenSet[str] = frozenset()
    range_openers: FrozenSet[str] = frozenset()
    range_and: FrozenSet[str] = frozenset()
    range_to: FrozenSet[str] = frozenset()
    people: FrozenSet[str] = frozenset()
    filler: FrozenSet[str] = frozenset()
    part_of: Tuple[Phrase, ...] = ()
    alone: Tuple[Phrase, ...] = ()
    me_first: Tuple[Phrase, ...] = ()
    me_last: Tuple[Phrase, ...] = ()


@dataclass(frozen=True)
class Piece:
    """One number at `start`: a numeral, a number word or phrase, or a compound's parts."""

    start: int
    end: int
    values: Tuple[float, ...]
    digits: bool = False
    vague: bool = False
    times: bool = False  # multiplies the number before it, as "hundred" does: "two dozen"

    @property
    def multiplies(self) -> bool:
        return self.times or all(value in _MULTIPLIERS for value in self.values)


@dataclass(frozen=True)
class Run:
    """One number as the user wrote it, possibly in several words: "dwadzieścia pięć", "40-50"."""

    start: int
    end: int
    value: float
    digits: bool
    vague: bool


@dataclass(frozen=True)
class Reading:
    """A language's reading of the answer; `structured` if that language's words made a range or a sum
    (or added the writer); `single` if the answer holds one number only."""

    value: float
    structured: bool
    single: bool = True
    article: bool = False  # only a word for "one" that is an article too: "un humain", "einem Menschen"

    @property
    def certain(self) -> bool:
        """Whether the reading is the answer's whole meaning, which one number the NLU found cannot carry."""
        return self.structured or self.single


def _folded(entry: object) -> str:
    """A catalogue entry as it will meet the tokens; a symbol such as "-" stays as it is."""
    return fold(str(entry)) or str(entry).strip()


def _word_set(entries: Iterable[object] | None) -> FrozenSet[str]:
    return frozenset(_folded(entry) for entry in entries or ())


def _phrases(entries: Iterable[object] | None) -> Tuple[Phrase, ...]:
    return tuple(tuple(_folded(entry).split()) for entry in entries or () if _folded(entry))


@cache
def vocabulary(language: str, directory: Path = NUMBERS_DIR) -> Vocabulary:
    """The words of `language` from its catalogue file; none for a language without one (digits still count)."""
    path = directory / f"{language}.yml"
    if not path.exists():
        return Vocabulary(words={})
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    words = {_folded(word): float(value) for word, value in (data.get("words") or {}).items()}
    ranges = data.get("ranges") or {}
    me = data.get("with_me") or {}
    return Vocabulary(
        words=words, approximate=_word_set(data.get("approximate")), times=_word_set(data.get("times")),
        connectors=_word_set(data.get("connectors")),
        range_openers=_word_set(ranges.get("between")), range_and=_word_set(ranges.get("and")),
        range_to=_word_set(ranges.get("to")),
        people=_word_set(data.get("people")) | _word_set(data.get("posts")),
        filler=_word_set(data.get("filler")),
        part_of=_phrases(data.get("part_of")), alone=_phrases(data.get("alone")),
        me_first=_phrases(me.get("before")), me_last=_phrases(me.get("after")))


def number_words(language: str, directory: Path = NUMBERS_DIR) -> Dict[str, float]:
    return vocabulary(language, directory).words


def _numeral(match: re.Match) -> str:
    """A number in digits as a plain decimal: "1.200" -> "1200.0", "2,5" -> "2.5", "3k" -> "3000.0"."""
    token = match.group("number")
    if re.fullmatch(r"\d{1,3}(?:[ .,'’]\d{3})+", token):
        value = float(re.sub(r"\D", "", token))
    else:
        value = float(token.replace(",", "."))
    return str(value * 1000 if match.group("thousand") else value)


def _tokens(text: str) -> List[str]:
    """Folded words, numerals as plain decimals, and "-" for a dash between two numbers ("40-50"),
    which folding alone would drop."""
    tokens: List[str] = []
    last = 0
    for match in _PIECES.finditer(text):
        tokens += fold(text[last:match.start()]).split()
        tokens.append("-" if match.group("dash") else _numeral(match))
        last = match.end()
    return tokens + fold(text[last:]).split()


def _split_compound(word: str, vocab: Vocabulary, first: bool = True) -> List[float] | None:
    """Values of a word made of number words ("zweiundvierzig" -> [2, 40]), longest parts first; it
    starts with a number ("often" is no "of ten") and may end in a filler word ("fiftyish")."""
    if word in vocab.words:
        return [vocab.words[word]]
    if not first and len(word) >= 3 and word in vocab.filler:
        return []
    for end in range(len(word) - 1, 1, -1):
        head = word[:end]
        if head in vocab.words or (head in vocab.connectors and not first):
            rest = _split_compound(word[end:], vocab, first=False)
            if rest is not None and (rest or head in vocab.words):
                return ([vocab.words[head]] if head in vocab.words else []) + rest
    return None


def _piece_at(tokens: Sequence[str], position: int, vocab: Vocabulary) -> Piece | None:
    """The number starting at `position`: a numeral, else the longest listed phrase, else a compound."""
    token = tokens[position]
    if _DECIMAL.fullmatch(token):
        return Piece(position, position + 1, (float(token),), digits=True)
    for size in (3, 2, 1):
        phrase = " ".join(tokens[position:position + size])
        if phrase in vocab.words:
            return Piece(position, position + size, (vocab.words[phrase],), vague=phrase in vocab.approximate,
                         times=phrase in vocab.times)
    parts = _split_compound(token, vocab)
    return Piece(position, position + 1, tuple(parts)) if parts else None


def _continues(pieces: List[Piece], piece: Piece, tokens: Sequence[str], vocab: Vocabulary) -> bool:
    """Whether `piece` is more of the number `pieces` spell. Number words follow each other in falling
    order or multiply, a connector may come between ("a hundred and twenty", "vingt et un", "a couple of
    hundred"; "forty and fifty" are two numbers); a numeral only takes a multiplier ("2 tys.", "2 dozen")."""
    gap = tokens[pieces[-1].end:piece.start]
    if pieces[0].digits:
        return not gap and not piece.digits and piece.multiplies
    if piece.digits:
        return False
    if not gap:
        return True
    smaller = piece.values[0] < pieces[-1].values[-1] or piece.values[0] in _MULTIPLIERS or piece.times
    return len(gap) == 1 and gap[0] in vocab.connectors and smaller


Value = Tuple[float, bool]  # a number word's value, and whether it multiplies what comes before


def _group_value(values: List[Value]) -> float | None:
    """An article before a number noun is not a number: "une quarantaine", "ein Dutzend"."""
    if len(values) > 1 and values[0][0] == 1 and values[1][0] >= 10 and not values[1][1]:
        values = values[1:]
    return _combine(values)


def _combine(values: Iterable[Value]) -> float | None:
    """Add and multiply number-word values: [2, 100, 40, 2] -> 242, [2, dozen] -> 24."""
    total, current, seen = 0.0, 0.0, False
    for value, multiplies in values:
        seen = True
        if multiplies:
            current = (current or 1.0) * value
            if value >= 1000:
                total, current = total + current, 0.0
        else:
            current += value
    return total + current if seen else None


def _as_run(pieces: List[Piece]) -> Run:
    """The number the pieces spell; an article before a vague word is no extra one ("eine Handvoll")."""
    start = pieces[0].start
    if len(pieces) > 1 and pieces[0].values == (1.0,) and pieces[1].vague:
        pieces = pieces[1:]
    value = _group_value([(value, value in _MULTIPLIERS or piece.times) for piece in pieces for value in piece.values])
    return Run(start, pieces[-1].end, value or 0.0, pieces[0].digits, all(p.vague for p in pieces))


def _runs(tokens: Sequence[str], vocab: Vocabulary) -> List[Run]:
    """Each number in the tokens, however many words it takes."""
    groups: List[List[Piece]] = []
    position = 0
    while position < len(tokens):
        piece = _piece_at(tokens, position, vocab)
        if piece is None:
            position += 1
            continue
        if groups and _continues(groups[-1], piece, tokens, vocab):
            groups[-1].append(piece)
        else:
            groups.append([piece])
        position = piece.end
    return [_as_run(group) for group in groups]


def _middle(low: Run, high: Run) -> Run:
    """A range counts as its middle, rounded half up: 40 to 50 -> 45, two or three -> 3."""
    value = float(math.floor((low.value + high.value) / 2 + 0.5))
    return Run(low.start, high.end, value, low.digits or high.digits, False)


def _is_range(low: Run, high: Run, tokens: Sequence[str], vocab: Vocabulary) -> bool:
    """"40 to 50", "40-50", "od 40 do 50"; with an "and" only after an opener: "between 40 and 50",
    "tra i 40 e i 50" (otherwise "two founders and three employees" would be a range). Other words
    between them must be filler ("5 a Roma, 3 a Milano" are two places, "40 people to 50" two counts)."""
    gap = tokens[low.end:high.start]
    if not gap or len(gap) > _GAP or any(word in vocab.people for word in gap):
        return False
    range_words = vocab.range_to | vocab.range_and
    if not all(word in range_words or word in vocab.filler for word in gap):
        return False
    if any(word in vocab.range_to for word in gap):
        return True
    opened = any(word in vocab.range_openers for word in tokens[max(0, low.start - _GAP):low.start])
    return opened and any(word in vocab.range_and for word in gap)


def _with_ranges(runs: List[Run], tokens: Sequence[str], vocab: Vocabulary) -> List[Run]:
    """The runs, each range made one run of its middle."""
    merged: List[Run] = []
    for run in runs:
        if merged and _is_range(merged[-1], run, tokens, vocab):
            merged[-1] = _middle(merged[-1], run)
        else:
            merged.append(run)
    return merged


def _contains(words: Sequence[str], phrases: Iterable[Phrase]) -> bool:
    return any(tuple(words[i:i + len(p)]) == p for p in phrases for i in range(len(words) - len(p) + 1))


def _after(runs: List[Run], index: int, tokens: Sequence[str]) -> Sequence[str]:
    """The few words after a run, up to the next number."""
    end = runs[index + 1].start if index + 1 < len(runs) else len(tokens)
    return tokens[runs[index].end:min(end, runs[index].end + _AFTER)]


def _before(runs: List[Run], index: int, tokens: Sequence[str]) -> Sequence[str]:
    """The few words before a run, back to the previous number."""
    start = runs[index - 1].end if index > 0 else 0
    return tokens[max(start, runs[index].start - _BEFORE):runs[index].start]


def _is_part(runs: List[Run], index: int, tokens: Sequence[str], vocab: Vocabulary) -> bool:
    """Whether a later count is part of an earlier one: "40 employees, 2 of them founders", "davon 2"."""
    near = (_before(runs, index, tokens), _after(runs, index, tokens))
    return index > 0 and any(_contains(words, vocab.part_of) for words in near)


def _without_parts(runs: List[Run], tokens: Sequence[str], vocab: Vocabulary) -> List[Run]:
    """A part of a count is no extra head, nor the count itself."""
    return [run for index, run in enumerate(runs) if not _is_part(runs, index, tokens, vocab)]


def _people_groups(runs: List[Run], tokens: Sequence[str], vocab: Vocabulary) -> bool:
    """Whether each number counts people ("two founders and three employees"), so that they add up;
    "we are 12 and growing, 15 next year" names alternatives, not groups."""
    return len(runs) > 1 and all(any(word in vocab.people for word in _after(runs, index, tokens))
                                 for index in range(len(runs)))


def _pick(runs: List[Run]) -> float:
    """An explicit number beats a vague word ("a handful, maybe 6"); a numeral, as typed, beats number
    words, and the first one is the count ("8, maybe 15 next year"); of number words, the largest
    ("une PME de quarante": the article "une" is no count)."""
    exact = [run for run in runs if not run.vague] or runs
    numerals = [run for run in exact if run.digits]
    return numerals[0].value if numerals else max(run.value for run in exact)


def _starts(words: Sequence[str], phrases: Iterable[Phrase]) -> bool:
    return any(tuple(words[:len(p)]) == p for p in phrases)


def _ends(words: Sequence[str], phrases: Iterable[Phrase]) -> bool:
    return any(len(words) >= len(p) and tuple(words[len(words) - len(p):]) == p for p in phrases)


def _with_me(runs: List[Run], tokens: Sequence[str], vocab: Vocabulary) -> List[Run]:
    """The writer counted in: "me and two others", "ich plus 3" (just before a number), "two
    developers and me" (ending the answer; "we are 12 and I am the CEO" counts 12)."""
    def plus_me(index: int, run: Run) -> Run:
        before, after = tokens[:run.start], tokens[run.end:]
        if _ends(before, vocab.me_first) or                 len(after) <= _AFTER and _ends(after, vocab.me_last) and index == len(runs) - 1:
            return Run(run.start, run.end, run.value + 1, run.digits, run.vague)
        return run
    return [plus_me(index, run) for index, run in enumerate(runs)]


def _me_and_another(tokens: Sequence[str], vocab: Vocabulary) -> bool:
    """"io e il mio socio", also after a word that alone would mean one ("solo io e mio fratello");
    not "io e basta", where what follows is itself a way of saying alone."""
    for start in range(len(tokens)):
        rest = tokens[start:]
        if any(tuple(rest[:len(p)]) == p and len(rest) > len(p) for p in vocab.me_first):
            return not _contains(rest, vocab.alone)
    return False


def _read(tokens: Sequence[str], vocab: Vocabulary) -> Reading | None:
    """The head count in the tokens, read with one language's words."""
    found = _runs(tokens, vocab)
    if not found:
        if _me_and_another(tokens, vocab) or _ends(tokens, vocab.me_last):  # "my partner and I"
            return Reading(2.0, True)
        return Reading(1.0, False) if _contains(tokens, vocab.alone) else None
    if len(found) == 1 and found[0].value == 1 and not found[0].digits and found[0].end - found[0].start == 1:
        return Reading(1.0, False, article=True)
    counted = _without_parts(_with_ranges(found, tokens, vocab), tokens, vocab)
    runs = _with_me(counted, tokens, vocab)
    structured = runs != counted or len(counted) < len(found)
    if _people_groups(runs, tokens, vocab):
        return Reading(sum(run.value for run in runs), True)
    return Reading(_pick(runs), structured=structured, single=len(runs) == 1)


def read_head_count(text: str, languages: Iterable[str]) -> Reading | None:
    """The head count in `text`, read in the first of `languages` that finds one; a language that
    sees a range or a sum in it comes first ("40 to 50" in a German conversation)."""
    tokens = _tokens(text)
    readings = [reading for reading in (_read(tokens, vocabulary(language)) for language in languages) if reading]
    if not readings:
        return None
    return next((reading for reading in readings if reading.structured), readings[0])


def parse_head_count(text: str, languages: Iterable[str]) -> float | None:
    reading = read_head_count(text, languages)
    return reading.value if reading else None
