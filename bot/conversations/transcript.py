"""A conversation's transcript, as staff read it: what the SME and the bot said.

Only what was said is shown: the SME's messages and the bot's replies, in the order they
happened, in the language they were said in. A database Rasa never ran against, and an
erased conversation, give an empty transcript.

A conversation may register more than once, and its leads may go to different clusters:
a lead's page shows only the part of the conversation that produced that lead
(`read_lead_transcript`), so one cluster never reads what was said for another's lead.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.conversations import events
from bot.leads.models import Lead

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Utterance:
    speaker: str  # "user" or "bot"
    text: str
    at: datetime | None


def read_transcript(
    session: Session, conversation_id: str, *, start: float | None = None, end: float | None = None
) -> list[Utterance]:
    """What the SME and the bot said in the conversation (from `start` to before `end`, Unix times), oldest first."""
    rows = events.said(session.connection(), conversation_id, start=start, end=end)
    utterances = [_utterance(type_name, timestamp, data) for type_name, timestamp, data in rows]
    return [utterance for utterance in utterances if utterance is not None]


def read_lead_transcript(session: Session, lead: Lead) -> list[Utterance]:
    """What was said in the registration that produced `lead`, oldest first.

    That is the conversation's turns from the first message after its previous lead was stored
    (from its beginning for its first lead) up to the bot's replies to the message that stored
    this one: nothing said for the conversation's other leads, nor after this one.
    """
    connection = session.connection()
    previous = session.scalars(
        select(Lead.created_at)
        .where(Lead.conversation_id == lead.conversation_id, Lead.id != lead.id,
               (Lead.created_at < lead.created_at) | ((Lead.created_at == lead.created_at) & (Lead.id < lead.id)))
        .order_by(Lead.created_at.desc(), Lead.id.desc())
        .limit(1)
    ).first()
    start = None
    if previous is not None:
        start = events.first_user_message_after(connection, lead.conversation_id, previous)
        if start is None:  # nothing was said after the previous lead: this lead has no turns of its own
            return []
    end = events.first_user_message_after(connection, lead.conversation_id, lead.created_at)
    return read_transcript(session, lead.conversation_id, start=start, end=end)


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
