"""Registrations driven over REST, from the first message to the saved lead and the cluster's e-mail.

Each conversation runs against the real assistant (model, actions, portal, outbox worker)
and is checked where the outside world looks: Rasa's tracker, the lead API and SMTP.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from actions.services.responses import response_text
from bot.database import build_engine
from bot.leads.clusters import load_clusters
from bot.leads.models import OutboxMessage

SECTOR_BUTTON = '/inform{"sector": "medical_devices"}'

# (message, the slot the form asks for next); None = the form is over.
REGISTRATIONS = {
    "en": ([
        ("Hello, we would like to register our company for S3martMed", "consent"),
        ("Yes, I agree", "company_name"),
        ("Medisens", "contact_name"),
        ("Claire Martin", "email"),
        ("claire.martin@medisens.fr", "country"),
        ("Lyon", "employees"),
        ("about forty", "sector"),
        (SECTOR_BUTTON, "interests"),
        ("partners and financing", "target_regions"),
        ("Piedmont and Wallonia", "registration_confirmed"),
        ("yes", None),
    ], {"country": "FR", "employees": 40, "sector": "medical_devices", "cluster": "lyonbiopole",
        "cc_clusters": ["biopmed", "biowin"], "interests": {"partnering", "financing"}}),
    "de": ([
        ("Guten Tag, wir möchten unser Unternehmen anmelden", "consent"),
        ("Ja, einverstanden", "company_name"),
        ("Alpenmed GmbH", "contact_name"),
        ("Julia Hartmann", "email"),
        ("j.hartmann@alpenmed.de", "country"),
        ("Tübingen", "employees"),
        ("rund 40", "sector"),
        ("Diagnostik", "interests"),
        ("ein Technologiezentrum", "target_regions"),
        ("keine Präferenz", "registration_confirmed"),
        ("Ja, bitte speichern", None),
    ], {"country": "DE", "employees": 40, "sector": "diagnostics", "cluster": "bioregio_stern",
        "cc_clusters": [], "interests": {"technology_centre"}}),
    "fr": ([
        ("Bonjour, je voudrais inscrire mon entreprise", "consent"),
        ("Oui, je suis d'accord", "company_name"),
        ("BioNova SAS", "contact_name"),
        ("Sophie Durand", "email"),
        ("sophie.durand@bionova.fr", "country"),
        ("Grenoble", "employees"),
        ("une quarantaine", "sector"),
        ("dispositifs médicaux", "interests"),
        ("des partenaires", "target_regions"),
        ("le Piémont", "registration_confirmed"),
        ("oui", None),
    ], {"country": "FR", "employees": 40, "sector": "medical_devices", "cluster": "lyonbiopole",
        "cc_clusters": ["biopmed"], "interests": {"partnering"}}),
    "it": ([
        ("Buongiorno, vorremmo registrare la nostra azienda", "consent"),
        ("Sì, acconsento", "company_name"),
        ("Meditalia Srl", "contact_name"),
        ("Marco Rossi", "email"),
        ("marco.rossi@meditalia.it", "country"),
        ("Torino", "employees"),
        ("una quarantina", "sector"),
        ("diagnostica", "interests"),
        ("finanziamenti", "target_regions"),
        ("nessuna preferenza", "registration_confirmed"),
        ("sì", None),
    ], {"country": "IT", "employees": 40, "sector": "diagnostics", "cluster": "biopmed",
        "cc_clusters": [], "interests": {"financing"}}),
    "pl": ([
        ("Dzień dobry, chcielibyśmy zarejestrować naszą firmę", "consent"),
        ("Tak, zgadzam się", "company_name"),
        ("MedSilTech sp. z o.o.", "contact_name"),
        ("Anna Nowak", "email"),
        ("anna.nowak@medsiltech.pl", "country"),
        ("Katowice", "employees"),
        ("około 40 osób", "sector"),
        ("wyroby medyczne", "interests"),
        ("partnerzy", "target_regions"),
        ("Badenia-Wirtembergia", "registration_confirmed"),
        ("tak", None),
    ], {"country": "PL", "employees": 40, "sector": "medical_devices", "cluster": "medsilesia",
        "cc_clusters": ["bioregio_stern"], "interests": {"partnering"}}),
}


def converse(assistant, sender: str, steps) -> list[list[dict]]:
    """Send each message and check which question the form asks next."""
    replies = []
    for text, expected_slot in steps:
        replies.append(assistant.say(sender, text))
        slots = assistant.tracker(sender)["slots"]
        assert slots.get("requested_slot") == expected_slot, (text, replies[-1], slots)
    return replies


@pytest.mark.parametrize("language", sorted(REGISTRATIONS))
def test_registration_from_first_message_to_handed_off_lead(assistant, language):
    steps, expected = REGISTRATIONS[language]
    sender = assistant.new_sender()
    replies = converse(assistant, sender, steps)

    [lead] = assistant.leads_of(sender)
    assert lead["language"] == language
    assert lead["qualified"] is True, lead["qualification_reasons"]
    assert lead["country"] == expected["country"]
    assert lead["employees"] == expected["employees"]
    assert lead["sector"] == expected["sector"]
    assert set(lead["interests"]) == expected["interests"]
    assert lead["cluster"] == expected["cluster"]
    assert lead["cc_clusters"] == expected["cc_clusters"]
    assert lead["routing_reason"] and lead["qualification_reasons"]

    clusters = load_clusters()
    owner = clusters[expected["cluster"]]
    confirmation = " ".join(m.get("text", "") for m in replies[-1])
    assert owner.name in confirmation and owner.reply_time_in(language) in confirmation
    assert lead["email"] in confirmation

    slots = assistant.tracker(sender)["slots"]
    assert slots["consent"] is True and slots["language"] == language
    assert slots["email"] == lead["email"] and slots["country"] == expected["country"]

    for code in [expected["cluster"], *expected["cc_clusters"]]:
        assert assistant.mail_for(clusters[code].contact_email, containing=lead["company_name"]), code


def test_details_given_up_front_fill_their_slots_after_consent(assistant):
    sender = assistant.new_sender()
    converse(assistant, sender, [
        ("We are Medisens, 40 people in Lyon, and we would like to register", "consent"),
    ])
    slots = assistant.tracker(sender)["slots"]
    assert slots["company_name"] is None and slots["employees"] is None  # nothing before consent
    converse(assistant, sender, [("yes, that's fine", "contact_name")])
    slots = assistant.tracker(sender)["slots"]
    assert (slots["company_name"], slots["employees"], slots["country"]) == ("Medisens", 40, "FR")


def test_without_consent_nothing_is_stored_and_the_conversation_goes_on(assistant):
    sender = assistant.new_sender()
    converse(assistant, sender, [("I want to register my company", "consent"),
                                 ("No, I'd rather not", None)])
    slots = assistant.tracker(sender)["slots"]
    assert slots["consent"] is False
    assert all(slots[s] is None for s in ("company_name", "contact_name", "email"))
    assert assistant.leads_of(sender) == []
    replies = assistant.say(sender, "what is S3martMed?")
    assert replies and "S3martMed" in replies[0]["text"]


def test_250_employees_is_not_an_sme_so_the_lead_is_kept_but_not_handed_off(assistant):
    sender = assistant.new_sender()
    converse(assistant, sender, [
        ("I would like to register our company", "consent"),
        ("yes", "company_name"),
        ("Bigmed Industries", "contact_name"),
        ("Tom Baker", "email"),
        ("tom.baker@bigmed.example.com", "country"),
        ("Stuttgart", "employees"),
        ("250", "sector"),
        (SECTOR_BUTTON, "interests"),
        ("partners", "target_regions"),
        ("no preference", "registration_confirmed"),
        ("yes", None),
    ])
    [lead] = assistant.leads_of(sender)
    assert lead["qualified"] is False and lead["employees"] == 250
    assert any("250" in reason for reason in lead["qualification_reasons"])
    assert lead["cluster"] == "bioregio_stern"
    # The SME's own confirmation is queued after any hand-off of the same lead: once it has
    # arrived, the worker's pass over this lead is over.
    [confirmation] = assistant.mail_for("tom.baker@bigmed.example.com", containing="Bigmed")
    assert "not been passed on to a cluster automatically" in confirmation.get_body(("plain",)).get_content()
    to_clusters = [m["message"].get_body(("plain",)).get_content() for m in assistant.mail.messages
                   if "tom.baker@bigmed.example.com" not in m["to"]]
    assert not any("Bigmed" in body for body in to_clusters)
    # Nothing about this lead goes to a cluster: its only outbox row is the SME's own confirmation,
    # written in the lead's transaction (bot.leads.handoff, bot.leads.confirmation).
    engine = build_engine(assistant.database_url)
    with Session(engine) as session:
        recipients = session.scalars(select(OutboxMessage.recipient).where(OutboxMessage.lead_id == lead["id"])).all()
    engine.dispose()
    assert recipients == ["tom.baker@bigmed.example.com"]


@pytest.mark.parametrize(("language", "start", "question"), [
    ("en", [("I'd like to register", "consent"), ("yes", "company_name")], "why do you need this?"),
    ("de", [("Guten Tag, wir möchten unser Unternehmen anmelden", "consent"), ("Ja, einverstanden", "company_name")],
     "Was passiert mit meinen Daten?"),
])
def test_faq_inside_the_form_is_answered_and_the_form_resumes(assistant, domain, language, start, question):
    sender = assistant.new_sender()
    converse(assistant, sender, start)
    texts = [reply.get("text") for reply in assistant.say(sender, question)]
    # the privacy answer in the conversation's language, then the form's question again
    assert texts[0] == response_text(domain, "utter_faq/privacy", language), texts
    assert texts[-1] == response_text(domain, "utter_ask_company_name", language), texts
    tracker = assistant.tracker(sender)
    assert tracker["slots"]["requested_slot"] == "company_name"
    assert tracker["slots"]["language"] == language
    assert tracker["slots"]["company_name"] is None  # the question was not taken for the answer


def test_stop_cancels_the_registration_and_forgets_its_details(assistant):
    sender = assistant.new_sender()
    converse(assistant, sender, [("I'd like to register", "consent"), ("yes", "company_name"),
                                 ("Medisens", "contact_name"), ("stop", None)])
    slots = assistant.tracker(sender)["slots"]
    assert slots["company_name"] is None and slots["consent"] is None
    assert assistant.leads_of(sender) == []


def test_a_correction_at_the_summary_changes_the_slot(assistant):
    sender = assistant.new_sender()
    converse(assistant, sender, [
        ("I would like to register", "consent"), ("yes", "company_name"),
        ("Medisens", "contact_name"), ("Claire Martin", "email"),
        ("claire@medisens.fr", "country"), ("France", "employees"), ("12", "sector"),
        (SECTOR_BUTTON, "interests"), ("events", "target_regions"), ("no preference", "event_id"),
        ("/deny", "registration_confirmed"),  # the button "None in particular"
        ("actually my e-mail is claire.martin@medisens.fr", "registration_confirmed"),
    ])
    assert assistant.tracker(sender)["slots"]["email"] == "claire.martin@medisens.fr"
    converse(assistant, sender, [("yes", None)])
    [lead] = assistant.leads_of(sender)
    assert lead["email"] == "claire.martin@medisens.fr" and lead["event_id"] == "none"


def test_a_contact_request_asks_fewer_questions_and_reaches_the_cluster(assistant):
    sender = assistant.new_sender()
    converse(assistant, sender, [
        ("Can someone from the cluster call me back?", "consent"), ("yes", "company_name"),
        ("Cardiotech", "contact_name"), ("Piotr Zielinski", "email"),
        ("piotr@cardiotech.pl", "country"), ("Gliwice", "registration_confirmed"), ("yes", None),
    ])
    [lead] = assistant.leads_of(sender)
    assert lead["kind"] == "contact_request" and lead["cluster"] == "medsilesia"
    assert assistant.mail_for(load_clusters()["medsilesia"].contact_email, containing="Cardiotech")


def test_delete_my_data_erases_the_lead_and_the_conversation(assistant):
    sender = assistant.new_sender()
    converse(assistant, sender, [
        ("Can someone from the cluster call me back?", "consent"), ("yes", "company_name"),
        ("Erasemed", "contact_name"), ("Eva Schmidt", "email"),
        ("eva@erasemed.de", "country"), ("Heidelberg", "registration_confirmed"), ("yes", None),
    ])
    assistant.say(sender, "please delete my data")
    [lead] = assistant.leads_of(sender)
    assert lead["email"] is None and lead["company_name"] is None and lead["status"] == "erased"
    events = assistant.tracker(sender)["events"]
    assert not any("eva@erasemed.de" in str(event) for event in events)
