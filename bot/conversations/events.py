"""Rasa's `events` table: the one module that knows how Rasa's SQL tracker store keeps conversations.

Rasa creates and fills the table (rasa.core.tracker_store.SQLTrackerStore.SQLEvent), one row per
event, in the database of the leads. A conversation is its rows of one `sender_id`, in the order
of their `id`; `timestamp` is a Unix time (float) and `data` the event as Rasa's JSON. A database
Rasa never ran against has no such table: there, every query below finds nothing and every
deletion deletes nothing, so no caller needs to ask first.
"""

from __future__ import annotations

from datetime import datetime
from typing import Collection, Iterable

from sqlalchemy import (
    Column,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    case,
    delete,
    exists,
    func,
    inspect,
    select,
)
from sqlalchemy.engine import Connection, Row
from sqlalchemy.sql import ColumnElement, Select

from bot.leads.serialize import as_utc

EVENTS = Table(
    # As Rasa 3.6 creates it; ours only to read and delete rows (and, in tests and benchmarks, to write them).
    "events", MetaData(),
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255), nullable=False, index=True),
    Column("type_name", String(255), nullable=False),
    Column("timestamp", Float),
    Column("intent_name", String(255)),
    Column("action_name", String(255)),
    Column("data", Text),
)

REPLAYED = ("user", "slot", "active_loop")
"""The event types a replay of a conversation's course needs: the SME's messages, slots and forms,
not the bot's replies and actions (about half the rows)."""

SAID = ("user", "bot")


def is_stored(connection: Connection) -> bool:
    """Whether Rasa has created its table in this database yet."""
    return inspect(connection).has_table(EVENTS.name)


def said(connection: Connection, sender_id: str, *, start: float | None = None, end: float | None = None
         ) -> list[Row]:
    """The conversation's `user` and `bot` events (type_name, timestamp, data) from `start` to before
    `end` (Unix times, as `first_user_message_after` returns them), in the order they happened."""
    if not is_stored(connection):
        return []
    query = select(EVENTS.c.type_name, EVENTS.c.timestamp, EVENTS.c.data).where(
        EVENTS.c.sender_id == sender_id, EVENTS.c.type_name.in_(SAID))
    if start is not None:
        query = query.where(EVENTS.c.timestamp >= start)
    if end is not None:
        query = query.where(EVENTS.c.timestamp < end)
    return list(connection.execute(query.order_by(EVENTS.c.timestamp, EVENTS.c.id)))


def first_user_message_after(connection: Connection, sender_id: str, moment: datetime) -> float | None:
    """The Unix time of the conversation's first user message after `moment`, if any."""
    if not is_stored(connection):
        return None
    found = connection.execute(select(func.min(EVENTS.c.timestamp)).where(
        EVENTS.c.sender_id == sender_id, EVENTS.c.type_name == "user",
        EVENTS.c.timestamp > _unix(moment))).scalar()
    return float(found) if found is not None else None


def replay_rows(
    connection: Connection,
    *,
    since: datetime | None = None,
    senders: Collection[str] | None = None,
    up_to_id: int | None = None,
) -> Iterable[Row]:
    """The `REPLAYED` events (sender_id, type_name, timestamp, data), by conversation, then time and id.

    Rows are streamed (a server-side cursor on PostgreSQL): read them inside the connection's transaction.

    Args:
        since: only events from this moment on.
        senders: only these conversations' events.
        up_to_id: only rows up to this id (as `table_mark` saw the table).
    """
    if (senders is not None and not senders) or not is_stored(connection):
        return []
    query = select(EVENTS.c.sender_id, EVENTS.c.type_name, EVENTS.c.timestamp, EVENTS.c.data).where(
        EVENTS.c.type_name.in_(REPLAYED))
    if since is not None:
        query = query.where(EVENTS.c.timestamp >= _unix(since))
    if senders is not None:
        query = query.where(EVENTS.c.sender_id.in_(sorted(senders)))
    if up_to_id is not None:
        query = query.where(EVENTS.c.id <= up_to_id)
    query = query.order_by(EVENTS.c.sender_id, EVENTS.c.timestamp, EVENTS.c.id)
    return connection.execute(query.execution_options(stream_results=True, max_row_buffer=5000))


def table_mark(connection: Connection, seen_id: int) -> tuple[int, int, int]:
    """How many rows there are, the highest id and how many rows lie above `seen_id`, in one query:
    what a cache compares to learn whether rows were added, and whether any were deleted."""
    if not is_stored(connection):
        return 0, 0, 0
    above = func.sum(case((EVENTS.c.id > seen_id, 1), else_=0))
    rows, last_id, newer = connection.execute(
        select(func.count(), func.coalesce(func.max(EVENTS.c.id), 0), func.coalesce(above, 0))).one()
    return int(rows), int(last_id), int(newer)


def senders_between(connection: Connection, after_id: int, up_to_id: int) -> set[str]:
    """The conversations with rows whose id is above `after_id` and at most `up_to_id`."""
    if not is_stored(connection):
        return set()
    return set(connection.scalars(select(EVENTS.c.sender_id).distinct().where(
        EVENTS.c.id > after_id, EVENTS.c.id <= up_to_id)))


def _ended_before(cutoff: datetime) -> Select:
    """The conversations whose latest event is older than `cutoff`."""
    return (select(EVENTS.c.sender_id)
            .group_by(EVENTS.c.sender_id)
            .having(func.max(EVENTS.c.timestamp) < _unix(cutoff)))


def count_ended_before(connection: Connection, cutoff: datetime) -> tuple[int, int]:
    """How many conversations ended before `cutoff`, and how many events they stored."""
    if not is_stored(connection):
        return 0, 0
    ended = _ended_before(cutoff).add_columns(func.count().label("events")).subquery()
    row = connection.execute(select(func.count(), func.coalesce(func.sum(ended.c.events), 0))).one()
    return int(row[0]), int(row[1])


def active_since(sender_id: ColumnElement, cutoff: datetime) -> ColumnElement:
    """A condition on another table's conversation id: that conversation stored an event at or after
    `cutoff`. Only for a database where `is_stored` holds."""
    return exists().where(EVENTS.c.sender_id == sender_id, EVENTS.c.timestamp >= _unix(cutoff))


def delete_ended_before(connection: Connection, cutoff: datetime) -> int:
    """Delete every event of the conversations that ended before `cutoff`; returns how many."""
    if not is_stored(connection):
        return 0
    return connection.execute(delete(EVENTS).where(EVENTS.c.sender_id.in_(_ended_before(cutoff)))).rowcount


def delete_conversation(connection: Connection, sender_id: str) -> int:
    """Delete every event of the conversation; returns how many."""
    if not is_stored(connection):
        return 0
    return connection.execute(delete(EVENTS).where(EVENTS.c.sender_id == sender_id)).rowcount


def _unix(moment: datetime) -> float:
    """The column's Unix time of a moment (naive: UTC, as SQLite gives back what was written in UTC)."""
    return as_utc(moment).timestamp()
