"""Read a head count from what users type: "40", "1.200", "about forty", "rund 40",
"około czterdziestu", "une quarantaine", "una quarantina", "zweiundvierzig".

The number words of each language are data (`catalogue/numbers/<lang>.yml`).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Dict, Iterable, List

import yaml

from actions.services.text import fold
from bot.config import PROJECT_ROOT

NUMBERS_DIR = PROJECT_ROOT / "catalogue" / "numbers"
_DIGITS = re.compile(r"\d{1,3}(?:[ .,'’]\d{3})+(?![\d])|\d+(?:[.,]\d+)?")
_MULTIPLIERS = {100, 1000, 1_000_000}
_CONNECTORS = {"und", "et", "e", "i", "and"}


@cache
def number_words(language: str, directory: Path = NUMBERS_DIR) -> Dict[str, float]:
    path = directory / f"{language}.yml"
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    words = {fold(str(word)): float(value) for word, value in (data.get("words") or {}).items()}
    words.pop("", None)
    return words


def _digits(text: str) -> float | None:
    match = _DIGITS.search(text)
    if not match:
        return None
    token = match.group(0)
    if re.fullmatch(r"\d{1,3}(?:[ .,'’]\d{3})+", token):
        return float(re.sub(r"\D", "", token))
    value = float(token.replace(",", "."))
    suffix = text[match.end():match.end() + 2].strip().lower()
    return value * 1000 if suffix.startswith("k") else value


def _split_compound(word: str, words: Dict[str, float]) -> List[float] | None:
    """Values of a word made of number words ("zweiundvierzig" -> [2, 40]), longest parts first."""
    if word in words:
        return [words[word]]
    for end in range(len(word) - 1, 1, -1):
        head = word[:end]
        if head in words or head in _CONNECTORS:
            rest = _split_compound(word[end:], words)
            if rest is not None:
                return ([words[head]] if head in words else []) + rest
    return None


def _combine(values: Iterable[float]) -> float | None:
    """Add and multiply number-word values: [2, 100, 40, 2] -> 242."""
    total, current, seen = 0.0, 0.0, False
    for value in values:
        seen = True
        if value in _MULTIPLIERS:
            current = (current or 1.0) * value
            if value >= 1000:
                total, current = total + current, 0.0
        else:
            current += value
    return total + current if seen else None


def _number_groups(tokens: List[str], words: Dict[str, float]) -> List[List[float]]:
    """Values of each run of number words in `tokens` (multi-word entries first)."""
    groups: List[List[float]] = [[]]
    position = 0
    while position < len(tokens):
        for size in (3, 2, 1):
            phrase = " ".join(tokens[position:position + size])
            parts = [words[phrase]] if phrase in words else (
                _split_compound(phrase, words) if size == 1 else None)
            if parts is not None:
                groups[-1].extend(parts)
                position += size
                break
        else:
            if groups[-1] and tokens[position] not in _CONNECTORS:
                groups.append([])
            position += 1
    return [group for group in groups if group]


def _group_value(values: List[float]) -> float | None:
    """An article before a number noun is not a number: "une quarantaine", "ein Dutzend"."""
    if len(values) > 1 and values[0] == 1 and values[1] >= 10 and values[1] not in _MULTIPLIERS:
        values = values[1:]
    return _combine(values)


def parse_head_count(text: str, languages: Iterable[str]) -> float | None:
    """The number in `text`, trying digits first, then the number words of `languages`."""
    value = _digits(text)
    if value is not None:
        return value
    tokens = fold(text).split()
    for language in languages:
        words = number_words(language)
        values = [v for v in (_group_value(g) for g in _number_groups(tokens, words)) if v is not None]
        if values:
            return max(values)  # "une PME de quarante" -> 40: a head count is the largest number
    return None
