"""Read a head count from what users type: "40", "1.200", "about forty", "rund 40",
"około czterdziestu", "une quarantaine", "una quarantina", "zweiundvierzig", and also
"between 40 and 50" (45), "two founders and three employees" (5), "two dozen" (24), "just me" (1),
"me and two colleagues" (3).

Every language goes through the same steps; its words are data (`catalogue/numbers/<lang>.yml`):
number words, the connectors of compounds, words that multiply like "hundred" ("dozen"), the words
of a range, words for people, posts, departments and sites, phrases that make a count a part of
another ("of them") or leave a group out ("but they're not staff"), words of a rough figure ("under
10") and of the exact one ("7 to be exact"), words for now and for another time ("15 next year"),
phrases for a one-person company, and the words that add the writer and the people they name with
themselves ("me and ...", "... and me", "my husband and I").

SMEs often give a count as its parts ("R&D 6, production 15, sales and admin 4", "40 in Lyon and 15
at the Grenoble site"): every number labelled, before or after it, by a word for people, a post, a
department, a site or a place name is a group, and groups add up; unless the first number counts
people in general and the others add up to it ("40 employees: 30 in production, 10 in the office").
Several numbers that are not groups are alternatives, and the words around them choose: the exact
figure over a rough one ("under 10, 7 to be exact"), today's over another time's ("we're 12, 15 next
year"). A group said not to count ("but they're not staff") and a number of sites ("two sites") are
no heads. A comma, a full stop or a bracket ends what a word can say about a number: in "40
employees, 5 next year" the employees are the 40.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Dict, FrozenSet, Iterable, List, Sequence, Set, Tuple

import yaml

from actions.services.places import place_index
from actions.services.text import fold
from bot.config import PROJECT_ROOT

NUMBERS_DIR = PROJECT_ROOT / "catalogue" / "numbers"
_DIGITS = r"\d{1,3}(?:[ .,'’]\d{3})+(?![\d])|\d+(?:[.,]\d+)?"
_PIECES = re.compile(rf"(?<![^\W\d_])(?P<number>{_DIGITS})(?P<thousand>\s?k(?![^\W\d_]))?"  # not "S3martMed"
                     r"|(?P<dash>(?<=\d)\s*[-–—]\s*(?=\d)|(?<=\d)/(?=\d)|\s[-–—]\s)", re.IGNORECASE)
_BREAK = re.compile(r"[,;()\[\]!?…]|\.(?=\s|$)")  # ends a clause: "65, l'anno scorso 50", "9 staff. we also ..."
# (not a colon: what comes before it labels what follows, "Produktion: 14")
_DECIMAL = re.compile(r"\d+(?:\.\d+)?")
_MULTIPLIERS = {100, 1000, 1_000_000}
_AFTER = 4  # words after a number that may name whom it counts ("two full-time developers", "50 at our Polish site")
_BEFORE = 2  # words before a number that may make it a part ("davon zwei", "w tym 2") or label it ("R&D 6")
_MARK = 3  # words either side of a number that may call it rough or exact ("poco meno di 100", "7 to be exact")
_GAP = 2  # words between the ends of a range, or before it from its opener ("tra i 40 e i 50")
_REFINES = (0.5, 1.5)  # an exact figure lies this near the rough one it refines ("knapp 60, genau 58")

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
    anyone: FrozenSet[str] = frozenset()
    sites: FrozenSet[str] = frozenset()
    at_place: FrozenSet[str] = frozenset()
    filler: FrozenSet[str] = frozenset()
    part_of: Tuple[Phrase, ...] = ()
    left_out_before: Tuple[Phrase, ...] = ()
    left_out_after: Tuple[Phrase, ...] = ()
    rough_before: Tuple[Phrase, ...] = ()
    rough_after: Tuple[Phrase, ...] = ()
    exact_before: Tuple[Phrase, ...] = ()
    exact_after: Tuple[Phrase, ...] = ()
    now: Tuple[Phrase, ...] = ()
    other_time: Tuple[Phrase, ...] = ()
    alone: Tuple[Phrase, ...] = ()
    me_first: Tuple[Phrase, ...] = ()
    me_last: Tuple[Phrase, ...] = ()
    me_added: Tuple[Phrase, ...] = ()
    me: FrozenSet[str] = frozenset()
    someone: Tuple[Phrase, ...] = ()
    list_words: FrozenSet[str] = frozenset()


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
    """One number as the user wrote it, possibly in several words: "dwadzieścia pięć", "40-50"; and
    what the words around it say of it."""

    start: int
    end: int
    value: float
    digits: bool
    vague: bool
    rough: bool = False  # "under 10", "knapp 60": an exact figure near it is the count
    exact: bool = False  # "7 to be exact", "dokładnie 312": the count
    now: bool = False  # "adesso 65"
    then: bool = False  # "15 next year", "we had 5 before covid": not today's count
    group: bool = False  # counts a particular group ("35 in production"), which refines no rough figure


@dataclass(frozen=True)
class Reading:
    """A language's reading of the answer; `structured` if that language's words made a range or a sum,
    added the writer or chose between numbers; `single` if the answer holds one number only."""

    value: float
    structured: bool
    single: bool = True
    article: bool = False  # only a word for "one" that is an article too: "un humain", "einem Menschen"

    @property
    def certain(self) -> bool:
        """Whether the reading is the answer's whole meaning, which one number the NLU found cannot carry."""
        return self.structured or self.single


@dataclass(frozen=True)
class Words:
    """The answer's folded words, and where a clause ends: `breaks` holds i when a comma, a full stop
    or a bracket comes just before tokens[i]."""

    tokens: Tuple[str, ...]
    breaks: FrozenSet[int] = frozenset()

    def clause_ends(self, first: int, last: int) -> bool:
        """Whether a clause ends between tokens[first - 1] and tokens[last] (both ends included)."""
        return any(first <= index <= last for index in self.breaks)


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
    left_out = data.get("left_out") or {}
    rough = data.get("rough") or {}
    exact = data.get("exact") or {}
    when = data.get("when") or {}
    return Vocabulary(
        words=words, approximate=_word_set(data.get("approximate")), times=_word_set(data.get("times")),
        connectors=_word_set(data.get("connectors")),
        range_openers=_word_set(ranges.get("between")), range_and=_word_set(ranges.get("and")),
        range_to=_word_set(ranges.get("to")),
        people=_word_set(data.get("people")) | _word_set(data.get("posts")),
        anyone=_word_set(data.get("anyone")), sites=_word_set(data.get("sites")),
        at_place=_word_set(data.get("at_place")), filler=_word_set(data.get("filler")),
        part_of=_phrases(data.get("part_of")),
        left_out_before=_phrases(left_out.get("before")), left_out_after=_phrases(left_out.get("after")),
        rough_before=_phrases(rough.get("before")), rough_after=_phrases(rough.get("after")),
        exact_before=_phrases(exact.get("before")), exact_after=_phrases(exact.get("after")),
        now=_phrases(when.get("now")), other_time=_phrases(when.get("other")),
        alone=_phrases(data.get("alone")),
        me_first=_phrases(me.get("before")), me_last=_phrases(me.get("after")),
        me_added=_phrases(me.get("added")), me=_word_set(me.get("me")), someone=_phrases(me.get("someone")),
        list_words=_word_set(me.get("list")))


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


def _words(text: str) -> Words:
    """Folded words, numerals as plain decimals, and "-" for a dash between two numbers ("40-50"),
    which folding alone would drop; and where the clauses break, which folding would drop too."""
    tokens: List[str] = []
    breaks: Set[int] = set()

    def add(segment: str) -> None:
        for index, clause in enumerate(_BREAK.split(segment)):
            if index:
                breaks.add(len(tokens))
            tokens.extend(fold(clause).split())

    last = 0
    for match in _PIECES.finditer(text):
        add(text[last:match.start()])
        tokens.append("-" if match.group("dash") else _numeral(match))
        last = match.end()
    add(text[last:])
    return Words(tuple(tokens), frozenset(breaks))


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


def _runs(words: Words, vocab: Vocabulary) -> List[Run]:
    """Each number in the words, however many it takes; a number ends with its clause ("twelve, fifteen
    next year" are two)."""
    tokens = words.tokens
    groups: List[List[Piece]] = []
    position = 0
    while position < len(tokens):
        piece = _piece_at(tokens, position, vocab)
        if piece is None:
            position += 1
            continue
        if groups and _continues(groups[-1], piece, tokens, vocab) and \
                not words.clause_ends(groups[-1][-1].end, piece.start):
            groups[-1].append(piece)
        else:
            groups.append([piece])
        position = piece.end
    return [_as_run(group) for group in groups]


def _counts_people(run: Run, tokens: Sequence[str], vocab: Vocabulary) -> bool:
    """Whether a number can count people: a fraction word alone is a share of a post ("na pół etatu"),
    and a number just before a word for a site counts sites ("150 staff across two sites")."""
    if not run.digits and run.value != int(run.value):
        return False
    return not (run.end < len(tokens) and tokens[run.end] in vocab.sites)


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


def _occurrences(tokens: Sequence[str], phrases: Iterable[Phrase]) -> List[Tuple[int, int]]:
    """Where each of the phrases stands in the tokens, as (start, end)."""
    return [(i, i + len(p)) for p in phrases for i in range(len(tokens) - len(p) + 1)
            if tuple(tokens[i:i + len(p)]) == p]


def _after(runs: List[Run], index: int, words: Words, size: int = _AFTER) -> Sequence[str]:
    """The few words after a run, up to the next number or the end of its clause."""
    end = runs[index + 1].start if index + 1 < len(runs) else len(words.tokens)
    start = runs[index].end
    stop = next((i for i in range(start, end) if i in words.breaks), end)
    return words.tokens[start:min(stop, start + size)]


def _before(runs: List[Run], index: int, words: Words, size: int = _BEFORE) -> Sequence[str]:
    """The few words before a run, back to the previous number or the start of its clause."""
    start = runs[index - 1].end if index > 0 else 0
    end = runs[index].start
    start = max([start, end - size] + [i for i in words.breaks if start < i <= end])
    return words.tokens[start:end]


def _owner(runs: List[Run], start: int, end: int, words: Words) -> int | None:
    """The run that words at tokens[start:end] speak of: the nearer of the numbers either side in their
    clause, the one before on a tie ("we're 14 now and hiring another 3", "15 next year"); else the
    last one before ("11 freelancers, whom I don't count"), else the first one after."""
    before = max((i for i, run in enumerate(runs) if run.end <= start), default=None)
    after = min((i for i, run in enumerate(runs) if run.start >= end), default=None)
    near: List[Tuple[int, int]] = []
    if before is not None and not words.clause_ends(runs[before].end, start):
        near.append((start - runs[before].end, before))
    if after is not None and not words.clause_ends(end, runs[after].start):
        near.append((runs[after].start - end, after))
    if near:
        return min(near)[1]
    return before if before is not None else after


def _owned(runs: List[Run], words: Words, phrases: Iterable[Phrase]) -> Set[int]:
    """The runs that some of the phrases speak of."""
    return {_owner(runs, start, end, words) for start, end in _occurrences(words.tokens, phrases)} - {None}


def _without_parts(runs: List[Run], words: Words, vocab: Vocabulary) -> List[Run]:
    """A part of a count is no extra head, nor the count itself: "40 employees, 2 of them founders",
    "5 Leute, davon 2 in Teilzeit" (the "davon" speaks of the 2, not of the 5)."""
    parts = _owned(runs, words, vocab.part_of) - {0}
    return [run for index, run in enumerate(runs) if index not in parts]


def _without_left_out(runs: List[Run], words: Words, vocab: Vocabulary) -> List[Run]:
    """A group the writer says not to count: "9 employees; a couple of freelancers, but they're not
    staff", "12 osób + kilku freelancerów, ale ich nie liczę" (the phrase follows the group), "40
    without the 3 interns" (it comes just before). The first number is never left out: "a dozen,
    interns excluded" leaves out people it does not count."""
    left: Set[int] = set()
    for start, _ in _occurrences(words.tokens, vocab.left_out_after):
        earlier = [index for index, run in enumerate(runs) if run.end <= start]
        if earlier and earlier[-1] > 0:
            left.add(earlier[-1])
    left |= {index for index in range(1, len(runs))
             if _contains(_before(runs, index, words, _MARK), vocab.left_out_before)}
    return [run for index, run in enumerate(runs) if index not in left]


def _marked(runs: List[Run], words: Words, vocab: Vocabulary) -> List[Run]:
    """What the words around each run say of it: a rough figure ("under 10", "una cinquantina scarsa"),
    the exact one ("7 to be exact", "genau gesagt 58"), now ("adesso 65") or another time ("15 next
    year", "we had 5 before covid", "l'anno scorso eravamo 50"; "currently hiring 5" is to come), and
    whether it counts a particular group rather than people in general ("35 in production")."""
    now, then = _owned(runs, words, vocab.now), _owned(runs, words, vocab.other_time)

    def mark(index: int, run: Run) -> Run:
        before, after = _before(runs, index, words, _MARK), _after(runs, index, words, _MARK)
        return replace(run, rough=_contains(before, vocab.rough_before) or _contains(after, vocab.rough_after),
                       exact=_contains(before, vocab.exact_before) or _contains(after, vocab.exact_after),
                       now=index in now - then, then=index in then,
                       group=not set(_labels(runs, index, words, vocab)) <= vocab.anyone)
    return [mark(index, run) for index, run in enumerate(runs)]


def _is_place(words: Sequence[str]) -> bool:
    """Whether the words start with a place name ("Belgium", "Gliwicach", "San Marino")."""
    names = place_index()
    return any(" ".join(words[:size]) in names for size in (3, 2, 1) if len(words) >= size)


def _labels(runs: List[Run], index: int, words: Words, vocab: Vocabulary) -> List[str]:
    """The words that say whom or where a run counts, before or after it in its clause: a word for
    people, a post or a department ("3 engineers", "production 15"), a site ("at our Polish site"),
    a place name after a word such as "in" ("about 200 in Belgium", "w Gliwicach 14") or just before
    the number ("Leeds 10, Manchester 4"). A word before it that is nearer the number before is that
    one's: "30 people in 2 teams", "12 engineers with 20 years of experience"."""
    window = _before(runs, index, words)
    first = runs[index].start - len(window)
    before = [word for position, word in enumerate(window, first)
              if _owner(runs, position, position + 1, words) == index]
    near = [*before, *_after(runs, index, words)]
    labels = [word for word in near if word in vocab.people or word in vocab.sites]
    labels += [near[i + 1] for i in range(len(near) - 1) if near[i] in vocab.at_place and _is_place(near[i + 1:])]
    return labels + [" ".join(before[i:]) for i in range(len(before)) if " ".join(before[i:]) in place_index()]


def _groups(runs: List[Run], words: Words, vocab: Vocabulary) -> bool:
    """Whether each number counts a group (of people, a post, a department, a site, a place), so that
    they add up: "two founders and three employees", "40 à Lyon et 15 sur le site de Grenoble";
    "we are 12 and growing, 15 next year" names alternatives, not groups."""
    return len(runs) > 1 and all(_labels(runs, index, words, vocab) for index in range(len(runs)))


def _refines(exact: Run, rough: Run) -> bool:
    """Whether `exact` is the exact figure a rough one stands for: plain, near it, and of everyone
    ("about 40 in all, 35 in production" is 40)."""
    low, high = _REFINES
    return exact is not rough and not (exact.rough or exact.vague or exact.group) and \
        low * rough.value <= exact.value <= high * rough.value


def _pick(runs: List[Run]) -> float:
    """The figure the writer gives as the count: one called exact ("under 10, 7 to be exact"), or
    one said to be now ("adesso 65, l'anno scorso una cinquantina"); a rough figure gives way to a
    plain one near it ("über 1000 (1.040 laut Geschäftsbericht)"). Then an explicit number beats a
    vague word ("a handful, maybe 6"); a numeral, as typed, beats number words, and the first one is
    the count ("8, maybe 15 next year"); of number words, the largest ("une PME de quarante": the
    article "une" is no count)."""
    called = [run for run in runs if run.exact] or [run for run in runs if run.now] or runs
    called = [run for run in called if not (run.rough and any(_refines(other, run) for other in runs))] or called
    exact = [run for run in called if not run.vague] or called
    numerals = [run for run in exact if run.digits]
    return numerals[0].value if numerals else max(run.value for run in exact)


def _ends(words: Sequence[str], phrases: Iterable[Phrase]) -> bool:
    return any(len(words) >= len(p) and tuple(words[len(words) - len(p):]) == p for p in phrases)


@dataclass(frozen=True)
class Named:
    """The writer and the people they name one by one with themselves ("my husband and I", "Meine
    Frau, ich und unser Sohn"): where that list starts, and how many heads it holds."""

    start: int
    heads: int


def _named_with_me(tokens: Sequence[str], runs: List[Run], vocab: Vocabulary) -> Named | None:
    """The first stretch of words without a number that holds the writer ("io", "ja", "moi") and only
    people named one at a time ("mio fratello", "mąż", "notre fille") and the little words of a list
    ("and", "my", "our", "plus"): the writer and each of them is one head."""
    in_runs = {position for run in runs for position in range(run.start, run.end)}
    labelled = {run.end for run in runs}  # "one intern and me": the intern is the number's
    position, start, heads, writer = 0, 0, 0, False
    while position <= len(tokens):
        someone = next((p for p in vocab.someone if tuple(tokens[position:position + len(p)]) == p), None)
        if position < len(tokens) and position not in in_runs | labelled and someone:
            heads, position = heads + 1, position + len(someone)
            continue
        word = tokens[position] if position < len(tokens) and position not in in_runs else None
        if word is not None and (word in vocab.me or word in vocab.list_words):
            writer = writer or word in vocab.me
            position += 1
            continue
        if writer:
            return Named(start, heads + 1)
        position, start, heads = position + 1, position + 1, 0
    return None


def _writer(tokens: Sequence[str], runs: List[Run], vocab: Vocabulary) -> Named | None:
    """The writer and whom they name, when they count themselves in: with people they name ("my
    husband and I plus 3 technicians"), just before a number ("me and two others"), after the last
    one ending the answer ("two developers and me", "trzech programistów, dwie osoby w sprzedaży i
    ja"; "we are 12 and I am the CEO" counts 12), or added after it ("zwanzig plus mich als Inhaber",
    "17 salariés + moi (gérant)")."""
    named = _named_with_me(tokens, runs, vocab)
    if named is None or named.heads > 1:
        return named
    after = tokens[runs[-1].end:] if runs else ()
    joined = any(_ends(tokens[:run.start], vocab.me_first) for run in runs) or \
        (runs and (_ends(after, vocab.me_last) or _contains(after, vocab.me_added)))
    return named if joined else None


def _me_and_another(tokens: Sequence[str], vocab: Vocabulary) -> bool:
    """"io e il mio socio", also after a word that alone would mean one ("solo io e mio fratello");
    not "io e basta", where what follows is itself a way of saying alone."""
    for start in range(len(tokens)):
        rest = tokens[start:]
        if any(tuple(rest[:len(p)]) == p and len(rest) > len(p) for p in vocab.me_first):
            return not _contains(rest, vocab.alone)
    return False


def _is_total(runs: List[Run], named: Named | None, words: Words, vocab: Vocabulary) -> bool:
    """Whether the first number is the total and what follows it, two parts or more, its breakdown:
    "40 employees: 30 in production, 10 in the office" (40), "dwie osoby - ja i wspólnik" (2),
    "quattro gatti: io, mio fratello e due tecnici" (4). The total counts people in general or nobody
    in particular, and the parts add up to it; "dwóch programistów, ja i księgowa" (4) counts
    programmers, which the writer and the accountant are not."""
    first, parts = runs[0], runs[1:]
    heads = named.heads if named and named.start > first.start else 0
    return len(parts) + heads > 1 and set(_labels(runs, 0, words, vocab)) <= vocab.anyone and \
        first.value == heads + sum(run.value for run in parts)


def _read(words: Words, vocab: Vocabulary) -> Reading | None:
    """The head count in the words, read with one language's words."""
    tokens = words.tokens
    found = [run for run in _runs(words, vocab) if _counts_people(run, tokens, vocab)]
    named = _writer(tokens, found, vocab)
    if not found:
        if named and named.heads > 1:  # "moi, mon mari et notre fille"
            return Reading(float(named.heads), True)
        if _me_and_another(tokens, vocab) or _ends(tokens, vocab.me_last):  # "my partner and I"
            return Reading(2.0, True)
        return Reading(1.0, False) if _contains(tokens, vocab.alone) else None
    lone = len(found) == 1 and found[0].end - found[0].start == 1
    if lone and found[0].value == 1 and not found[0].digits and not named:
        return Reading(1.0, False, article=True)
    counted = _without_left_out(_without_parts(_with_ranges(found, tokens, vocab), words, vocab), words, vocab)
    marked = _marked(counted, words, vocab)
    runs = [run for run in marked if not run.then] or marked
    named = _writer(tokens, runs, vocab)
    extra = named.heads if named else 0
    groups = _groups(runs, words, vocab)
    if _is_total(runs, named, words, vocab):
        value, extra = runs[0].value, 0
    elif groups:
        value = sum(run.value for run in runs)
    else:
        value = _pick(runs)
    structured = len(runs) < len(found) or groups or bool(extra) or value != _pick(found)
    return Reading(value + extra, structured=structured, single=len(runs) == 1)


def read_head_count(text: str, languages: Iterable[str]) -> Reading | None:
    """The head count in `text`, read in the first of `languages` that finds one; a language that
    sees a range or a sum in it comes first ("40 to 50" in a German conversation)."""
    words = _words(text)
    readings = [reading for reading in (_read(words, vocabulary(language)) for language in languages) if reading]
    if not readings:
        return None
    return next((reading for reading in readings if reading.structured), readings[0])


def parse_head_count(text: str, languages: Iterable[str]) -> float | None:
    reading = read_head_count(text, languages)
    return reading.value if reading else None
