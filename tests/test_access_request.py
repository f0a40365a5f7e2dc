"""The right of access and the SME's confirmation e-mail, against the running assistant, in five languages.

Needs the trained model (the `assistant` fixture): run after retraining with the intent `ask_my_data`.
"""

from __future__ import annotations

import pytest

from actions.services.responses import response_text
from bot.leads.clusters import load_clusters
from tests.test_registration import REGISTRATIONS, converse

# Worded unlike the training data, as another SME would write it.
ACCESS_REQUESTS = {
    "en": "which details of mine have you got stored?",
    "de": "Was habt ihr eigentlich alles über mich gespeichert?",
    "fr": "qu'est-ce que vous avez comme données sur moi ?",
    "it": "che dati avete salvato su di me?",
    "pl": "jakie moje dane u was są?",
}
# A line of the confirmation e-mail in each language, and how it says to ask for erasure in the chat.
CONFIRMATION = {
    "en": ("This is what we have stored:", '"delete my data"'),
    "de": ("Folgende Angaben haben wir gespeichert:", "„Meine Daten löschen“"),
    "fr": ("Voici les informations que nous avons enregistrées :", "« supprimer mes données »"),
    "it": ("Questi sono i dati che abbiamo salvato:", "«cancella i miei dati»"),
    "pl": ("Zapisaliśmy następujące dane:", "„usuń moje dane”"),
}


def texts(replies: list[dict]) -> str:
    return "\n".join(reply.get("text", "") for reply in replies)


@pytest.mark.parametrize("language", sorted(ACCESS_REQUESTS))
def test_the_nlu_takes_the_access_request_for_ask_my_data(assistant, language):
    assert assistant.parse(ACCESS_REQUESTS[language])["intent"]["name"] == "ask_my_data"


@pytest.mark.parametrize("language", sorted(ACCESS_REQUESTS))
def test_after_registering_the_sme_gets_its_confirmation_and_can_read_what_was_stored(assistant, domain, language):
    steps, expected = REGISTRATIONS[language]
    sender = assistant.new_sender()
    delivered_before = len(assistant.mail.messages)
    converse(assistant, sender, steps)
    [lead] = assistant.leads_of(sender)

    [mail] = assistant.mail_for(lead["email"], containing=lead["company_name"], since=delivered_before)
    body = mail.get_body(("plain",)).get_content()
    stored_line, erasure_hint = CONFIRMATION[language]
    owner = load_clusters()[expected["cluster"]]
    assert stored_line in body and erasure_hint in body
    assert owner.name in body and owner.reply_time_in(language) in body
    assert mail["Reply-To"] is None

    replies = assistant.say(sender, ACCESS_REQUESTS[language])
    said = texts(replies)
    for stored in (lead["company_name"], lead["contact_name"], lead["email"], owner.name):
        assert stored in said, (language, stored, said)
    assert erasure_hint in said
    assert assistant.tracker(sender)["slots"]["language"] == language


@pytest.mark.parametrize("language", sorted(ACCESS_REQUESTS))
def test_a_conversation_that_stored_nothing_is_told_so(assistant, domain, language):
    other = assistant.new_sender()
    converse(assistant, other, REGISTRATIONS[language][0])  # someone else's registration
    sender = assistant.new_sender()
    replies = assistant.say(sender, ACCESS_REQUESTS[language])
    assert texts(replies) == response_text(domain, "utter_no_data_stored", language)
    [lead] = assistant.leads_of(other)
    assert lead["company_name"] not in texts(replies)


def test_asked_during_a_registration_nothing_is_stored_yet_and_the_form_goes_on(assistant, domain):
    sender = assistant.new_sender()
    converse(assistant, sender, [("I'd like to register our company", "consent"), ("yes", "company_name"),
                                 ("Medisens", "contact_name")])
    replies = assistant.say(sender, "hang on, what have you stored about me so far?")
    assert response_text(domain, "utter_no_data_stored_yet", "en") in texts(replies)
    assert assistant.tracker(sender)["slots"]["requested_slot"] == "contact_name"


def test_after_erasure_the_access_request_finds_nothing(assistant, domain):
    steps, _ = REGISTRATIONS["de"]
    sender = assistant.new_sender()
    converse(assistant, sender, steps)
    assistant.say(sender, "Bitte löschen Sie meine Daten")
    replies = assistant.say(sender, ACCESS_REQUESTS["de"])
    assert texts(replies) == response_text(domain, "utter_no_data_stored", "de")
