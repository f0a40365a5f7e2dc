"""What staff do with a stored lead: move it along its status workflow, or hand it to another cluster.

Beside saving (`bot.leads.store`), erasing (`bot.leads.erasure`) and retrying its notifications
(`bot.leads.outbox`), these are the lead's other changes; the portal only asks for them.
Only the owning cluster's staff and admins change a lead; clusters that received a copy
read it. Each change leaves a history row (LeadStatusChange, RoutingDecision) and is added
to the caller's session, to be committed with the caller's own record of it (the portal's audit).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Protocol

import yaml
from sqlalchemy.orm import Session

from bot.config import PROJECT_ROOT, Settings
from bot.leads.clusters import ClusterTable
from bot.leads.handoff import lead_url, pending_message
from bot.leads.models import Lead, LeadRecipient, LeadStatusChange, OutboxMessage, RoutingDecision

TEMPLATES_PATH = PROJECT_ROOT / "catalogue" / "reassignment.yml"

STATUS_FLOW: dict[str, tuple[str, ...]] = {
    "new": ("contacted", "in_progress", "closed"),
    "contacted": ("in_progress", "converted", "closed"),
    "in_progress": ("converted", "closed"),
    "converted": (),
    "closed": ("in_progress",),  # re-opened when the SME comes back
}
"""Which statuses may follow which: new -> contacted -> in_progress -> converted / closed."""

STATUSES: tuple[str, ...] = tuple(STATUS_FLOW)
MAX_NOTE_LENGTH = 2000


class Staff(Protocol):
    """Who changes a lead: a portal account (`bot.portal.models.User`) is one."""

    email: str
    name: str
    cluster: str | None

    @property
    def is_admin(self) -> bool: ...


class WorkflowError(ValueError):
    """The change is not allowed; `code` names the message (the portal's i18n key `error.<code>`)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class ReassignmentTemplates:
    """The new owner's e-mail in one language (one entry of catalogue/reassignment.yml)."""

    subject: str
    body: str


def load_templates(path: Path | str = TEMPLATES_PATH) -> dict[str, ReassignmentTemplates]:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    return {language: ReassignmentTemplates(**entry) for language, entry in data.items()}


def may_change(staff: Staff, lead: Lead) -> bool:
    return staff.is_admin or lead.cluster == staff.cluster


def next_statuses(lead: Lead) -> tuple[str, ...]:
    if lead.erased_at is not None:
        return ()
    return STATUS_FLOW.get(lead.status, ())


def reassignment_targets(lead: Lead, clusters: ClusterTable) -> list[str]:
    """The clusters a lead may be handed to: any but its owner."""
    return [code for code in clusters.codes if code != lead.cluster]


def change_status(session: Session, lead: Lead, status: str, note: str, staff: Staff) -> LeadStatusChange:
    if status not in next_statuses(lead):
        raise WorkflowError("status_not_allowed", f"a {lead.status} lead cannot become {status}")
    note = note.strip()
    if len(note) > MAX_NOTE_LENGTH:
        raise WorkflowError("note_too_long", f"a note may have at most {MAX_NOTE_LENGTH} characters")
    change = LeadStatusChange(lead_id=lead.id, status=status, note=note or None, changed_by=staff.email)
    lead.status = status
    session.add(change)
    return change


def reassign(
    session: Session,
    lead: Lead,
    cluster: str,
    reason: str,
    staff: Staff,
    clusters: ClusterTable,
    settings: Settings,
    *,
    templates: Mapping[str, ReassignmentTemplates] | None = None,
) -> RoutingDecision:
    """Make `cluster` the owner, keep the other copies, and tell the new owner by e-mail.

    The former owner loses the lead from its inbox (unless it also holds a copy):
    re-assigning means it was the wrong cluster.
    """
    reason = reason.strip()
    if cluster not in clusters or cluster == lead.cluster:
        raise WorkflowError("cluster_not_allowed", f"cannot re-assign a lead of {lead.cluster} to {cluster!r}")
    if not reason:
        raise WorkflowError("reason_missing", "a re-assignment needs a reason")
    if len(reason) > MAX_NOTE_LENGTH:
        raise WorkflowError("note_too_long", f"a reason may have at most {MAX_NOTE_LENGTH} characters")
    if lead.erased_at is not None:
        raise WorkflowError("lead_erased", "the lead's details were erased")

    former = lead.cluster
    copies = [code for code in lead.cc_clusters or [] if code != cluster]
    decision = RoutingDecision(
        lead_id=lead.id, cluster=cluster, cc_clusters=copies, reason=reason, decided_by=staff.email
    )
    lead.cluster, lead.cc_clusters, lead.routing_reason = cluster, copies, reason
    _set_recipients(lead, cluster, copies)
    session.add(decision)
    templates = templates if templates is not None else load_templates()
    session.add(_reassignment_notice(lead, former, staff, clusters, templates, settings))
    return decision


def _set_recipients(lead: Lead, owner: str, copies: list[str]) -> None:
    wanted = {owner: "owner", **{code: "copy" for code in copies}}
    for recipient in list(lead.recipients):
        if recipient.cluster not in wanted:
            lead.recipients.remove(recipient)
        else:
            recipient.role = wanted.pop(recipient.cluster)
    lead.recipients.extend(LeadRecipient(cluster=code, role=role) for code, role in wanted.items())


def _reassignment_notice(
    lead: Lead,
    former: str,
    staff: Staff,
    clusters: ClusterTable,
    templates: Mapping[str, ReassignmentTemplates],
    settings: Settings,
) -> OutboxMessage:
    """An e-mail to the new owner, in its staff language, sent by the outbox worker like any hand-off."""
    new_owner = clusters[lead.cluster]
    text = templates[new_owner.staff_language]
    values = {
        "lead_id": lead.id,
        "company": lead.company_name or "-",
        "from_cluster": clusters[former].name if former in clusters else former,
        "to_cluster": new_owner.name,
        "reason": lead.routing_reason,
        "by": staff.name,
        "lead_url": lead_url(lead, settings),
    }
    return pending_message(
        lead, channel="email", recipient=new_owner.contact_email, cluster=new_owner.code,
        subject=text.subject.format(**values), body=text.body.format(**values),
    )
