"""Read responses from the domain, for the few places where their text or buttons are reused."""

from __future__ import annotations

from typing import Any, Dict, List, Mapping


def _variation(domain: Mapping[str, Any], name: str, language: str | None) -> Mapping[str, Any]:
    """The variation of response `name` for `language`, else the unconditioned one."""
    variations = domain.get("responses", {}).get(name) or []
    default: Mapping[str, Any] = {}
    for variation in variations:
        conditions = variation.get("condition") or []
        if not conditions:
            default = variation
        elif any(c.get("name") == "language" and c.get("value") == language for c in conditions):
            return variation
    return default


def response_text(domain: Mapping[str, Any], name: str, language: str | None) -> str | None:
    """Text of response `name` in `language`, falling back to the unconditioned variation."""
    return _variation(domain, name, language).get("text")


def response_buttons(domain: Mapping[str, Any], name: str, language: str | None) -> List[Dict[str, str]]:
    """Buttons of response `name` in `language`, payloads as sent (the domain doubles their braces)."""
    return [{"title": button["title"], "payload": button["payload"].replace("{{", "{").replace("}}", "}")}
            for button in _variation(domain, name, language).get("buttons") or []]
