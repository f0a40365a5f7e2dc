"""An SME's erasure of its conversation (GDPR art. 17): its leads and its stored events, in one transaction.

`action_delete_my_data` calls it in the action server. Rasa's process still holds the
conversation's events in memory and would store them again with the turn: the tracker store
keeps only what followed the action (bot.tracker_store). What erasing a lead takes is
bot.leads.erasure's; the retention purge (bot.conversations.retention) erases old
conversations the same way, many at once.
"""

from __future__ import annotations

import logging
from typing import Iterable

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, selectinload

from bot.config import Settings
from bot.conversations.events import delete_conversation
from bot.leads.clusters import ClusterTable
from bot.leads.erasure import ErasedTraces, erase_annotations, erase_lead, erase_outside_database, names_of
from bot.leads.models import Lead, utcnow
from bot.log_redaction import conversation_hash

log = logging.getLogger(__name__)

DATA_SUBJECT = "data subject"
"""`changed_by` of the status change that records an erasure the SME asked for."""


def erase_conversation(
    engine: Engine,
    conversation_id: str,
    *,
    clusters: ClusterTable,
    settings: Settings,
    also_named: Iterable[str | None] = (),
) -> int:
    """Erase the personal details of every lead of a conversation, and its stored events.

    The leads stay, without company, contact, e-mail and head count, so that counts and routing
    remain true; see bot.leads.erasure for all that goes with them (notes, copies of notifications,
    kept e-mails, training data naming the SME) and the notices to the clusters that received them.

    Args:
        conversation_id: the conversation asking, never an id taken from what the user wrote.
        also_named: what the conversation gave besides its leads (its company, contact and
            e-mail slots), so that training data naming the SME go even without a stored lead.

    Returns:
        How many leads were erased now (leads erased before are not counted again).
    """
    now = utcnow()
    traces = ErasedTraces(names=names_of(*also_named))
    with Session(engine, future=True, expire_on_commit=False) as session, session.begin():
        leads = session.scalars(
            select(Lead)
            .where(Lead.conversation_id == conversation_id, Lead.erased_at.is_(None))
            .options(selectinload(Lead.notifications), selectinload(Lead.status_changes),
                     selectinload(Lead.routing_decisions))
        ).all()
        for lead in leads:
            traces.add(erase_lead(session, lead, now=now, changed_by=DATA_SUBJECT, clusters=clusters,
                                  settings=settings))
        erase_annotations(session, traces.names)
        events = delete_conversation(session.connection(), conversation_id)
    erase_outside_database(traces, settings)
    log.info("erased %d lead(s) and %d stored event(s) of conversation %s", len(leads), events,
             conversation_hash(conversation_id))
    return len(leads)
