"""The hand-off's messages: one e-mail per notified cluster in its staff's language, and the webhook."""

from __future__ import annotations

import json
import string
from typing import Any

import pytest
import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import Settings, load_settings
from bot.definitions import INTERESTS, LANGUAGES, SECTORS
from bot.leads.clusters import DEFAULT_PATH, ClusterTable, load_clusters, parse_clusters
from bot.leads.handoff import (
    enqueue_handoff,
    load_templates,
    sign_webhook_body,
    verify_webhook_signature,
)
from bot.leads.models import Lead, OutboxMessage
from bot.leads.serialize import LEAD_FIELDS

PORTAL_URL = "https://portal.s3martmed.test"
PLACEHOLDERS = {
    "cluster_name", "intro", "role_title", "role_note", "owner_name", "company_name", "contact_name", "email",
    "country", "employees", "sector", "interests", "target_regions", "language",
    "qualification_reasons", "routing_reason", "lead_url",
}


def settings_for(**overrides: Any) -> Settings:
    """This machine's settings with a known portal, no webhook and no SMTP login, then `overrides`."""
    values: dict[str, Any] = dict(
        portal_url=PORTAL_URL, webhook_url=None, webhook_secret=None,
        smtp_host="127.0.0.1", smtp_user=None, smtp_password=None, smtp_starttls=False,
    )
    return load_settings().copy(update={**values, **overrides})


def add_qualified_lead(session: Session, **fields: Any) -> Lead:
    """A qualified lead, owned by BioRegio STERN with a copy to BioWin, flushed so it has an id."""
    values: dict[str, Any] = dict(
        conversation_id="conversation-1", language="en", company_name="Acme Medical GmbH",
        contact_name="Jana Novak", email="jana.novak@acme-medical.example", country="DE", employees=42.0,
        sector="medical_devices", interests=["partnering", "financing"], target_regions=["biowin"],
        qualified=True, qualification_reasons=["42 employees: an SME (fewer than 250)", "sector medical_devices"],
        cluster="bioregio_stern", cc_clusters=["biowin"], routing_reason="country DE: BioRegio STERN's country",
    )
    lead = Lead(**{**values, **fields})
    session.add(lead)
    session.flush()
    return lead


def clusters_speaking(language: str) -> ClusterTable:
    """The shipped clusters, with BioRegio STERN's staff reading `language`."""
    data = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    data["clusters"]["bioregio_stern"]["staff_language"] = language
    return parse_clusters(data)


def placeholders(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field}


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_language_has_every_placeholder_and_label(language: str) -> None:
    text = load_templates()[language]
    assert placeholders(text.subject + text.body) == PLACEHOLDERS
    for note in (text.copy_note, text.owner_note, text.registration_intro, text.contact_request_intro):
        assert placeholders(note) <= PLACEHOLDERS - {"role_note", "intro"}
    assert set(text.languages) == set(LANGUAGES)
    assert set(text.sectors) == set(SECTORS)
    assert set(text.interests) == set(INTERESTS)


def test_owner_and_each_copied_cluster_get_one_email_in_their_staff_language(session: Session) -> None:
    lead = add_qualified_lead(session, cc_clusters=["biowin", "medsilesia"])
    messages = enqueue_handoff(session, lead, load_clusters(), settings_for())
    session.commit()

    assert [(m.channel, m.cluster, m.recipient) for m in messages] == [
        ("email", "bioregio_stern", "leads@bioregio-stern.example"),
        ("email", "biowin", "leads@biowin.example"),
        ("email", "medsilesia", "leads@medsilesia.example"),
    ]
    owner, walloon, silesian = messages
    assert owner.subject == "[S3martMed] Neuer Lead für Ihren Cluster: Acme Medical GmbH (DE)"
    assert "Dieser Lead gehört Ihrem Cluster" in owner.body
    assert "Branche: Medizinprodukte" in owner.body
    assert walloon.subject == "[S3martMed] Copie d'un contact : Acme Medical GmbH (DE)"
    assert "Le contact revient à BioRegio STERN" in walloon.body
    assert "Kontakt należy do BioRegio STERN" in silesian.body
    for message in messages:
        assert f"{PORTAL_URL}/leads/{lead.id}" in message.body
        assert "jana.novak@acme-medical.example" in message.body
        assert "country DE: BioRegio STERN's country" in message.body
    stored = session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars().all()
    assert [(m.lead_id, m.status, m.attempts) for m in stored] == [(lead.id, "pending", 0)] * 3


@pytest.mark.parametrize("language", LANGUAGES)
def test_email_is_written_in_the_staff_language(session: Session, language: str) -> None:
    lead = add_qualified_lead(session, cc_clusters=[], target_regions=["biowin", "biopmed"], language="pl")
    [message] = enqueue_handoff(session, lead, clusters_speaking(language), settings_for())
    text = load_templates()[language]

    assert message.subject.startswith(f"[S3martMed] {text.owner_title}")
    for line in (
        text.owner_note,
        text.sectors["medical_devices"],
        f"{text.interests['partnering']}, {text.interests['financing']}",
        text.languages["pl"],
        "BioWin (Wallonia), BioPmed (Piedmont)",
        "42 employees: an SME (fewer than 250); sector medical_devices",
        "Jana Novak",
    ):
        assert line in message.body
    assert "{" not in message.body and "}" not in message.body


def test_missing_details_are_shown_as_such_and_user_text_stays_on_one_line(session: Session) -> None:
    lead = add_qualified_lead(session, company_name="Acme\r\nBcc: everyone@example.org", contact_name=None)
    owner, _ = enqueue_handoff(session, lead, load_clusters(), settings_for())

    assert owner.subject == "[S3martMed] Neuer Lead für Ihren Cluster: Acme Bcc: everyone@example.org (DE)"
    assert "Ansprechperson: (nicht angegeben)" in owner.body


def test_no_webhook_message_unless_a_webhook_is_configured(session: Session) -> None:
    lead = add_qualified_lead(session)
    messages = enqueue_handoff(session, lead, load_clusters(), settings_for(webhook_url=None))
    assert {m.channel for m in messages} == {"email"}


def test_webhook_message_carries_the_lead_api_fields_and_a_verifiable_signature(session: Session) -> None:
    lead = add_qualified_lead(session, cc_clusters=["biowin", "biopmed"])
    settings = settings_for(webhook_url="https://crm.example/hooks/s3m", webhook_secret="s3cret")
    messages = enqueue_handoff(session, lead, load_clusters(), settings)
    session.commit()

    webhook = messages[-1]
    assert (webhook.channel, webhook.recipient, webhook.status) == ("webhook", "https://crm.example/hooks/s3m", "pending")
    payload = json.loads(webhook.body)
    assert set(payload) == {*LEAD_FIELDS, "recipient_clusters"}
    assert payload["id"] == lead.id
    assert payload["company_name"] == "Acme Medical GmbH"
    assert payload["recipient_clusters"] == ["bioregio_stern", "biowin", "biopmed"]
    assert payload["created_at"].endswith("Z")  # UTC, as in the lead API

    body = webhook.body.encode("utf-8")
    sent = "1767000000"
    signature = sign_webhook_body(body, "s3cret", sent)
    assert signature.startswith("sha256=") and len(signature) == len("sha256=") + 64
    assert verify_webhook_signature(body, "s3cret", signature, sent, now=1767000030)
    assert not verify_webhook_signature(body, "another secret", signature, sent, now=1767000030)
    assert not verify_webhook_signature(body.replace(b"Acme", b"Evil"), "s3cret", signature, sent, now=1767000030)
    assert not verify_webhook_signature(body, "s3cret", None, sent, now=1767000030)
    assert not verify_webhook_signature(body, "s3cret", "sha256=é", sent, now=1767000030)


def test_a_captured_webhook_cannot_be_replayed_with_a_fresh_timestamp() -> None:
    body, sent = b'{"id": 7}', "1767000000"
    signature = sign_webhook_body(body, "s3cret", sent)
    replayed_at = "1767090000"  # a day later, with the timestamp header rewritten
    assert not verify_webhook_signature(body, "s3cret", signature, replayed_at, now=1767090001)
    assert not verify_webhook_signature(body, "s3cret", signature, sent, now=1767090001)  # too old as sent
    assert not verify_webhook_signature(body, "s3cret", signature, "soon", now=1767000001)


def test_a_contact_request_is_introduced_as_one(session: Session) -> None:
    request = add_qualified_lead(session, kind="contact_request", qualified=False, cc_clusters=[])
    registration = add_qualified_lead(session, cc_clusters=[])
    [request_email] = enqueue_handoff(session, request, load_clusters(), settings_for())
    [registration_email] = enqueue_handoff(session, registration, load_clusters(), settings_for())
    text = load_templates()["de"]
    assert text.contact_request_intro in request_email.body
    assert text.registration_intro in registration_email.body


def test_a_lead_without_an_id_is_refused(session: Session) -> None:
    unflushed = Lead(conversation_id="c", language="en", cluster="biowin", routing_reason="r", qualified=True)
    with pytest.raises(ValueError, match="flush"):
        enqueue_handoff(session, unflushed, load_clusters(), settings_for())
