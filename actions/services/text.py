"""Text normalisation shared by the look-ups that match what users type."""

from __future__ import annotations

import re
import unicodedata

_SEPARATORS = re.compile(r"[\s\-_/.,;:!?()\"'’]+")


def fold(text: str) -> str:
    """Lower case, no diacritics, single spaces: "Piémont" and "piemont" match."""
    return _SEPARATORS.sub(" ", without_diacritics(text.casefold())).strip()


def without_diacritics(text: str) -> str:
    """The text as typed on a keyboard without its language's letters ("moze byc" for "może być")."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return stripped.replace("ł", "l").replace("Ł", "L").replace("ß", "ss")
