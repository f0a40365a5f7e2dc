"""Rasa's SQL tracker store, pointed at the database of `S3M_DATABASE_URL`.

Rasa's own SQLTrackerStore takes the URL in pieces (dialect, host, db...); this
subclass lets conversations and leads share the one URL of the contract. It also
completes the erasure an SME asks for (bot.conversations.erasure): the tracker it
saves after `action_delete_my_data` still holds the erased events, of which it
stores none again. And it keeps the trackers it saved last, so that the next message
of a conversation does not rebuild its tracker from every stored event
(docs/benchmark.md, "Profile").

Rasa wraps every tracker store in a `FailSafeTrackerStore`: when the database cannot be
read it carries on as if the conversation were new (an SME halfway through its
registration is asked for its consent again), and what it cannot save goes to the
process's memory, where nothing reads it. `install()` (bot.rasa_runtime) makes that
wrapper raise `ConversationStoreUnavailable` instead: the turn is refused, the stored
conversation stays as it was, and the channels apologise (bot.channels.outage_guard).
"""

from __future__ import annotations

import itertools
import json
import logging
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, NoReturn, Tuple

import sqlalchemy as sa
from rasa.core.tracker_store import FailSafeTrackerStore, SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from bot.config import load_settings
from bot.conversations.events import delete_conversation
from bot.database import ensure_sqlite_directory, sqlite_pool, tune_sqlite
from bot.log_redaction import conversation_hash

ERASURE_ACTION = "action_delete_my_data"
KEPT_CONVERSATIONS = 200
logger = logging.getLogger(__name__)

Stored = Tuple[int, Any]  # a conversation's events in the database: how many (latest session), highest id


@dataclass(frozen=True)
class _Kept:
    tracker: DialogueStateTracker
    stored: Stored  # what the database held right after this tracker was saved


class DatabaseUrlTrackerStore(SQLTrackerStore):
    """SQL tracker store configured by `S3M_DATABASE_URL` (see `bot.config`)."""

    def __init__(self, domain: Domain | None = None, **kwargs: Any) -> None:
        kwargs.pop("host", None)
        url = load_settings().database_url
        ensure_sqlite_directory(url)
        super().__init__(domain=domain, host=url, **kwargs)
        # Rasa's engine hands out pooled connections untested (after a database restart each one
        # is dead, and the first message to draw it would fail) and, with SQLAlchemy 1.4's default,
        # opens a SQLite file anew for every session. Same engine otherwise.
        self.engine.dispose()
        self.engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url), **sqlite_pool(url))
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        tune_sqlite(self.engine)
        self._kept: OrderedDict[str, _Kept] = OrderedDict()

    @property
    def domain(self) -> Domain:
        return self._domain

    @domain.setter
    def domain(self, domain: Domain | None) -> None:
        """A new model's domain may have other slots: trackers built with the old ones are dropped."""
        self._domain = domain or Domain.empty()
        self._kept = OrderedDict()

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """The tracker this process saved last for the conversation, if the database still holds
        exactly what was saved then (no other process wrote or erased since); else Rasa's rebuild
        from the stored events: 4 to 6 ms per message for a registration's hundred events.

        A kept tracker is handed out once: if the message fails before its tracker is saved,
        the next one reads the database.
        """
        kept = self._kept.pop(sender_id, None)
        if kept and len(kept.tracker.events) == kept.stored[0]:
            with self.session_scope() as session:
                if self._stored(session, sender_id) == kept.stored:
                    return kept.tracker
        return await self._retrieve(sender_id, fetch_events_from_all_sessions=False)

    def _stored(self, session: Any, sender_id: str) -> Stored:
        query = self._event_query(session, sender_id, fetch_events_from_all_sessions=False).order_by(None)
        count, highest = query.with_entities(sa.func.count(self.SQLEvent.id), sa.func.max(self.SQLEvent.id)).one()
        return count, highest

    def _keep(self, tracker: DialogueStateTracker, stored: Stored) -> None:
        if stored[0] == len(tracker.events):
            self._kept[tracker.sender_id] = _Kept(tracker, stored)
            self._kept.move_to_end(tracker.sender_id)
            while len(self._kept) > KEPT_CONVERSATIONS:
                self._kept.popitem(last=False)

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
        """Store new events; after an erasure, keep only what followed it.

        The action deleted the stored events already, unless it failed: then they go here, for
        Rasa writes only the events past the number it finds stored.
        """
        erasure_index = self._new_erasure_index(tracker)
        if erasure_index is not None:
            with self.engine.begin() as connection:
                deleted = delete_conversation(connection, tracker.sender_id)
            if deleted:
                logger.info("Erased %d stored events of conversation %s", deleted,
                            conversation_hash(tracker.sender_id))
            tracker = DialogueStateTracker.from_events(
                tracker.sender_id, list(tracker.events)[erasure_index:],
                slots=self.domain.slots if self.domain else None)
        self._kept.pop(tracker.sender_id, None)
        await self.stream_events(tracker)
        self._keep(tracker, self._store_new_events(tracker))

    def _store_new_events(self, tracker: DialogueStateTracker) -> Stored:
        """Rasa's save (the events past the number stored for the latest session), which also
        tells what the database holds afterwards: one query instead of two."""
        with self.session_scope() as session:
            count, highest = self._stored(session, tracker.sender_id)
            rows = [self._row(tracker.sender_id, event) for event in itertools.islice(tracker.events, count, None)]
            session.add_all(rows)
            session.flush()
            stored = (count + len(rows), rows[-1].id if rows else highest)
            session.commit()
        return stored

    def _row(self, sender_id: str, event: Event) -> Any:
        data = event.as_dict()
        return self.SQLEvent(sender_id=sender_id, type_name=event.type_name, timestamp=data.get("timestamp"),
                             intent_name=data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                             action_name=data.get("name"), data=json.dumps(data))

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


class ConversationStoreUnavailable(RuntimeError):
    """The conversation could not be read or saved: the turn must not go on without it."""


def install() -> None:
    """Every `FailSafeTrackerStore` of this process raises instead of falling back (bot.rasa_runtime)."""
    FailSafeTrackerStore.on_tracker_store_error = refuse_fallback
    FailSafeTrackerStore.on_tracker_store_retrieve_error = refuse_fallback


def refuse_fallback(_store: FailSafeTrackerStore, error: Exception) -> NoReturn:
    """Raise instead of letting Rasa go on with a new, empty conversation or keep it in memory.

    The message names the error's class only: SQLAlchemy's own message quotes the statement's
    parameters, which hold conversation ids and what the SME wrote.
    """
    raise ConversationStoreUnavailable(f"conversation store unavailable ({type(error).__name__})") from error
