"""One lead's complete record as JSON: what staff hand an SME that asks what is stored about it
(GDPR art. 15), and what they check before answering a request by e-mail."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.conversations.transcript import Utterance
from bot.leads.models import Lead
from bot.leads.serialize import iso_utc, lead_to_dict

RECORD_VERSION = 1
"""Raised when a key of the record changes meaning, so that readers of older downloads can tell."""


def lead_record(lead: Lead, transcript: list[Utterance], *, now: datetime | None = None) -> dict[str, Any]:
    """Everything stored about the lead: its fields, consent, recipients, routing and status
    history, every notification with its text, and the conversation as it is stored now."""
    return {
        "record_version": RECORD_VERSION,
        "exported_at": iso_utc(now or datetime.now(UTC)),
        "lead": {**lead_to_dict(lead), "source": lead.source, "erased_at": _when(lead.erased_at)},
        "consent": None if lead.consent is None else {
            "given": lead.consent.given,
            "notice_version": lead.consent.notice_version,
            "language": lead.consent.language,
            "recorded_at": _when(lead.consent.recorded_at),
        },
        "recipients": [{"cluster": r.cluster, "role": r.role} for r in sorted(lead.recipients, key=lambda r: r.id)],
        "routing_decisions": [
            {"cluster": d.cluster, "cc_clusters": list(d.cc_clusters or []), "reason": d.reason,
             "decided_by": d.decided_by, "decided_at": _when(d.decided_at)}
            for d in lead.routing_decisions
        ],
        "status_changes": [
            {"status": c.status, "note": c.note, "changed_by": c.changed_by, "changed_at": _when(c.changed_at)}
            for c in lead.status_changes
        ],
        "notifications": [
            {"channel": m.channel, "recipient": m.recipient, "cluster": m.cluster, "subject": m.subject,
             "body": m.body, "status": m.status, "attempts": m.attempts, "created_at": _when(m.created_at),
             "sent_at": _when(m.sent_at), "last_error": m.last_error}
            for m in lead.notifications
        ],
        "conversation": [{"speaker": u.speaker, "text": u.text, "at": _when(u.at)} for u in transcript],
    }


def _when(moment: datetime | None) -> str | None:
    return iso_utc(moment) if moment is not None else None
