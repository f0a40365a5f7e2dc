"""What staff do with a stored lead, without the portal: its status workflow and its re-assignment,
whose e-mail tells the new owner in its staff language (catalogue/reassignment.yml)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.definitions import LANGUAGES
from bot.leads.clusters import load_clusters
from bot.leads.lifecycle import (
    MAX_NOTE_LENGTH,
    WorkflowError,
    change_status,
    load_templates,
    may_change,
    next_statuses,
    reassign,
    reassignment_targets,
)
from bot.leads.models import LeadRecipient, LeadStatusChange, OutboxMessage, RoutingDecision, utcnow
from tests.leads.test_handoff import PORTAL_URL, add_qualified_lead, clusters_speaking, settings_for


@dataclass(frozen=True)
class Person:
    """Anyone with a name, an e-mail and a cluster (none: an admin) may ask; a portal account is one."""

    email: str
    name: str
    cluster: str | None

    @property
    def is_admin(self) -> bool:
        return self.cluster is None


OWNER_STAFF = Person("jonas@bioregio-stern.example", "Jonas Weber", "bioregio_stern")
COPY_STAFF = Person("claire@biowin.example", "Claire Dubois", "biowin")
ADMIN = Person("admin@s3martmed.example", "Ada Admin", None)


def test_the_owner_and_admins_change_a_lead_a_copied_cluster_reads_it(session: Session) -> None:
    lead = add_qualified_lead(session)  # owned by BioRegio STERN, copied to BioWin
    assert may_change(OWNER_STAFF, lead) and may_change(ADMIN, lead)
    assert not may_change(COPY_STAFF, lead)


def test_a_status_follows_the_workflow_with_its_note_in_the_history(session: Session) -> None:
    lead = add_qualified_lead(session, status="new")
    change_status(session, lead, "contacted", "  Called, interested in the March event ", OWNER_STAFF)
    session.commit()
    [change] = session.scalars(select(LeadStatusChange).where(LeadStatusChange.lead_id == lead.id)).all()
    assert (lead.status, change.status, change.changed_by) == ("contacted", "contacted", OWNER_STAFF.email)
    assert change.note == "Called, interested in the March event"

    with pytest.raises(WorkflowError) as refused:
        change_status(session, lead, "new", "", OWNER_STAFF)
    assert refused.value.code == "status_not_allowed"
    with pytest.raises(WorkflowError) as refused:
        change_status(session, lead, "converted", "x" * (MAX_NOTE_LENGTH + 1), OWNER_STAFF)
    assert refused.value.code == "note_too_long" and lead.status == "contacted"


def test_an_erased_lead_changes_no_more(session: Session) -> None:
    lead = add_qualified_lead(session, status="contacted", erased_at=utcnow())
    assert next_statuses(lead) == ()
    with pytest.raises(WorkflowError) as refused:
        reassign(session, lead, "medsilesia", "wrong region", OWNER_STAFF, load_clusters(), settings_for())
    assert refused.value.code == "lead_erased"


def test_reassigning_moves_the_lead_keeps_the_other_copies_and_writes_to_the_new_owner(session: Session) -> None:
    lead = add_qualified_lead(session, cc_clusters=["biowin", "medsilesia"])
    lead.recipients = [LeadRecipient(cluster=code, role=role) for code, role in
                       (("bioregio_stern", "owner"), ("biowin", "copy"), ("medsilesia", "copy"))]
    session.flush()
    clusters = load_clusters()
    assert reassignment_targets(lead, clusters) == [code for code in clusters.codes if code != "bioregio_stern"]

    decision = reassign(session, lead, "medsilesia", " The SME's plant is in Katowice ", OWNER_STAFF, clusters,
                        settings_for())
    session.commit()
    assert (lead.cluster, lead.cc_clusters, lead.routing_reason) == (
        "medsilesia", ["biowin"], "The SME's plant is in Katowice")
    assert sorted((r.cluster, r.role) for r in lead.recipients) == [("biowin", "copy"), ("medsilesia", "owner")]
    assert (decision.cluster, decision.cc_clusters, decision.decided_by) == ("medsilesia", ["biowin"],
                                                                            OWNER_STAFF.email)
    [notice] = session.scalars(select(OutboxMessage)).all()
    assert (notice.channel, notice.cluster, notice.recipient, notice.status) == (
        "email", "medsilesia", "leads@medsilesia.example", "pending")
    assert notice.subject == f"[S3martMed] Lead {lead.id} (Acme Medical GmbH) przydzielony do GAPR-Medsilesia"
    assert "Jonas Weber" in notice.body and "BioRegio STERN" in notice.body and "Katowice" in notice.body
    assert f"{PORTAL_URL}/leads/{lead.id}" in notice.body


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_new_owner_is_written_to_in_its_staff_language(session: Session, language: str) -> None:
    lead = add_qualified_lead(session, cluster="biowin", cc_clusters=[])
    reassign(session, lead, "bioregio_stern", "German-speaking team", ADMIN, clusters_speaking(language),
             settings_for())
    [notice] = session.scalars(select(OutboxMessage)).all()
    text = load_templates()[language]
    values = {"lead_id": lead.id, "company": "Acme Medical GmbH", "from_cluster": "BioWin",
              "to_cluster": "BioRegio STERN", "reason": "German-speaking team", "by": "Ada Admin",
              "lead_url": f"{PORTAL_URL}/leads/{lead.id}"}
    assert (notice.subject, notice.body) == (text.subject.format(**values), text.body.format(**values))


def test_a_reassignment_needs_another_known_cluster_and_a_reason(session: Session) -> None:
    lead = add_qualified_lead(session)
    clusters, settings = load_clusters(), settings_for()
    for cluster, reason, code in (("bioregio_stern", "same one", "cluster_not_allowed"),
                                  ("atlantis", "unknown", "cluster_not_allowed"),
                                  ("biopmed", "   ", "reason_missing"),
                                  ("biopmed", "x" * (MAX_NOTE_LENGTH + 1), "note_too_long")):
        with pytest.raises(WorkflowError) as refused:
            reassign(session, lead, cluster, reason, OWNER_STAFF, clusters, settings)
        assert refused.value.code == code
    session.commit()
    assert lead.cluster == "bioregio_stern"
    assert session.scalars(select(RoutingDecision)).all() == [] and session.scalars(select(OutboxMessage)).all() == []
