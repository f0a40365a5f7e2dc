"""Storing leads, counting refusals and erasing on request, on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any, Callable

import pytest
from sqlalchemy import func, or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.config import Settings, load_settings
from bot.leads.clusters import ClusterTable, load_clusters
from bot.leads.models import (
    AnonymousCount,
    ConsentRecord,
    Lead,
    LeadRecipient,
    LeadStatusChange,
    OutboxMessage,
    RoutingDecision,
)
from bot.leads.store import CONSENT_REFUSED, LeadStore, Registration
from bot.log_redaction import conversation_hash

QUALIFIED: dict[str, Any] = {
    "conversation_id": "conv-qualified",
    "language": "de",
    "notice_version": "2026-01",
    "company_name": "Herzwerk Medizintechnik GmbH",
    "contact_name": "Anna Keller",
    "email": "anna.keller@herzwerk.example",
    "country": "de",
    "employees": 40.0,
    "sector": "medical_devices",
    "interests": ["partnering", "events"],
    "target_regions": ["biopmed", "bioregio_stern", "lyonbiopole"],
    "source": "rest",
}


def registration(**changes: Any) -> Registration:
    return Registration(**{**QUALIFIED, **changes})


@pytest.fixture
def clusters() -> ClusterTable:
    return load_clusters()


@pytest.fixture
def settings() -> Settings:
    return load_settings().copy(update={"webhook_url": None})


@pytest.fixture
def store(engine: Engine, clusters: ClusterTable, settings: Settings) -> LeadStore:
    return LeadStore(engine, clusters, settings)


def outbox_of(session: Session, lead_id: int) -> list[OutboxMessage]:
    """The lead's hand-off: every outbox message but the SME's own confirmation (test_confirmation.py)."""
    return list(session.scalars(select(OutboxMessage).where(
        OutboxMessage.lead_id == lead_id,
        or_(OutboxMessage.cluster.is_not(None), OutboxMessage.channel != "email"),
    ).order_by(OutboxMessage.id)))


def test_a_qualified_lead_is_stored_with_everything_it_needs(store: LeadStore, session: Session) -> None:
    saved = store.save(registration())

    # usable after the store's session has closed
    assert saved.id is not None
    assert saved.qualified is True
    assert (saved.cluster, saved.cc_clusters) == ("bioregio_stern", ["biopmed", "lyonbiopole"])
    assert [(recipient.cluster, recipient.role) for recipient in saved.recipients] == [
        ("bioregio_stern", "owner"), ("biopmed", "copy"), ("lyonbiopole", "copy"),
    ]
    assert {message.cluster for message in saved.notifications} == {"bioregio_stern", "biopmed", "lyonbiopole", None}
    assert saved.consent.notice_version == "2026-01"
    assert [decision.cluster for decision in saved.routing_decisions] == ["bioregio_stern"]
    assert [change.status for change in saved.status_changes] == ["new"]

    lead = session.get(Lead, saved.id)
    assert lead is not None
    assert (lead.company_name, lead.contact_name, lead.email) == (
        "Herzwerk Medizintechnik GmbH", "Anna Keller", "anna.keller@herzwerk.example",
    )
    assert lead.country == "DE"
    assert lead.kind == "registration"
    assert lead.status == "new"
    assert lead.qualification_reasons[0] == "40 employees: an SME (fewer than 250)"
    assert lead.routing_reason.startswith("The SME is located in DE")
    assert lead.interests == ["partnering", "events"]
    assert lead.target_regions == ["biopmed", "bioregio_stern", "lyonbiopole"]

    recipients = session.scalars(select(LeadRecipient).where(LeadRecipient.lead_id == lead.id)).all()
    assert {(recipient.cluster, recipient.role) for recipient in recipients} == {
        ("bioregio_stern", "owner"), ("biopmed", "copy"), ("lyonbiopole", "copy"),
    }
    consent = session.scalars(select(ConsentRecord).where(ConsentRecord.lead_id == lead.id)).one()
    assert (consent.given, consent.notice_version, consent.language, consent.conversation_id) == (
        True, "2026-01", "de", "conv-qualified",
    )
    decision = session.scalars(select(RoutingDecision).where(RoutingDecision.lead_id == lead.id)).one()
    assert (decision.cluster, decision.cc_clusters, decision.reason) == (
        "bioregio_stern", ["biopmed", "lyonbiopole"], lead.routing_reason,
    )
    status = session.scalars(select(LeadStatusChange).where(LeadStatusChange.lead_id == lead.id)).one()
    assert status.status == "new"

    messages = outbox_of(session, lead.id)
    assert [message.cluster for message in messages] == ["bioregio_stern", "biopmed", "lyonbiopole"]
    assert all(message.status == "pending" and message.channel == "email" for message in messages)
    assert messages[0].recipient == "leads@bioregio-stern.example"


def test_a_configured_webhook_gets_its_own_outbox_row(
    engine: Engine, clusters: ClusterTable, settings: Settings, session: Session
) -> None:
    store = LeadStore(engine, clusters, settings.copy(update={"webhook_url": "http://127.0.0.1:9/leads"}))
    saved = store.save(registration(target_regions=[]))
    channels = [message.channel for message in outbox_of(session, saved.id)]
    assert channels == ["email", "webhook"]


def test_an_unqualified_registration_is_kept_with_its_reasons_but_not_handed_off(
    store: LeadStore, session: Session
) -> None:
    saved = store.save(registration(conversation_id="conv-big", employees=250, sector="other", country="ES"))

    lead = session.get(Lead, saved.id)
    assert lead is not None
    assert lead.qualified is False
    assert "250 employees: not an SME (250 or more)" in lead.qualification_reasons
    assert "sector 'other': outside the medtech sectors" in lead.qualification_reasons
    assert lead.cluster == "biopmed"  # routed all the same: first target region
    assert lead.routing_reason.startswith("The SME is located in ES, outside the five cluster countries")
    assert session.scalars(select(ConsentRecord).where(ConsentRecord.lead_id == lead.id)).one().given
    assert len(session.scalars(select(LeadRecipient).where(LeadRecipient.lead_id == lead.id)).all()) == 3
    assert outbox_of(session, lead.id) == []
    assert [(m.recipient, m.cluster) for m in saved.notifications] == [(QUALIFIED["email"], None)]  # to the SME only


def test_a_contact_request_is_handed_off_even_when_not_qualified(store: LeadStore, session: Session) -> None:
    saved = store.save(
        registration(conversation_id="conv-call-me", kind="contact_request", employees=None, sector=None,
                     interests=[], target_regions=[], country=None, language="pl")
    )
    assert saved.qualified is False
    assert saved.cluster == "medsilesia"
    messages = outbox_of(session, saved.id)
    assert [(message.cluster, message.recipient) for message in messages] == [
        ("medsilesia", "leads@medsilesia.example"),
    ]


def test_a_qualified_contact_request_is_handed_off(store: LeadStore, session: Session) -> None:
    saved = store.save(registration(kind="contact_request", target_regions=[]))
    assert saved.qualified
    assert len(outbox_of(session, saved.id)) == 1


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="kind"):
        registration(kind="newsletter")


def test_a_failed_hand_off_stores_nothing(
    engine: Engine, clusters: ClusterTable, settings: Settings, session: Session
) -> None:
    """One transaction: a lead whose hand-off cannot be stored is not kept either."""
    no_address = dataclasses.replace(clusters["bioregio_stern"], contact_email=None)  # outbox recipient is NOT NULL
    broken = ClusterTable(
        by_code={**clusters.by_code, "bioregio_stern": no_address}, language_defaults=clusters.language_defaults
    )
    with pytest.raises(IntegrityError):
        LeadStore(engine, broken, settings).save(registration(conversation_id="conv-broken", target_regions=[]))
    for model in (Lead, LeadRecipient, ConsentRecord, RoutingDecision, LeadStatusChange, OutboxMessage):
        assert session.scalar(select(func.count()).select_from(model)) == 0, model.__name__


def test_erasing_a_conversation_wipes_its_personal_details(
    store: LeadStore, session: Session, erase: Callable[..., int], caplog: pytest.LogCaptureFixture
) -> None:
    first = store.save(registration(conversation_id="conv-erase"))
    second = store.save(registration(conversation_id="conv-erase", employees=900))  # not handed off
    kept = store.save(registration(conversation_id="conv-other"))
    with session.begin():
        sent = outbox_of(session, first.id)[0]
        sent.status = "sent"

    with caplog.at_level(logging.INFO, logger="bot.conversations.erasure"):
        assert erase("conv-erase") == 2

    for saved in (first, second):
        lead = session.get(Lead, saved.id)
        assert lead is not None
        assert (lead.company_name, lead.contact_name, lead.email, lead.employees) == (None, None, None, None)
        assert lead.erased_at is not None
        assert lead.status == "erased"
        assert not any(char.isdigit() for char in lead.qualification_reasons[0])
        assert (lead.cluster, lead.sector, lead.country) == (saved.cluster, "medical_devices", "DE")
        changes = session.scalars(
            select(LeadStatusChange).where(LeadStatusChange.lead_id == lead.id).order_by(LeadStatusChange.id)
        ).all()
        assert [(change.status, change.changed_by) for change in changes] == [
            ("new", "assistant"), ("erased", "data subject"),
        ]
        for message in outbox_of(session, lead.id):
            if message.kind == "erasure_notice":  # tests/leads/test_erasure.py
                continue
            assert message.body == "" and message.subject is None
            assert message.status in {"cancelled", "sent"}
    statuses = [(message.kind, message.status) for message in outbox_of(session, first.id)]
    assert statuses[0] == ("handoff", "sent") and set(statuses[1:-1]) == {("handoff", "cancelled")}
    assert statuses[-1] == ("erasure_notice", "pending")  # to the one cluster that received the lead

    other = session.get(Lead, kept.id)
    assert other is not None and other.email == "anna.keller@herzwerk.example" and other.erased_at is None
    assert all(message.status == "pending" and message.body for message in outbox_of(session, kept.id))

    logged = caplog.text
    assert "erased 2 lead(s)" in logged and conversation_hash("conv-erase") in logged
    assert "conv-erase" not in logged and "anna" not in logged.lower()


def test_erasing_again_or_an_unknown_conversation_erases_nothing(store: LeadStore, erase: Callable[..., int]) -> None:
    store.save(registration(conversation_id="conv-twice"))
    assert erase("conv-twice") == 1
    assert erase("conv-twice") == 0
    assert erase("conv-never-seen") == 0


def counts(session: Session) -> dict[tuple[str, str, str], int]:
    rows = session.scalars(select(AnonymousCount)).all()
    return {(row.day, row.language, row.event): row.count for row in rows}


def test_counts_are_kept_per_day_language_and_event(store: LeadStore, session: Session) -> None:
    store.count_anonymously("de", "registration_cancelled", day=date(2026, 3, 1))
    store.count_anonymously("de", "registration_cancelled", day=date(2026, 3, 2))
    store.count_anonymously("en", "registration_cancelled", day=date(2026, 3, 2))
    store.count_anonymously("en", CONSENT_REFUSED, day=date(2026, 3, 2))
    assert counts(session) == {
        ("2026-03-01", "de", "registration_cancelled"): 1,
        ("2026-03-02", "de", "registration_cancelled"): 1,
        ("2026-03-02", "en", "registration_cancelled"): 1,
        ("2026-03-02", "en", CONSENT_REFUSED): 1,
    }


def test_concurrent_counts_lose_no_increment(store: LeadStore, session: Session) -> None:
    calls = 40
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda _: store.count_anonymously("pl", "registration_cancelled"), range(calls)))
    assert list(counts(session).values()) == [calls]


@pytest.mark.parametrize(("language", "event"), [("es", CONSENT_REFUSED), ("de", ""), ("de", "x" * 65)])
def test_invalid_counts_are_refused(store: LeadStore, language: str, event: str) -> None:
    with pytest.raises(ValueError):
        store.count_anonymously(language, event)
