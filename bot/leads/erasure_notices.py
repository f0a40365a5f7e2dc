"""Telling the clusters that received a lead that its personal data were erased.

An erasure in our database leaves the copies in the clusters' mailboxes and tools: GDPR
art. 19 asks us to tell each recipient, so that they erase theirs. The notice goes through
the outbox like the hand-off (retried until delivered), to the address the hand-off was
delivered to, in the cluster's staff language; it names the lead's id and link only.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import yaml
from sqlalchemy.orm import Session

from bot.config import PROJECT_ROOT, Settings
from bot.leads.clusters import ClusterTable
from bot.leads.handoff import lead_url, pending_message
from bot.leads.models import Lead, OutboxMessage

TEMPLATES_PATH = PROJECT_ROOT / "catalogue" / "erasure_notices.yml"

HANDOFF = "handoff"
"""`OutboxMessage.kind` of a hand-off to a cluster (the column's default)."""
ERASURE_NOTICE = "erasure_notice"
"""`OutboxMessage.kind` of these notices."""

AT_REQUEST = "at_request"
AFTER_RETENTION = "after_retention"


@dataclass(frozen=True)
class NoticeTemplates:
    """The notice in one language (one entry of catalogue/erasure_notices.yml)."""

    subject: str
    body: str
    at_request: str
    after_retention: str


def load_templates(path: Path | str = TEMPLATES_PATH) -> dict[str, NoticeTemplates]:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    return {language: NoticeTemplates(**entry) for language, entry in data.items()}


def delivered_handoffs(lead: Lead) -> list[OutboxMessage]:
    """The lead's hand-off e-mails that reached a cluster (one per address); not the SME's own
    confirmation, nor an earlier notice."""
    sent = [message for message in lead.notifications
            if message.kind == HANDOFF and message.channel == "email" and message.status == "sent"]
    return list({message.recipient: message for message in sent}.values())


def enqueue_erasure_notices(
    session: Session,
    lead: Lead,
    clusters: ClusterTable,
    settings: Settings,
    *,
    why: str = AT_REQUEST,
    templates: Mapping[str, NoticeTemplates] | None = None,
) -> list[OutboxMessage]:
    """Add a notice for each cluster address the lead was delivered to; the caller commits.

    Call it before the lead's notifications are emptied: it reads where they went.
    """
    templates = templates if templates is not None else load_templates()
    notices = []
    for handoff in delivered_handoffs(lead):
        cluster = clusters.by_code.get(handoff.cluster or "")
        text = templates.get(cluster.staff_language if cluster else "en") or templates["en"]
        values = {
            "cluster_name": cluster.name if cluster else handoff.cluster or "",
            "lead_id": str(lead.id),
            "lead_url": lead_url(lead, settings),
            "why": getattr(text, why),
        }
        notice = pending_message(lead, channel="email", recipient=handoff.recipient, cluster=handoff.cluster,
                                 subject=text.subject.format(**values), body=text.body.format(**values))
        notice.kind = ERASURE_NOTICE
        notices.append(notice)
    session.add_all(notices)
    return notices
