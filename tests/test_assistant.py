"""The running assistant over REST and Rasa's HTTP API, in five languages.

Replies are compared with the domain's own variations, so a reply in the wrong
language fails the test whatever its wording.
"""

import pytest
from sqlalchemy import text

from actions.services.responses import response_text
from bot.database import build_engine
from bot.definitions import LANGUAGES

pytestmark = pytest.mark.model

GREETINGS = {"en": "hello", "de": "Hallo", "fr": "Bonjour", "it": "Buongiorno", "pl": "Dzień dobry"}


def texts(messages):
    return [m.get("text") for m in messages]


@pytest.mark.parametrize("language", LANGUAGES)
def test_greeting_is_answered_in_its_language(assistant, domain, language):
    sender = assistant.new_sender()
    replies = assistant.say(sender, GREETINGS[language])
    assert texts(replies) == [response_text(domain, "utter_greet", language)]
    assert assistant.tracker(sender)["slots"]["language"] == language


@pytest.mark.parametrize(
    "language, question, faq",
    [
        ("en", "which regions are part of this project?", "partners"),
        ("de", "Wer finanziert eigentlich dieses Projekt?", "funding_body"),
        ("fr", "depuis quand le projet existe et jusqu'à quand ?", "duration"),
        ("it", "la partecipazione è a pagamento?", "cost"),
        ("pl", "co się stanie z moimi danymi osobowymi?", "privacy"),
    ],
)
def test_faq_is_answered_in_the_language_of_the_question(assistant, domain, language, question, faq):
    sender = assistant.new_sender()
    replies = assistant.say(sender, question)
    assert texts(replies) == [response_text(domain, f"utter_faq/{faq}", language)]


def test_language_switches_on_request_and_stays_on_ok(assistant, domain):
    sender = assistant.new_sender()
    assistant.say(sender, "Guten Tag, ich habe eine Frage zu S3martMed")
    assert assistant.tracker(sender)["slots"]["language"] == "de"
    replies = assistant.say(sender, "Können wir bitte auf Italienisch weitermachen?")
    assert texts(replies) == [response_text(domain, "utter_language_changed", "it")]
    assistant.say(sender, "ok")
    assert assistant.tracker(sender)["slots"]["language"] == "it"


def test_language_command_switches(assistant, domain):
    sender = assistant.new_sender()
    assistant.say(sender, "hello there")
    replies = assistant.say(sender, "/language pl")
    assert texts(replies) == [response_text(domain, "utter_language_changed", "pl")]


def test_unsupported_language_gets_english_list_of_languages(assistant, domain):
    sender = assistant.new_sender()
    assistant.say(sender, "Guten Morgen, wie geht es weiter mit dem Projekt?")
    replies = assistant.say(sender, "Hola, quisiera saber cómo puedo registrar mi empresa en el proyecto")
    assert texts(replies) == [response_text(domain, "utter_language_options", "en")]


def test_channel_hint_sets_the_language_of_a_short_first_message(assistant, domain):
    sender = assistant.new_sender()
    replies = assistant.say(sender, "hi", metadata={"language": "pl-PL"})
    assert texts(replies) == [response_text(domain, "utter_greet", "pl")]


def test_parse_api_reports_contract_names(assistant):
    parsed = assistant.parse("Können wir auf Französisch weitermachen?")
    assert parsed["intent"]["name"] == "change_language"
    assert [(e["entity"], e["value"]) for e in parsed["entities"]] == [("language", "fr")]
    faq = assistant.parse("what does S3martMed actually do?")
    assert faq["intent"]["name"] == "faq"
    key = faq["response_selector"]["faq"]["response"]["intent_response_key"]
    assert key == "faq/what_is_s3martmed"


def test_conversation_is_stored_in_the_database(assistant):
    sender = assistant.new_sender()
    assistant.say(sender, "Bonjour")
    engine = build_engine(assistant.database_url)
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT type_name, data FROM events WHERE sender_id = :s"), {"s": sender}
        ).all()
    assert any(row.type_name == "user" and '"Bonjour"' in row.data for row in rows)
