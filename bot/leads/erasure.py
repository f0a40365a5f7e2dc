"""Erasing what is known about an SME (GDPR art. 17): the one erasure of the code base.

An SME's request (`bot.conversations.erasure`) and the retention purge
(`bot.conversations.retention`) both come here. A lead's personal data are not only in its row:

- in the database: the lead's fields, the copies of its notifications, what staff wrote about
  it (status notes, re-assignment reasons) and admins' annotations of messages naming it
  (`training_annotations`); all are erased in the caller's transaction (`erase_lead`);
- outside it: the hand-off e-mails the development mailbox keeps as `.eml` files, and
  training examples in `nlu_data/<lang>/from_users.yml` naming the SME; erased once the
  transaction is committed (`erase_outside_database`);
- at the clusters the lead was handed to: each gets an erasure notice (bot.leads.erasure_notices).

What names the SME is found by its company, contact and e-mail as stored in the lead (and
as the conversation's slots hold them): a training example holding any of them, or a word of
the contact's name, goes, at the cost of the odd example that only shares a first name.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import datetime
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.leads.clusters import ClusterTable
from bot.leads.erasure_notices import AT_REQUEST, enqueue_erasure_notices
from bot.leads.handoff import message_id_stem
from bot.leads.models import Lead, LeadStatusChange
from bot.leads.qualification import AT_REQUEST as ERASED_AT_REQUEST
from bot.leads.qualification import erase_head_count
from bot.registration_fields import ERASED_FIELDS, NAMING_FIELDS
from bot.retraining.models import TrainingAnnotation

log = logging.getLogger(__name__)

ERASED = "erased"
"""Status of a lead whose personal details were erased."""

ASSISTANT = "assistant"
"""`decided_by` of the routing the assistant computed (no one's words, no personal data)."""

MIN_NAME_LENGTH = 3
"""Shorter names or name parts ("Li", "de") would match far too many training examples."""


@dataclass
class ErasedTraces:
    """What the transaction erased that also lives outside the database."""

    names: set[str] = field(default_factory=set)  # company, contact, e-mail (and parts of the contact's name)
    message_ids: set[str] = field(default_factory=set)  # Message-ID stems of the hand-off's e-mails

    def add(self, other: ErasedTraces) -> None:
        self.names |= other.names
        self.message_ids |= other.message_ids


def names_of(*values: str | None, person: str | None = None) -> set[str]:
    """The texts that identify an SME: whole values, and each word of a person's name."""
    names = {" ".join(value.split()) for value in values if value}
    if person:
        names |= {" ".join(person.split())} | set(person.split())
    return {name for name in names if len(name) >= MIN_NAME_LENGTH}


def erase_lead(
    session: Session,
    lead: Lead,
    *,
    now: datetime,
    changed_by: str,
    clusters: ClusterTable,
    settings: Settings,
    why: str = ERASED_AT_REQUEST,
    notice: str = AT_REQUEST,
    note: str | None = None,
) -> ErasedTraces:
    """Erase a lead's personal data in the caller's transaction, and queue the clusters' notices.

    Args:
        lead: with its notifications, status changes and routing decisions (loaded or loadable).
        why: the words that replace the head count in its qualification reasons.
        notice: which reason the clusters' notices give (`erasure_notices.AT_REQUEST` or `AFTER_RETENTION`).
        note: the note of the status change that records the erasure (ours: no personal data).

    Returns:
        What `erase_outside_database` must erase after the commit.
    """
    traces = ErasedTraces(names=names_of(*(getattr(lead, naming.lead_column) for naming in NAMING_FIELDS),
                                         person=lead.contact_name),
                          message_ids={message_id_stem(message) for message in lead.notifications})
    enqueue_erasure_notices(session, lead, clusters, settings, why=notice)
    for message in lead.notifications:
        if lead.email and message.recipient == lead.email:  # the SME's own confirmation e-mail
            message.recipient = ""
            message.last_error = None
    lead.qualification_reasons = erase_head_count(lead.qualification_reasons, lead.employees, why)
    for erased in ERASED_FIELDS:
        setattr(lead, erased.lead_column, None)
    lead.erased_at = now
    lead.status = ERASED
    for change in lead.status_changes:
        change.note = None  # staff's notes may quote the SME ("called Ms Keller on +49 ...")
    staff_reasons = set()
    for decision in lead.routing_decisions:
        if decision.decided_by != ASSISTANT:
            staff_reasons.add(decision.reason)
            decision.reason = ""
    if lead.routing_reason in staff_reasons:
        lead.routing_reason = ""
    session.add(LeadStatusChange(lead_id=lead.id, status=ERASED, changed_by=changed_by, changed_at=now, note=note))
    for message in lead.notifications:
        if message.status == "pending":
            message.status = "cancelled"
        message.subject = None
        message.body = ""
    return traces


def erase_annotations(session: Session, names: Iterable[str]) -> int:
    """Delete admins' annotations whose (masked) text names the SME; in the caller's transaction."""
    pattern = naming_pattern(names)
    if pattern is None:
        return 0
    found = [row for row in session.scalars(select(TrainingAnnotation)) if pattern.search(row.text)]
    for row in found:
        session.delete(row)
    return len(found)


def erase_outside_database(traces: ErasedTraces, settings: Settings) -> None:
    """Delete the files that still hold the erased data: the e-mails the development mailbox kept
    (when `make run` keeps them, that is without S3M_SMTP_HOST) and training examples."""
    removed = erase_kept_emails(settings.mailbox_dir, traces.message_ids) if settings.local_mailbox else 0
    examples = erase_training_examples(settings.training_dir / "nlu_data", traces.names)
    log.info("erasure: %d kept e-mail(s) and %d training example(s) deleted", removed, examples)


def erase_kept_emails(folder: Path, message_ids: Iterable[str]) -> int:
    """Delete the .eml files whose Message-ID starts with one of these (`handoff.message_id_stem`)."""
    prefixes = tuple(message_ids)
    if not prefixes or not folder.is_dir():
        return 0
    removed = 0
    for path in folder.glob("*.eml"):
        with path.open("rb") as file:
            message_id = (BytesHeaderParser().parse(file).get("Message-ID") or "").strip()
        if message_id.startswith(prefixes):
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def erase_training_examples(nlu_data: Path, names: Iterable[str]) -> int:
    """Remove the examples that name the SME from every language's from_users.yml."""
    from bot.retraining.annotations import _file_lock, read_examples, write_examples
    from bot.retraining.workspace import USER_EXAMPLES_FILE

    pattern = naming_pattern(names)
    if pattern is None or not nlu_data.is_dir():
        return 0
    removed = 0
    with _file_lock:
        for path in sorted(nlu_data.glob(f"*/{USER_EXAMPLES_FILE}")):
            examples = read_examples(path)
            kept = {intent: [text for text in texts if not pattern.search(text)] for intent, texts in examples.items()}
            dropped = sum(map(len, examples.values())) - sum(map(len, kept.values()))
            if dropped:
                write_examples(path, kept)
                removed += dropped
    return removed


def naming_pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    """Any of the names as a whole word, in any case; None without a name."""
    words = sorted({name for name in names if len(name) >= MIN_NAME_LENGTH}, key=len, reverse=True)
    if not words:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, words)) + r")(?!\w)", re.IGNORECASE)
