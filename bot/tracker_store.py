"""Rasa's SQL tracker store, pointed at the database of `S3M_DATABASE_URL`.

Rasa's own SQLTrackerStore takes the URL in pieces (dialect, host, db...); this
subclass lets conversations and leads share the one URL of the contract.
"""

from __future__ import annotations

from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain

from bot.config import load_settings
from bot.database import ensure_sqlite_directory


class DatabaseUrlTrackerStore(SQLTrackerStore):
    """SQL tracker store configured by `S3M_DATABASE_URL` (see `bot.config`)."""

    def __init__(self, domain: Domain | None = None, **kwargs: Any) -> None:
        kwargs.pop("host", None)
        url = load_settings().database_url
        ensure_sqlite_directory(url)
        super().__init__(domain=domain, host=url, **kwargs)
