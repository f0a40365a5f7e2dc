"""The e-mail that tells an SME what was stored about it, and how to take it back.

It goes to the address the SME gave, in the conversation's language, through the
same outbox as the clusters' hand-off: written in the lead's transaction (never
announced for a lead that was rolled back, never lost to an SMTP outage) and
cancelled with the others when the SME has its data erased before it left.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Mapping

import yaml
from babel import Locale
from babel.dates import format_date
from sqlalchemy.orm import Session

from bot.config import PROJECT_ROOT, Settings
from bot.leads.clusters import ClusterTable
from bot.leads.handoff import StaffTemplates, lead_details, load_templates, pending_message
from bot.leads.models import Lead, OutboxMessage, utcnow
from bot.leads.routing import RoutingRule

TEMPLATES_PATH = PROJECT_ROOT / "catalogue" / "confirmation.yml"

CONFIRMATION = "confirmation"
"""`OutboxMessage.kind` of the SME's own confirmation (not a hand-off: erasure notices skip it)."""


@dataclass(frozen=True)
class ConfirmationTemplates:
    """The SME's confirmation in one language (one entry of catalogue/confirmation.yml)."""

    subject_registration: str
    subject_contact_request: str
    greeting: str
    greeting_without_name: str
    registration_intro: str
    contact_request_intro: str
    handed_off: str
    copies: str
    why_country: str
    why_target_region: str
    why_language: str
    not_handed_off: str
    missing: str
    body: str

    def why(self, rule: RoutingRule) -> str:
        return {"country": self.why_country, "target_region": self.why_target_region,
                "language": self.why_language}[rule]


def load_confirmation_templates(path: Path | str = TEMPLATES_PATH) -> dict[str, ConfirmationTemplates]:
    """Read the confirmation templates, by language; read per lead, so edits apply at once."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    return {language: ConfirmationTemplates(**entry) for language, entry in data.items()}


def reference(lead: Lead) -> str:
    """What the SME quotes when it writes to the privacy address: staff find the lead by it."""
    return f"S3M-{lead.id}"


def enqueue_confirmation(
    session: Session,
    lead: Lead,
    clusters: ClusterTable,
    settings: Settings,
    *,
    rule: RoutingRule,
    handed_off: bool,
    templates: Mapping[str, ConfirmationTemplates] | None = None,
    labels: Mapping[str, StaffTemplates] | None = None,
) -> OutboxMessage | None:
    """Add the SME's confirmation e-mail to `session`; nothing when the lead has no e-mail address.

    Nothing is committed: the caller commits it together with the lead.

    Args:
        lead: the stored lead, already flushed (its id is the reference the e-mail quotes).
        rule: the routing rule that chose `lead.cluster`, explained in the e-mail.
        handed_off: whether the clusters were notified (they will contact the SME) or not.
        templates: the confirmation texts by language (default: catalogue/confirmation.yml).
        labels: sector, interest and language labels by language (default: catalogue/notifications.yml).

    Raises:
        ValueError: the lead has no id yet.
    """
    if lead.id is None:
        raise ValueError("the lead has no id yet: flush the session before queueing its confirmation")
    if not lead.email:
        return None
    text = (templates if templates is not None else load_confirmation_templates())[lead.language]
    label = (labels if labels is not None else load_templates())[lead.language]
    values = stored_values(lead, clusters, text, label)
    owner = clusters[lead.cluster]
    if handed_off:
        why = text.why(rule).format(cluster_name=owner.name, country=values["country"])
        next_steps = text.handed_off.format(cluster_name=owner.name, reply_time=owner.reply_time_in(lead.language),
                                            why=why)
        copied = [clusters[code].name for code in lead.cc_clusters or [] if code in clusters]
        if copied:
            next_steps += " " + text.copies.format(cc_names=", ".join(copied))
    else:
        next_steps = text.not_handed_off.format(cluster_name=owner.name, cluster_email=owner.contact_email)
    contact = lead.contact_name and " ".join(lead.contact_name.split())
    kind = "contact_request" if lead.kind == "contact_request" else "registration"
    values.update(
        greeting=text.greeting.format(contact_name=contact) if contact else text.greeting_without_name,
        intro=getattr(text, f"{kind}_intro").format(company_name=values["company_name"]),
        next_steps=next_steps,
        reference=reference(lead),
        consent_date=consent_day(lead.created_at or utcnow(), lead.language),
        privacy_email=settings.privacy_email,
    )
    message = pending_message(
        lead, channel="email", recipient=lead.email, cluster=None,
        subject=getattr(text, f"subject_{kind}").format(**values), body=text.body.format(**values),
    )
    message.kind = CONFIRMATION
    session.add(message)
    return message


def stored_values(
    lead: Lead, clusters: ClusterTable, text: ConfirmationTemplates, label: StaffTemplates
) -> dict[str, str]:
    """The lead's details as the SME reads them: names and labels in its language, one line each."""

    def shown(value: object) -> str:
        line = " ".join(str(value).split()) if value is not None else ""
        return line or text.missing

    territories = Locale.parse(lead.language).territories
    return {
        **lead_details(lead, label, text.missing, country=lambda code: territories.get(code, code),
                       cluster=lambda code: clusters[code].name if code in clusters else None),
        "language": shown(label.languages.get(lead.language, lead.language)),
    }


def consent_day(moment: datetime, language: str) -> str:
    """A date as the SME's language writes it in full ("7 December 2026", "7. Dezember 2026")."""
    return format_date(moment, format="long", locale=language)
