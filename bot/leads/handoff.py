"""What a lead's hand-off says, and to whom: rows in the notification outbox.

The messages are written in the same transaction as the lead, and sent later by
`bot.leads.outbox`; so a hand-off is never lost to an SMTP or webhook outage, and
never announced for a lead whose transaction rolled back.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping

import yaml
from sqlalchemy.orm import Session

from bot.config import PROJECT_ROOT, Settings
from bot.leads.models import Lead, OutboxMessage, utcnow
from bot.leads.serialize import as_utc, lead_to_dict
from bot.registration_fields import CLUSTERS, COUNTRY, HEAD_COUNT, LABELLED, RegistrationField, written_fields

if TYPE_CHECKING:
    from bot.leads.clusters import ClusterTable

TEMPLATES_PATH = PROJECT_ROOT / "catalogue" / "notifications.yml"

SIGNATURE_HEADER = "X-S3M-Signature"
TIMESTAMP_HEADER = "X-S3M-Timestamp"

@dataclass(frozen=True)
class StaffTemplates:
    """The staff e-mail in one language (one entry of catalogue/notifications.yml)."""

    subject: str
    body: str
    registration_intro: str
    contact_request_intro: str
    owner_title: str
    copy_title: str
    owner_note: str
    copy_note: str
    missing: str
    languages: Mapping[str, str]
    sectors: Mapping[str, str]
    interests: Mapping[str, str]


def load_templates(path: Path | str = TEMPLATES_PATH) -> dict[str, StaffTemplates]:
    """Read the staff e-mail templates, by language; read per hand-off, so edits apply at once."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    return {language: StaffTemplates(**entry) for language, entry in data.items()}


def enqueue_handoff(
    session: Session,
    lead: Lead,
    clusters: ClusterTable,
    settings: Settings,
    *,
    templates: Mapping[str, StaffTemplates] | None = None,
) -> list[OutboxMessage]:
    """Add the notifications of a lead to `session`, to be sent by the outbox worker.

    One e-mail per recipient cluster (the owner `lead.cluster` first, then each of
    `lead.cc_clusters`) to its contact address in its staff language, and one webhook
    message when `settings.webhook_url` is set. Nothing is committed: the caller commits
    them together with the lead. Which leads are handed off is the caller's rule
    (`bot.leads.store.is_handed_off`: qualified ones and contact requests).

    Args:
        lead: the lead, which already has its id (add it and `session.flush()` first),
            since the e-mails link to it in the portal.
        templates: the staff e-mail templates by language (default: catalogue/notifications.yml).

    Raises:
        ValueError: the lead has no id yet.
        KeyError: the lead names a cluster code that is not in `clusters`.
    """
    if lead.id is None:
        raise ValueError("the lead has no id yet: flush the session before the hand-off")
    templates = templates if templates is not None else load_templates()
    recipients = recipient_clusters(lead)
    messages = [
        _staff_email(lead, code, clusters, templates[clusters.by_code[code].staff_language], settings)
        for code in recipients
    ]
    if settings.webhook_url:
        messages.append(
            pending_message(lead, channel="webhook", recipient=settings.webhook_url, cluster=None, subject=None,
                     body=webhook_body(lead, recipients))
        )
    session.add_all(messages)
    return messages


def recipient_clusters(lead: Lead) -> list[str]:
    """The owning cluster, then each copied one, each once."""
    codes = [lead.cluster, *(lead.cc_clusters or [])]
    return list(dict.fromkeys(codes))


def webhook_body(lead: Lead, recipients: list[str]) -> str:
    """The webhook's JSON: the lead's API fields plus the clusters notified of it."""
    payload = {**lead_to_dict(lead), "recipient_clusters": recipients}
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


WEBHOOK_TOLERANCE_SECONDS = 300


def sign_webhook_body(body: bytes, secret: str, timestamp: str) -> str:
    """Value of the X-S3M-Signature header: `sha256=` and the hex HMAC-SHA256 of
    `<X-S3M-Timestamp>.<raw body>`: the timestamp is signed too, so a captured request
    cannot be replayed later with a fresh one."""
    signed = timestamp.encode("ascii") + b"." + body
    return "sha256=" + hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()


def verify_webhook_signature(body: bytes, secret: str, header: str | None, timestamp: str | None,
                             now: float | None = None, tolerance: float = WEBHOOK_TOLERANCE_SECONDS) -> bool:
    """Whether a received webhook carries the signature made with `secret` for its timestamp,
    and the timestamp is within `tolerance` seconds of `now` (for receivers)."""
    if header is None or timestamp is None or not timestamp.isascii() or not timestamp.isdigit():
        return False
    if abs((time.time() if now is None else now) - int(timestamp)) > tolerance:
        return False
    expected = sign_webhook_body(body, secret, timestamp).encode()
    return hmac.compare_digest(expected, header.encode("utf-8", "replace"))


def _staff_email(
    lead: Lead, code: str, clusters: ClusterTable, text: StaffTemplates, settings: Settings
) -> OutboxMessage:
    cluster = clusters.by_code[code]
    owner = clusters.by_code[lead.cluster]
    values = _display_values(lead, clusters, text)
    values.update(
        cluster_name=cluster.name,
        owner_name=owner.name,
        lead_url=lead_url(lead, settings),
    )
    intro = text.contact_request_intro if lead.kind == "contact_request" else text.registration_intro
    values["intro"] = intro.format(**values)
    is_owner = code == lead.cluster
    values["role_title"] = text.owner_title if is_owner else text.copy_title
    values["role_note"] = (text.owner_note if is_owner else text.copy_note).format(**values)
    return pending_message(
        lead, channel="email", recipient=cluster.contact_email, cluster=code,
        subject=text.subject.format(**values), body=text.body.format(**values),
    )


def _display_values(lead: Lead, clusters: ClusterTable, text: StaffTemplates) -> dict[str, str]:
    """The lead's fields as staff read them: labels in their language, one line each."""

    def shown(value: object) -> str:
        line = " ".join(str(value).split()) if value is not None else ""
        return line or text.missing

    def listed(items: list[str], separator: str = ", ") -> str:
        return separator.join(items) or text.missing

    def region(code: str) -> str:
        return f"{clusters[code].name} ({clusters[code].region})" if code in clusters else code

    return {
        **lead_details(lead, text, text.missing, country=str, cluster=region),
        "language": shown(text.languages.get(lead.language, lead.language)),
        "qualification_reasons": listed([shown(reason) for reason in lead.qualification_reasons or []], "; "),
        "routing_reason": shown(lead.routing_reason),
    }


def lead_details(lead: Lead, labels: StaffTemplates, missing: str, *, country: Callable[[str], str],
                 cluster: Callable[[str], str | None]) -> dict[str, str]:
    """The lead's shown registration fields (bot.registration_fields) as an e-mail writes them, one line each.

    Args:
        labels: the sector and interest labels in the e-mail's language.
        missing: the line of a detail the SME did not give.
        country: how a country code reads; cluster: how a cluster code reads (None: left out).
    """

    def word(field: RegistrationField, value: Any) -> str | None:
        if field.shown == HEAD_COUNT and isinstance(value, float) and value.is_integer():
            value = int(value)
        elif field.shown == LABELLED and field.labels:
            value = getattr(labels, field.labels.catalogue).get(value, value)
        elif field.shown == COUNTRY:
            value = country(value)
        elif field.shown == CLUSTERS:
            value = cluster(value)
        return " ".join(str(value).split()) if value is not None else None

    return written_fields(lambda field: getattr(lead, field.lead_column), word, missing)


def lead_url(lead: Lead, settings: Settings) -> str:
    """The lead's page in the staff portal, for links in e-mails."""
    return f"{settings.portal_url.rstrip('/')}/leads/{lead.id}"


def message_id_stem(message: OutboxMessage) -> str:
    """The start of the Message-ID of a message's e-mail (the sender's domain follows): stable
    across re-sends, so a mail client folds duplicates, and found again in kept e-mails at erasure."""
    return f"<outbox-{message.id}.{as_utc(message.created_at):%Y%m%d%H%M%S}@"


def pending_message(
    lead: Lead, *, channel: str, recipient: str, cluster: str | None, subject: str | None, body: str
) -> OutboxMessage:
    return OutboxMessage(
        lead_id=lead.id, channel=channel, recipient=recipient, cluster=cluster, subject=subject, body=body,
        status="pending", attempts=0, next_attempt_at=utcnow(),
    )
