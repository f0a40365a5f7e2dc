"""Rasa's SQL tracker store, pointed at the database of `S3M_DATABASE_URL`.

Rasa's own SQLTrackerStore takes the URL in pieces (dialect, host, db...); this
subclass lets conversations and leads share the one URL of the contract. It also
carries out the erasure an SME asks for: the stored events of its conversation
are deleted when the action `action_delete_my_data` has run.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.config import load_settings
from bot.database import ensure_sqlite_directory, tune_sqlite
from bot.log_redaction import conversation_hash

ERASURE_ACTION = "action_delete_my_data"
logger = logging.getLogger(__name__)


class DatabaseUrlTrackerStore(SQLTrackerStore):
    """SQL tracker store configured by `S3M_DATABASE_URL` (see `bot.config`)."""

    def __init__(self, domain: Domain | None = None, **kwargs: Any) -> None:
        kwargs.pop("host", None)
        url = load_settings().database_url
        ensure_sqlite_directory(url)
        super().__init__(domain=domain, host=url, **kwargs)
        tune_sqlite(self.engine)

    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> DialogueStateTracker | None:
        """Rasa's retrieval, reading only the events' JSON column.

        Rasa loads every row as an ORM object only to read its `data`: 3 to 4 ms per
        message for a registration's hundred events, in the event loop that all
        conversations share. The query (latest session or all) stays Rasa's own.
        """
        with self.session_scope() as session:
            rows = self._event_query(session, sender_id, fetch_events_from_all_sessions) \
                .with_entities(self.SQLEvent.data).all()
        events = [json.loads(data) for (data,) in rows]
        if not (self.domain and events):
            return None
        return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Store new events; after an erasure, keep only what followed it."""
        erasure_index = self._new_erasure_index(tracker)
        if erasure_index is not None:
            with self.session_scope() as session:
                deleted = session.query(self.SQLEvent).filter(
                    self.SQLEvent.sender_id == tracker.sender_id).delete()
                session.commit()
            logger.info("Erased %d stored events of conversation %s", deleted, conversation_hash(tracker.sender_id))
            tracker = DialogueStateTracker.from_events(
                tracker.sender_id, list(tracker.events)[erasure_index:],
                slots=self.domain.slots if self.domain else None)
        await super().save(tracker)

    @staticmethod
    def _new_erasure_index(tracker: DialogueStateTracker) -> int | None:
        """Index of the erasure action if it ran in this turn (after the latest user message).

        A turn is saved once, after its last action, so this needs no look at the database.
        """
        events = list(tracker.events)
        for index in range(len(events) - 1, -1, -1):
            event = events[index]
            if isinstance(event, UserUttered):
                return None
            if isinstance(event, ActionExecuted) and event.action_name == ERASURE_ACTION:
                return index
        return None
