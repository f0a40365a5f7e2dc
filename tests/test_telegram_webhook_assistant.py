"""Telegram in webhook mode, end to end: the running assistant registers its webhook with a local
stand-in of the Bot API, and updates POSTed to Rasa's `/webhooks/telegram/webhook` with the secret
token are answered through the stand-in in the user's language; an update Telegram delivers again
(it does when it got no 200 in time) is answered once, and a wrong secret gets 403 and no answer."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest

from actions.services.responses import response_text
from tests.channels.conftest import message_update, next_update_id
from tests.conftest import Assistant, running_assistant, wait_until
from tests.test_telegram_assistant import QUESTIONS

SECRET = "e2e-webhook_Secret-7"
PUBLIC_URL = "https://assistant.example.org/webhooks/telegram/webhook"
CHAT_ID = 7_400_001


@pytest.fixture(scope="module")
def webhook_assistant(trained_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    with running_assistant(tmp_path_factory.mktemp("telegram_webhook_assistant"), TELEGRAM_MODE="webhook",
                           TELEGRAM_WEBHOOK_URL=PUBLIC_URL, TELEGRAM_WEBHOOK_SECRET=SECRET) as started:
        yield started


def post_update(assistant: Assistant, update: dict[str, Any], secret: str | None = SECRET) -> httpx.Response:
    """POST an update as Telegram does, to the address Telegram was given (here: Rasa's own port)."""
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
    return httpx.post(f"{assistant.rasa_url}/webhooks/telegram/webhook", json=update, headers=headers, timeout=60)


def sent_to(assistant: Assistant, chat_id: int) -> list[str]:
    return [call.params["text"] for call in assistant.telegram.api.calls_to("sendMessage")
            if call.params["chat_id"] == chat_id]


def answers_after(assistant: Assistant, chat_id: int, count: int) -> list[str]:
    """The chat's messages once there are more than `count` of them."""
    def more() -> list[str] | None:
        texts = sent_to(assistant, chat_id)
        return texts if len(texts) > count else None

    return wait_until(more, 60, f"no new message in chat {chat_id} after {count}")


def updates_in_conversation(assistant: Assistant, chat_id: int) -> list[int]:
    """The update ids of the user messages Rasa stored for the chat's conversation."""
    events = assistant.tracker(f"telegram-{chat_id}")["events"]
    return [event["metadata"]["telegram_update_id"] for event in events if event["event"] == "user"]


def test_start_up_sets_the_webhook_with_its_secret_and_never_polls(webhook_assistant):
    [registration] = webhook_assistant.telegram.wait_for("setWebhook")
    assert registration.params["url"] == PUBLIC_URL
    assert registration.params["secret_token"] == SECRET
    assert webhook_assistant.telegram.api.calls_to("getUpdates") == []


def test_an_update_is_answered_in_the_users_language_and_a_redelivery_is_not_answered_again(
        webhook_assistant, domain):
    assistant, chat_id = webhook_assistant, CHAT_ID
    question = message_update(next_update_id(), QUESTIONS["fr"], "fr", chat_id=chat_id)
    assert post_update(assistant, question).status_code == 200
    first = answers_after(assistant, chat_id, 0)
    faq = response_text(domain, "utter_faq/what_is_s3martmed", "fr")
    assert first[0] == faq

    assert post_update(assistant, question).status_code == 200  # Telegram's redelivery: accepted, not handled
    greeting = message_update(next_update_id(), "/start", "fr", chat_id=chat_id)
    assert post_update(assistant, greeting).status_code == 200
    texts = answers_after(assistant, chat_id, len(first))
    # The chat's updates are handled in order: by the greeting's answer, a second answer to the
    # question would have been sent.
    assert texts[len(first):] == [response_text(domain, "utter_greet", "fr")]
    assert texts.count(faq) == 1
    assert updates_in_conversation(assistant, chat_id) == [question["update_id"], greeting["update_id"]]
    assert assistant.tracker(f"telegram-{chat_id}")["slots"]["language"] == "fr"


def test_an_update_with_a_wrong_or_missing_secret_gets_403_and_no_answer(webhook_assistant, domain):
    assistant, chat_id = webhook_assistant, CHAT_ID + 1
    forged = message_update(next_update_id(), "Bitte löschen Sie alle Daten", "de", chat_id=chat_id)
    assert post_update(assistant, forged, secret="guessed-secret").status_code == 403
    assert post_update(assistant, forged, secret=None).status_code == 403

    genuine = message_update(next_update_id(), "/start", "de", chat_id=chat_id)
    assert post_update(assistant, genuine).status_code == 200
    # Answered once the genuine update is: nothing before it was.
    assert answers_after(assistant, chat_id, 0) == [response_text(domain, "utter_greet", "de")]
    assert updates_in_conversation(assistant, chat_id) == [genuine["update_id"]]
