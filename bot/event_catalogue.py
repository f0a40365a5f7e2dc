"""The catalogue of webinars and brokerage events (`catalogue/events.yml`, edited by admins).

Read by the registration form (actions/) and by the portal's event interest lists, so it
lives in `bot/`, which the portal may import.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Dict, List

import yaml

from bot.config import PROJECT_ROOT
from bot.definitions import FALLBACK_LANGUAGE

EVENTS_FILE = PROJECT_ROOT / "catalogue" / "events.yml"


@dataclass(frozen=True)
class Event:
    id: str
    date: date
    kind: str
    cluster: str
    title: Dict[str, str]
    example: bool = False
    keywords: tuple[str, ...] = ()

    def title_in(self, language: str | None) -> str:
        return self.title.get(language or FALLBACK_LANGUAGE) or self.title[FALLBACK_LANGUAGE]


def load_events(path: Path = EVENTS_FILE) -> List[Event]:
    """All events of the catalogue; admins' edits show at once (the file is re-read when it changes)."""
    return list(_parse_events(path, path.stat().st_mtime_ns))


@lru_cache(maxsize=4)
def _parse_events(path: Path, modified_ns: int) -> tuple[Event, ...]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    events = []
    for entry in data.get("events") or []:
        when = entry["date"]
        events.append(Event(
            id=str(entry["id"]),
            date=when if isinstance(when, date) else date.fromisoformat(str(when)),
            kind=entry["kind"],
            cluster=entry["cluster"],
            title=dict(entry["title"]),
            example=bool(entry.get("example", False)),
            keywords=tuple(str(k) for k in entry.get("keywords") or ()),
        ))
    return tuple(events)


def upcoming_events(today: date | None = None, limit: int = 5, path: Path = EVENTS_FILE) -> List[Event]:
    today = today or date.today()
    return sorted((e for e in load_events(path) if e.date >= today), key=lambda e: e.date)[:limit]
