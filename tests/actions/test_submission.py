"""The end of the registration form on a real database: the SME's confirmation e-mail is queued
only for what was saved, never without consent or for a contact request the SME stopped."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from actions.submission import ActionCancelRegistration, ActionSubmitRegistration
from bot.database import build_engine
from bot.leads.models import Lead, OutboxMessage
from tests.actions.conftest import make_tracker

CONTACT_REQUEST = {"registration_kind": "contact_request", "company_name": "Cardiotech", "contact_name": "Piotr Zieliński",
                   "email": "p.zielinski@cardiotech.example", "country": "PL", "language": "pl"}


def outbox(url: str) -> list[tuple[str, str | None]]:
    engine = build_engine(url)
    try:
        with Session(engine) as session:
            return [(m.recipient, m.cluster) for m in session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]
    finally:
        engine.dispose()


def leads(url: str) -> int:
    engine = build_engine(url)
    try:
        with Session(engine) as session:
            return len(session.scalars(select(Lead)).all())
    finally:
        engine.dispose()


def tracker(slots: dict[str, Any]):
    return make_tracker({"text": "tak", "intent": {"name": "affirm", "confidence": 0.99}, "entities": []}, slots)


async def test_a_confirmed_contact_request_queues_the_clusters_and_the_smes_confirmation(
    lead_database, dispatcher, domain
) -> None:
    await ActionSubmitRegistration().run(
        dispatcher, tracker({**CONTACT_REQUEST, "consent": True, "registration_confirmed": True}), domain)
    assert outbox(lead_database) == [("leads@medsilesia.example", "medsilesia"),
                                     ("p.zielinski@cardiotech.example", None)]


async def test_without_consent_nothing_is_stored_or_sent(lead_database, dispatcher, domain) -> None:
    await ActionSubmitRegistration().run(dispatcher, tracker({**CONTACT_REQUEST, "consent": False}), domain)
    assert dispatcher.messages[0]["response"] == "utter_no_consent"
    assert leads(lead_database) == 0 and outbox(lead_database) == []


async def test_a_contact_request_the_sme_stops_sends_nothing(lead_database, dispatcher, domain) -> None:
    await ActionCancelRegistration().run(dispatcher, tracker({**CONTACT_REQUEST, "consent": True}), domain)
    assert dispatcher.messages[0]["response"] == "utter_registration_cancelled"
    assert leads(lead_database) == 0 and outbox(lead_database) == []
