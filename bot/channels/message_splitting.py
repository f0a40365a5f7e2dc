"""Cut long replies into messages Telegram accepts.

Telegram refuses a text longer than 4096 characters, counted in UTF-16 code
units (an emoji counts twice). Replies are cut where a reader expects a break:
between paragraphs, else between lines, else between words.
"""

from __future__ import annotations

from typing import List

TELEGRAM_TEXT_LIMIT = 4096
"""Longest text of one Telegram message, in UTF-16 code units."""

_SEPARATORS = ("\n\n", "\n", " ")


def telegram_length(text: str) -> int:
    """Length of a text as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = TELEGRAM_TEXT_LIMIT) -> List[str]:
    """Split a reply into pieces of at most `limit`, at paragraph, line or word boundaries.

    Args:
        text: the reply; surrounding white space is dropped.
        limit: the longest piece, in UTF-16 code units.

    Returns:
        The pieces in order, none empty; `[]` for a blank text.
    """
    text = text.strip()
    if not text:
        return []
    return [piece for piece in (p.strip() for p in _split(text, limit, 0)) if piece]


def _split(text: str, limit: int, level: int) -> List[str]:
    if telegram_length(text) <= limit:
        return [text]
    if level == len(_SEPARATORS):
        return _cut(text, limit)
    separator = _SEPARATORS[level]
    pieces: List[str] = []
    current = ""
    for part in text.split(separator):
        if telegram_length(part) > limit:
            if current:
                pieces.append(current)
                current = ""
            pieces.extend(_split(part, limit, level + 1))
            continue
        candidate = f"{current}{separator}{part}" if current else part
        if telegram_length(candidate) <= limit:
            current = candidate
        else:
            pieces.append(current)
            current = part
    if current:
        pieces.append(current)
    return pieces


def _cut(text: str, limit: int) -> List[str]:
    """Last resort for a single word longer than a message: cut between characters."""
    pieces: List[str] = []
    current, length = [], 0
    for character in text:
        size = telegram_length(character)
        if length + size > limit:
            pieces.append("".join(current))
            current, length = [], 0
        current.append(character)
        length += size
    if current:
        pieces.append("".join(current))
    return pieces
