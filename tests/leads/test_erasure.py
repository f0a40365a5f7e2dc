"""An SME's erasure leaves nothing behind, here or at the clusters (security finding 5),
on SQLite and PostgreSQL, with the real outbox worker, SMTP and development mailbox."""

from __future__ import annotations

import asyncio
import email
import email.policy
import logging
from pathlib import Path
from typing import Callable

import pytest
from aiosmtpd.controller import Controller
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.config import Settings, load_settings
from bot.conversations.events import EVENTS
from bot.leads.clusters import load_clusters
from bot.leads.erasure_notices import ERASURE_NOTICE
from bot.leads.mailbox import MailboxHandler
from bot.leads.models import Lead, LeadStatusChange, OutboxMessage, RoutingDecision
from bot.leads.outbox import OutboxWorker
from bot.leads.store import LeadStore, Registration
from bot.retraining.annotations import read_examples, write_examples
from bot.retraining.models import TrainingAnnotation
from bot.tracker_store import DatabaseUrlTrackerStore
from tests.conftest import free_port

CHAT = "telegram-123456789"
PERSONAL = ("Herzwerk", "Anna", "Keller", "anna.keller", "+49 711")


def kept_emails(folder: Path) -> list[email.message.EmailMessage]:
    return [email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            for path in sorted(folder.glob("*.eml"))]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A training folder whose labelled messages name the SME (and others that do not)."""
    for language, examples in {
        "en": {"inform": ["I am Anna Keller", "we make stents"], "greet": ["hello there"]},
        "de": {"inform": ["Wir sind die Herzwerk Medizintechnik GmbH", "Wir sind 40 Leute"]},
    }.items():
        folder = tmp_path / "project" / "nlu_data" / language
        folder.mkdir(parents=True)
        write_examples(folder / "from_users.yml", examples)
    return tmp_path / "project"


@pytest.fixture
def mailbox(tmp_path: Path):
    port = free_port()
    controller = Controller(MailboxHandler(tmp_path / "mailbox"), hostname="127.0.0.1", port=port)
    controller.start()
    yield port, tmp_path / "mailbox"
    controller.stop()


@pytest.fixture
def settings(project: Path, mailbox) -> Settings:
    port, folder = mailbox
    return load_settings().copy(update={
        "webhook_url": None, "smtp_host": "127.0.0.1", "smtp_port": port, "smtp_user": None, "smtp_starttls": False,
        "local_mailbox": True, "mailbox_dir": folder, "training_dir": project, "portal_url": "https://portal.example",
    })


def test_an_erasure_leaves_no_personal_data_and_tells_the_clusters_that_received_the_lead(
    engine: Engine, session: Session, settings: Settings, project: Path, erase: Callable[..., int],
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = LeadStore(engine, load_clusters(), settings)
    lead = store.save(Registration(
        conversation_id=CHAT, language="de", notice_version="2026-01", company_name="Herzwerk Medizintechnik GmbH",
        contact_name="Anna Keller", email="anna.keller@herzwerk.example", country="DE", employees=40.0,
        sector="medical_devices", interests=["partnering"], target_regions=["biopmed", "lyonbiopole"],
    ))
    with session.begin():
        never_delivered = session.scalars(select(OutboxMessage).where(
            OutboxMessage.lead_id == lead.id, OutboxMessage.cluster == "lyonbiopole")).one()
        never_delivered.status = "failed"
        session.add_all([
            LeadStatusChange(lead_id=lead.id, status="contacted", changed_by="bea@bioregio.example",
                             note="Called Anna Keller on +49 711 555 0101"),
            RoutingDecision(lead_id=lead.id, cluster="bioregio_stern", decided_by="bea@bioregio.example",
                            reason="Anna Keller prefers a meeting in Stuttgart"),
            TrainingAnnotation(text_key="a" * 64, text="this is anna keller again", language="en", label="inform"),
            TrainingAnnotation(text_key="b" * 64, text="what does it cost", language="en", label="faq/cost"),
        ])
        session.get(Lead, lead.id).routing_reason = "Anna Keller prefers a meeting in Stuttgart"
    worker = OutboxWorker(engine, settings, smtp_timeout=5)
    assert worker.run_once() == 3  # the owner's e-mail, biopmed's copy and the SME's confirmation
    assert len(kept_emails(settings.mailbox_dir)) == 3

    with caplog.at_level(logging.DEBUG):
        assert erase(CHAT, also_named=["Herzwerk Medizintechnik GmbH", "Anna Keller"]) == 1

    # The development mailbox's copies of the hand-off are gone.
    assert kept_emails(settings.mailbox_dir) == []
    # Training data: what named the SME is gone, the rest stays.
    assert read_examples(project / "nlu_data" / "en" / "from_users.yml") == {
        "inform": ["we make stents"], "greet": ["hello there"]}
    assert read_examples(project / "nlu_data" / "de" / "from_users.yml") == {"inform": ["Wir sind 40 Leute"]}
    session.expire_all()
    assert [row.text for row in session.scalars(select(TrainingAnnotation))] == ["what does it cost"]
    # What staff wrote about the SME.
    erased = session.get(Lead, lead.id)
    assert all(change.note is None for change in erased.status_changes)
    assert [decision.reason for decision in erased.routing_decisions][1] == ""
    assert erased.routing_reason == ""
    assert erased.routing_decisions[0].reason.startswith("The SME is located in DE")  # the assistant's own stays
    # The log names neither the chat nor the SME.
    assert not any(word in caplog.text for word in ("123456789", *PERSONAL))

    # Each cluster that received the lead, and only those, is told; in its staff language, by id only.
    notices = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == ERASURE_NOTICE)).all()
    assert sorted(notice.recipient for notice in notices) == ["leads@biopmed.example",
                                                             "leads@bioregio-stern.example"]
    assert worker.run_once() == 2
    received = {message["X-Envelope-To"]: message for message in kept_emails(settings.mailbox_dir)}
    assert set(received) == {"leads@biopmed.example", "leads@bioregio-stern.example"}
    german, italian = received["leads@bioregio-stern.example"], received["leads@biopmed.example"]
    assert german["Subject"] == f"[S3martMed] Lead {lead.id}: personenbezogene Daten gelöscht"
    assert italian["Subject"] == f"[S3martMed] Contatto {lead.id}: dati personali cancellati"
    for message in (german, italian):
        text = message.get_content()
        assert f"https://portal.example/leads/{lead.id}" in text and "Art. 17" in text.replace("art.", "Art.")
        assert message["Reply-To"] is None
        assert not any(word.lower() in (text + message["Subject"]).lower() for word in PERSONAL)


def test_the_conversation_s_stored_events_go_with_its_leads_and_rasa_does_not_store_them_again(
    engine: Engine, settings: Settings, erase: Callable[..., int], rasa_store: DatabaseUrlTrackerStore
) -> None:
    LeadStore(engine, load_clusters(), settings).save(Registration(
        conversation_id=CHAT, language="de", notice_version="2026-01", company_name="Herzwerk GmbH",
        contact_name="Anna Keller", email="anna.keller@herzwerk.example", country="DE"))
    said = [ActionExecuted("action_listen"), UserUttered("Wir sind die Herzwerk GmbH"), BotUttered("Danke!")]
    for conversation_id in (CHAT, "telegram-someone-else"):
        asyncio.run(rasa_store.save(DialogueStateTracker.from_events(conversation_id, said)))

    assert erase(CHAT) == 1
    assert stored_events(engine) == {"telegram-someone-else": ["action", "user", "bot"]}

    # Rasa then saves the turn; the tracker it holds still has what was erased.
    turn = [*said, UserUttered("Meine Daten löschen"), ActionExecuted("action_delete_my_data"),
            BotUttered("Gelöscht."), ActionExecuted("action_listen")]
    asyncio.run(rasa_store.save(DialogueStateTracker.from_events(CHAT, turn)))
    assert stored_events(engine)[CHAT] == ["action", "bot", "action"]
    with engine.connect() as connection:
        assert not any("Herzwerk" in data or "löschen" in data for data in connection.scalars(
            select(EVENTS.c.data).where(EVENTS.c.sender_id == CHAT)))


def stored_events(engine: Engine) -> dict[str, list[str]]:
    """Each stored conversation's event types, in order."""
    with engine.connect() as connection:
        rows = connection.execute(select(EVENTS.c.sender_id, EVENTS.c.type_name).order_by(EVENTS.c.id)).all()
    conversations: dict[str, list[str]] = {}
    for conversation_id, type_name in rows:
        conversations.setdefault(conversation_id, []).append(type_name)
    return conversations


def test_the_retention_purge_tells_the_clusters_too(engine: Engine, session: Session, settings: Settings) -> None:
    from datetime import timedelta

    from bot.conversations.retention import purge_expired
    from bot.leads.models import utcnow

    store = LeadStore(engine, load_clusters(), settings)
    lead = store.save(Registration(
        conversation_id="conv-old", language="de", notice_version="2026-01", company_name="Herzwerk GmbH",
        contact_name="Anna Keller", email="anna.keller@herzwerk.example", country="DE", employees=40.0,
        sector="medical_devices", interests=["partnering"],
    ))
    with session.begin():
        session.get(Lead, lead.id).created_at = utcnow() - timedelta(days=400)
        for message in session.scalars(select(OutboxMessage).where(OutboxMessage.lead_id == lead.id)):
            message.status = "sent"
    with session.begin():
        assert purge_expired(session, now=utcnow(), days=365, settings=settings).leads == 1
    [notice] = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == ERASURE_NOTICE)).all()
    assert notice.recipient == "leads@bioregio-stern.example"
    assert "Die Aufbewahrungsfrist seiner personenbezogenen Daten ist abgelaufen." in notice.body
    assert not any(word.lower() in notice.body.lower() for word in PERSONAL)
