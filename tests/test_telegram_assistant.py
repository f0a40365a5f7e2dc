"""Telegram end to end: the real python-telegram-bot client inside the running assistant polls a
local stand-in of the Bot API; the same conversation as over REST, in the user's language."""

from __future__ import annotations

import time

import pytest

from actions.services.responses import response_text
from tests.channels.conftest import message_update, next_update_id

CHAT_ID = 7_300_001


def sent_after(telegram, count: int) -> dict:
    """The bot's next message after `count` sendMessage calls so far (waits for it)."""
    return telegram.wait_for("sendMessage", count=count + 1)[count].params


def test_telegram_user_is_answered_in_german_and_buttons_work(assistant, domain):
    telegram = assistant.telegram
    before = len(telegram.api.calls_to("sendMessage"))

    telegram.queue_update(message_update(next_update_id(), "/start expo_biowin", "de-DE", chat_id=CHAT_ID))
    greeting = sent_after(telegram, before)
    assert greeting["chat_id"] == CHAT_ID
    assert greeting["text"] == response_text(domain, "utter_greet", "de")

    telegram.queue_update(message_update(next_update_id(), None, "de-DE", chat_id=CHAT_ID,
                                         sticker={"file_id": "s1", "file_unique_id": "u1", "type": "regular",
                                                  "width": 512, "height": 512, "is_animated": False,
                                                  "is_video": False}))
    assert sent_after(telegram, before + 1)["text"] == response_text(domain, "utter_unsupported_content", "de")

    telegram.queue_update(message_update(next_update_id(), "Wir möchten unser Unternehmen anmelden", "de-DE",
                                         chat_id=CHAT_ID))
    calls = telegram.wait_for("sendMessage", count=before + 4)
    consent = next(c for c in calls[before + 2:] if c.params.get("reply_markup"))
    keyboard = consent.params["reply_markup"]["inline_keyboard"]
    german = next(v for v in domain["responses"]["utter_ask_consent"]
                  if (v.get("condition") or [{}])[0].get("value") == "de")
    assert [row[0]["text"] for row in keyboard] == [b["title"] for b in german["buttons"]]
    assert [row[0]["callback_data"] for row in keyboard] == ["/affirm", "/deny"]

    tracker = assistant.tracker(f"telegram-{CHAT_ID}")
    assert tracker["slots"]["language"] == "de" and tracker["slots"]["requested_slot"] == "consent"
    assert tracker["latest_input_channel"] == "telegram"
    first = next(e for e in tracker["events"] if e["event"] == "user")
    assert first["metadata"].get("telegram_start_param") == "expo_biowin"


QUESTIONS = {
    "en": "what exactly is S3martMed about?",
    "de": "Worum genau geht es bei S3martMed?",
    "fr": "S3martMed, c'est quoi au juste ?",
    "it": "Di che cosa si occupa esattamente S3martMed?",
    "pl": "Na czym właściwie polega projekt S3martMed?",
}


@pytest.mark.parametrize("language", sorted(QUESTIONS))
def test_telegram_carries_the_rest_conversation_in_each_language(assistant, domain, language):
    telegram = assistant.telegram
    chat_id = CHAT_ID + 1 + sorted(QUESTIONS).index(language)
    before = len(telegram.api.calls_to("sendMessage"))
    telegram.queue_update(message_update(next_update_id(), "/start", language, chat_id=chat_id))
    assert sent_after(telegram, before)["text"] == response_text(domain, "utter_greet", language)

    telegram.queue_update(message_update(next_update_id(), QUESTIONS[language], language, chat_id=chat_id))
    answer = sent_after(telegram, before + 1)["text"]
    rest_answer = assistant.say(assistant.new_sender(), QUESTIONS[language])[0]["text"]
    assert answer == rest_answer == response_text(domain, "utter_faq/what_is_s3martmed", language)


def test_a_whole_registration_over_telegram_with_buttons(assistant):
    """Italian, typed answers and inline-keyboard presses, down to the lead the cluster receives."""
    from tests.channels.conftest import button_press_update

    telegram, chat_id = assistant.telegram, CHAT_ID + 100

    def wait_for_question(slot: str | None, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while assistant.tracker(f"telegram-{chat_id}")["slots"].get("requested_slot") != slot:
            assert time.monotonic() < deadline, f"the bot never asked for {slot}"
            time.sleep(0.5)

    def write(text: str, next_slot: str | None) -> None:
        telegram.queue_update(message_update(next_update_id(), text, "it-IT", chat_id=chat_id))
        wait_for_question(next_slot)

    def latest_keyboard() -> tuple[dict, list[str]]:
        sent = [c for c in telegram.api.calls_to("sendMessage")
                if c.params["chat_id"] == chat_id and c.params.get("reply_markup")][-1]
        return sent.result, [row[0]["callback_data"] for row in sent.params["reply_markup"]["inline_keyboard"]]

    def press(payload: str, next_slot: str | None) -> None:
        deadline = time.monotonic() + 30  # the tracker can be ahead of the message's delivery
        while payload not in latest_keyboard()[1]:
            sent = [c.params for c in telegram.api.calls_to("sendMessage") if c.params["chat_id"] == chat_id]
            assert time.monotonic() < deadline, f"no button {payload} in the last messages: {sent[-3:]}"
            time.sleep(0.5)
        telegram.queue_update(button_press_update(latest_keyboard()[0], payload, "it"))
        wait_for_question(next_slot)

    write("Buongiorno, vorremmo registrare la nostra azienda", "consent")
    press("/affirm", "company_name")
    write("Telemed Piemonte Srl", "contact_name")
    write("Giulia Bianchi", "email")
    write("giulia.bianchi@telemedpiemonte.it", "country")
    write("Novara", "employees")
    write("una trentina", "sector")
    press('/inform{"sector": "digital_health"}', "interests")
    write("cerchiamo partner", "target_regions")
    write("nessuna preferenza", "registration_confirmed")
    press("/affirm", None)

    [lead] = assistant.leads_of(f"telegram-{chat_id}")
    assert (lead["language"], lead["country"], lead["employees"], lead["sector"]) == ("it", "IT", 30, "digital_health")
    assert lead["qualified"] is True and lead["cluster"] == "biopmed"
    assert telegram.api.calls_to("answerCallbackQuery") and telegram.api.calls_to("editMessageReplyMarkup")
