"""A lead's conversation, read from Rasa's tracker store in the same database.

Rasa's SQLTrackerStore keeps one row per event in `events` (sender_id, type_name,
timestamp, intent_name, action_name, data as JSON text). Only what was said is
shown: the SME's messages and the bot's replies, in the order they happened, in
the language they were said in. The table exists only once Rasa has run against
the database, and an erased conversation has no rows: both give an empty transcript.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import inspect, text
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

EVENTS_TABLE = "events"

_SAID = text(
    "SELECT type_name, timestamp, data FROM events"
    " WHERE sender_id = :sender_id AND type_name IN ('user', 'bot')"
    " ORDER BY timestamp, id"
)


@dataclass(frozen=True)
class Utterance:
    speaker: str  # "user" or "bot"
    text: str
    at: datetime | None


def read_transcript(session: Session, conversation_id: str) -> list[Utterance]:
    """What the SME and the bot said in the conversation, oldest first."""
    connection = session.connection()
    if not inspect(connection).has_table(EVENTS_TABLE):
        return []
    rows = connection.execute(_SAID, {"sender_id": conversation_id}).all()
    utterances = [_utterance(type_name, timestamp, data) for type_name, timestamp, data in rows]
    return [utterance for utterance in utterances if utterance is not None]


def _utterance(type_name: str, timestamp: float | None, data: str | None) -> Utterance | None:
    try:
        event = json.loads(data or "{}")
    except ValueError:
        log.warning("skipping a tracker event whose data is not JSON")
        return None
    said = event.get("text") if isinstance(event, dict) else None
    if not said:  # e.g. a bot message that only carries buttons or an image
        return None
    at = datetime.fromtimestamp(timestamp, UTC) if timestamp is not None else None
    return Utterance(speaker=type_name, text=str(said), at=at)
