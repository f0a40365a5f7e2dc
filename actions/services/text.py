"""Text normalisation shared by the look-ups that match what users type."""

from __future__ import annotations

import re
import unicodedata

_SEPARATORS = re.compile(r"[\s\-_/.,;:!?()\"'’]+")


def fold(text: str) -> str:
    """Lower case, no diacritics, single spaces: "Piémont" and "piemont" match."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    stripped = stripped.replace("ł", "l").replace("ß", "ss")
    return _SEPARATORS.sub(" ", stripped).strip()
