"""Read response texts from the domain, for the few places where text goes on a button."""

from __future__ import annotations

from typing import Any, Mapping


def response_text(domain: Mapping[str, Any], name: str, language: str | None) -> str | None:
    """Text of response `name` in `language`, falling back to the unconditioned variation."""
    variations = domain.get("responses", {}).get(name) or []
    default = None
    for variation in variations:
        conditions = variation.get("condition") or []
        if not conditions:
            default = variation.get("text")
        elif any(c.get("name") == "language" and c.get("value") == language for c in conditions):
            return variation.get("text")
    return default

