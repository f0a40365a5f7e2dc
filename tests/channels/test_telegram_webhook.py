"""Webhook mode: Telegram POSTs updates to the Rasa server, proven by the secret token."""

from __future__ import annotations

from bot.channels.telegram import TelegramInput
from bot.channels.telegram_settings import WEBHOOK
from tests.channels.conftest import (
    CHAT_ID,
    WEBHOOK_SECRET,
    channel_settings,
    message_update,
    running_channel,
)


async def test_start_up_registers_the_webhook_with_its_secret(standin, agent):
    async with running_channel(TelegramInput(channel_settings(standin, WEBHOOK)), agent):
        [registration] = await standin.wait_for("setWebhook")
    assert registration.params["url"] == "https://assistant.example.org/webhooks/telegram/webhook"
    assert registration.params["secret_token"] == WEBHOOK_SECRET
    assert registration.params["allowed_updates"] == ["message", "edited_message", "callback_query"]
    assert standin.calls_to("getUpdates") == []


async def test_update_with_a_wrong_or_missing_secret_is_refused(standin, agent):
    async with running_channel(TelegramInput(channel_settings(standin, WEBHOOK)), agent) as running:
        await standin.wait_for("setWebhook")
        wrong = await running.post_update(message_update(text="forged"), secret="guessed-secret")
        missing = await running.post_update(message_update(text="forged"), secret=None)
    assert (wrong.status_code, missing.status_code) == (403, 403)
    assert running.received == []
    assert standin.calls_to("sendMessage") == []


async def test_update_with_the_right_secret_is_handled(standin, agent):
    update = message_update(text="Bonjour", language_code="fr")
    async with running_channel(TelegramInput(channel_settings(standin, WEBHOOK)), agent) as running:
        await standin.wait_for("setWebhook")
        accepted = await running.post_update(update, secret=WEBHOOK_SECRET)
        retried = await running.post_update(update, secret=WEBHOOK_SECRET)  # Telegram's retry
        [sent] = await standin.wait_for("sendMessage")
    assert (accepted.status_code, retried.status_code) == (200, 200)
    assert sent.params == {"chat_id": CHAT_ID, "text": "echo: Bonjour"}
    [message] = running.received
    assert message.sender_id == f"telegram-{CHAT_ID}"
    assert message.metadata == {"language": "fr", "telegram_update_id": update["update_id"]}


async def test_body_that_is_not_an_update_is_rejected(standin, agent):
    async with running_channel(TelegramInput(channel_settings(standin, WEBHOOK)), agent) as running:
        response = await running.post_update({"hello": "world"}, secret=WEBHOOK_SECRET)
    assert response.status_code == 400
