"""The SME's confirmation e-mail: queued with the lead, delivered over real SMTP in its language,
dropped with the lead's erasure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any, Callable

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.leads.clusters import load_clusters
from bot.leads.models import OutboxMessage
from bot.leads.store import LeadStore, Registration
from tests.leads.test_handoff import settings_for
from tests.leads.test_outbox import SmtpServer, worker_for

LANGUAGES = ("en", "de", "fr", "it", "pl")
PRIVACY_EMAIL = "privacy@s3martmed.test"
SME_EMAIL = "anna.keller@herzwerk.example"

QUALIFIED: dict[str, Any] = {
    "conversation_id": "conv-confirmation",
    "notice_version": "2026-11-23",
    "company_name": "Herzwerk Medizintechnik GmbH",
    "contact_name": "Anna Keller",
    "email": SME_EMAIL,
    "country": "DE",
    "employees": 40.0,
    "sector": "medical_devices",
    "interests": ["partnering"],
    "target_regions": ["biowin"],
}

# What each language's e-mail must say, for a qualified lead from Germany copied to BioWin.
EXPECTED: dict[str, dict[str, Any]] = {
    "en": {"subject": "S3martMed: your registration of Herzwerk Medizintechnik GmbH", "phrases": [
        "Dear Anna Keller,", "Thank you for registering Herzwerk Medizintechnik GmbH",
        "Country: Germany", "Sector: Medical devices", "Interests: Cooperation partners",
        "BioRegio STERN will contact you within two working days.",
        "BioRegio STERN is the S3martMed cluster in Germany, where your company is based.",
        "BioWin also received your details", 'write "delete my data" in the chat', "/delete_my_data",
        "what data do you have about me?"]},
    "de": {"subject": "S3martMed: Ihre Anmeldung von Herzwerk Medizintechnik GmbH", "phrases": [
        "Guten Tag Anna Keller,", "vielen Dank, dass Sie Herzwerk Medizintechnik GmbH",
        "Land: Deutschland", "Branche: Medizinprodukte", "Interessen: Kooperationspartner",
        "BioRegio STERN wird Sie innerhalb von zwei Werktagen kontaktieren.",
        "BioRegio STERN ist der S3martMed-Cluster in Deutschland",
        "Eine Kopie Ihrer Angaben ging außerdem an BioWin", "„Meine Daten löschen“", "/delete_my_data",
        "Welche Daten haben Sie über mich?"]},
    "fr": {"subject": "S3martMed : votre inscription de Herzwerk Medizintechnik GmbH", "phrases": [
        "Bonjour Anna Keller,", "Merci d'avoir inscrit Herzwerk Medizintechnik GmbH",
        "Pays : Allemagne", "Secteur : Dispositifs médicaux", "Intérêts : Partenaires de coopération",
        "BioRegio STERN vous contactera sous deux jours ouvrés.",
        "le cluster S3martMed du pays où votre entreprise est établie (Allemagne)",
        "transmise à BioWin", "« supprimer mes données »", "/delete_my_data",
        "Quelles données avez-vous sur moi ?"]},
    "it": {"subject": "S3martMed: la registrazione di Herzwerk Medizintechnik GmbH", "phrases": [
        "Gentile Anna Keller,", "grazie per aver registrato Herzwerk Medizintechnik GmbH",
        "Paese: Germania", "Settore: Dispositivi medici", "Interessi: Partner di cooperazione",
        "BioRegio STERN la contatterà entro due giorni lavorativi.",
        "del paese in cui ha sede la sua azienda (Germania)",
        "inviata anche a BioWin", "«cancella i miei dati»", "/delete_my_data",
        "Quali dati avete su di me?"]},
    "pl": {"subject": "S3martMed: rejestracja firmy Herzwerk Medizintechnik GmbH", "phrases": [
        "Dzień dobry, Anna Keller,", "dziękujemy za zarejestrowanie firmy Herzwerk Medizintechnik GmbH",
        "Kraj: Niemcy", "Sektor: Wyroby medyczne", "Zainteresowania: Partnerzy do współpracy",
        "BioRegio STERN skontaktuje się z Państwem w ciągu dwóch dni roboczych.",
        "w kraju, w którym ma siedzibę Państwa firma (Niemcy)",
        "przekazaliśmy również do: BioWin", "„usuń moje dane”", "/delete_my_data",
        "Jakie dane o mnie macie?"]},
}


def registration(**changes: Any) -> Registration:
    return Registration(**{"language": "en", **QUALIFIED, **changes})


@pytest.fixture
def settings() -> Settings:
    return settings_for().copy(update={"privacy_email": PRIVACY_EMAIL})


@pytest.fixture
def store(engine: Engine, settings: Settings) -> LeadStore:
    return LeadStore(engine, load_clusters(), settings)


@pytest.fixture
def smtp() -> Any:
    from bot.free_ports import free_port

    server = SmtpServer(free_port())
    server.start()
    yield server
    server.stop()


def confirmations(session: Session, lead_id: int) -> list[OutboxMessage]:
    """The lead's outbox messages that go to no cluster and are e-mails: the SME's confirmation."""
    return list(session.scalars(select(OutboxMessage).where(
        OutboxMessage.lead_id == lead_id, OutboxMessage.channel == "email", OutboxMessage.cluster.is_(None))))


def test_erasure_notices_go_to_the_clusters_only_never_to_the_sme(
    store: LeadStore, engine: Engine, settings: Settings, smtp: SmtpServer, session: Session,
    erase: Callable[..., int],
) -> None:
    lead = store.save(registration(language="de"))
    deliver(engine, settings, smtp)  # the hand-offs and the SME's confirmation are sent
    erase("conv-confirmation")

    notices = session.scalars(select(OutboxMessage).where(OutboxMessage.lead_id == lead.id,
                                                          OutboxMessage.kind == "erasure_notice")).all()
    assert {m.recipient for m in notices} == {"leads@bioregio-stern.example", "leads@biowin.example"}
    assert all(m.cluster for m in notices)


def deliver(engine: Engine, settings: Settings, smtp: SmtpServer, address: str = SME_EMAIL) -> list[EmailMessage]:
    """Run the outbox worker once over everything due and return what reached `address`."""
    worker_for(engine, settings.copy(update={"smtp_port": smtp.port})).run_once(
        now=datetime.now(UTC) + timedelta(seconds=1))
    return [message for _, rcpt_tos, message in smtp.handler.received if rcpt_tos == [address]]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_sme_gets_what_was_stored_who_contacts_it_and_why_and_how_to_take_it_back_in_its_language(
    language: str, store: LeadStore, engine: Engine, settings: Settings, smtp: SmtpServer, session: Session
) -> None:
    lead = store.save(registration(language=language))

    [received] = deliver(engine, settings, smtp)
    expected = EXPECTED[language]
    assert received["Subject"].strip() == expected["subject"]
    assert received["To"] == SME_EMAIL
    assert received["Reply-To"] is None, "the SME must not be told to reply to itself"
    body = received.get_content()
    for phrase in expected["phrases"]:
        assert phrase in body, (language, phrase, body)
    for stored in ("Herzwerk Medizintechnik GmbH", "Anna Keller", SME_EMAIL, "40", "BioWin"):
        assert stored in body
    assert PRIVACY_EMAIL in body and f"S3M-{lead.id}" in body
    assert str(datetime.now(UTC).year) in body  # the day of consent
    assert "{" not in body and "}" not in body

    # the clusters were told in their own languages, once each, besides
    cluster_mail = {rcpt_tos[0] for _, rcpt_tos, _ in smtp.handler.received if rcpt_tos != [SME_EMAIL]}
    assert cluster_mail == {"leads@bioregio-stern.example", "leads@biowin.example"}
    assert [m.status for m in confirmations(session, lead.id)] == ["sent"]


def test_a_contact_request_is_confirmed_as_one(
    store: LeadStore, engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    store.save(registration(language="fr", kind="contact_request", employees=None, sector=None, interests=[],
                            target_regions=[], country="FR"))
    [received] = deliver(engine, settings, smtp)
    assert received["Subject"].strip() == "S3martMed : votre demande de contact pour Herzwerk Medizintechnik GmbH"
    body = received.get_content()
    assert "une personne de l'un des clusters S3martMed reviendra vers vous" in body
    assert "Lyonbiopole vous contactera sous deux jours ouvrés." in body
    assert "Effectif : (non indiqué)" in body


def test_a_registration_kept_without_hand_off_says_so_and_names_the_cluster_to_write_to(
    store: LeadStore, engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    store.save(registration(language="it", employees=900.0, country="IT", target_regions=[]))
    [received] = deliver(engine, settings, smtp)
    body = received.get_content()
    assert "non è stata trasmessa automaticamente a un cluster" in body
    assert "BioPmed" in body and "leads@biopmed.example" in body
    assert "la contatterà" not in body
    assert len(smtp.handler.received) == 1, "nothing went to a cluster"


@pytest.mark.parametrize("changes, why", [
    ({"country": "ES", "target_regions": ["medsilesia", "biopmed"]},
     "the region of GAPR-Medsilesia is the first one you named"),
    ({"country": "ES", "target_regions": []},
     "BioRegio STERN, the cluster that looks after conversations in English, takes care of it"),
])
def test_the_reason_follows_the_routing_rule(changes: dict[str, Any], why: str, store: LeadStore,
                                             session: Session) -> None:
    lead = store.save(registration(**changes))
    [message] = confirmations(session, lead.id)
    assert why in message.body
    assert "Country: Spain" in message.body


def test_nothing_is_queued_for_a_lead_without_an_email_address(store: LeadStore, session: Session) -> None:
    lead = store.save(registration(email=None))
    assert confirmations(session, lead.id) == []


def test_erasure_before_delivery_drops_the_confirmation_and_its_address(
    store: LeadStore, engine: Engine, settings: Settings, smtp: SmtpServer, session: Session,
    erase: Callable[..., int],
) -> None:
    lead = store.save(registration(language="pl", country="PL", target_regions=[]))
    assert erase("conv-confirmation") == 1

    assert deliver(engine, settings, smtp) == []
    [message] = confirmations(session, lead.id)
    assert (message.status, message.recipient, message.subject, message.body) == ("cancelled", "", None, "")
    assert smtp.handler.received == []


def test_erasure_after_delivery_keeps_no_copy_of_the_address_or_the_text(
    store: LeadStore, engine: Engine, settings: Settings, smtp: SmtpServer, session: Session,
    erase: Callable[..., int],
) -> None:
    lead = store.save(registration(language="de"))
    assert len(deliver(engine, settings, smtp)) == 1
    erase("conv-confirmation")

    [message] = confirmations(session, lead.id)
    assert (message.status, message.recipient, message.body) == ("sent", "", "")
    staff = session.scalars(select(OutboxMessage).where(OutboxMessage.lead_id == lead.id,
                                                        OutboxMessage.cluster.is_not(None))).all()
    assert {m.recipient for m in staff} == {"leads@bioregio-stern.example", "leads@biowin.example"}
