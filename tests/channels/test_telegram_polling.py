"""Polling mode end to end: the real python-telegram-bot client, the Bot API stand-in, and the
channel running in a Sanic server with an echo handler in place of Rasa."""

from __future__ import annotations

import asyncio

import pytest
from rasa.shared.core.events import SlotSet
from rasa.shared.core.trackers import DialogueStateTracker

from bot.channels.callback_data import CALLBACK_DATA_LIMIT
from bot.channels.telegram import TelegramInput, TelegramOutput
from tests.channels.conftest import (
    CHAT_ID,
    LONG_TEXT_PARAGRAPH,
    MENU_BUTTONS,
    STICKER,
    TOKEN,
    button_press_update,
    channel_settings,
    echo,
    message_update,
    next_update_id,
    running_channel,
)


def response_text(domain, name: str, language: str) -> str:
    for variation in domain.responses[name]:
        condition = variation.get("condition") or []
        if (language == "en" and not condition) or (condition and condition[0]["value"] == language):
            return variation["text"]
    raise AssertionError(f"{name} has no {language} variation")


async def test_text_reaches_rasa_and_the_reply_reaches_the_chat(standin, agent):
    """The conversation is `telegram-<chat id>` (no other channel can choose it); the Bot API gets
    the numeric chat id back."""
    standin.queue_update(message_update(update_id=1, text="Hallo", language_code="de-AT"))
    async with running_channel(TelegramInput(channel_settings(standin)), agent) as running:
        [sent] = await standin.wait_for("sendMessage")
    assert sent.params["chat_id"] == CHAT_ID
    assert sent.params["text"] == "echo: Hallo"
    assert "parse_mode" not in sent.params  # plain text: nothing to escape
    [message] = running.received
    assert (message.text, message.sender_id, message.input_channel) == ("Hallo", f"telegram-{CHAT_ID}", "telegram")
    assert message.metadata == {"language": "de", "telegram_update_id": 1}
    assert isinstance(message.output_channel, TelegramOutput)


async def test_a_reply_held_back_by_flood_control_is_sent_after_the_wait_telegram_asks_for(standin, agent):
    standin.flood_next("sendMessage", retry_after=1)
    standin.queue_update(message_update(text="Hallo"))
    async with running_channel(TelegramInput(channel_settings(standin)), agent):
        refused, delivered = await standin.wait_for("sendMessage", count=2)
    assert refused.result is None and delivered.params == refused.params
    assert delivered.params["text"] == "echo: Hallo"
    assert delivered.received_at - refused.received_at >= 1  # the wait Telegram asked for


async def test_each_chat_is_its_own_conversation_and_replies_go_to_its_chat_id(standin, agent):
    group = -1001234567890  # groups and supergroups have negative ids
    standin.queue_update(message_update(text="from the group", chat_id=group))
    standin.queue_update(message_update(text="from Anna", chat_id=CHAT_ID))
    async with running_channel(TelegramInput(channel_settings(standin)), agent) as running:
        sent = await standin.wait_for("sendMessage", count=2)
    assert sorted((m.sender_id, m.text) for m in running.received) == [
        (f"telegram-{group}", "from the group"), (f"telegram-{CHAT_ID}", "from Anna")]
    assert sorted((c.params["chat_id"], c.params["text"]) for c in sent) == [
        (group, "echo: from the group"), (CHAT_ID, "echo: from Anna")]


async def test_polling_checks_the_token_clears_a_webhook_and_confirms_updates(standin, agent):
    standin.webhook = {"url": "https://left.over.example/hook"}
    standin.queue_update(message_update(update_id=7, text="first"))
    async with running_channel(TelegramInput(channel_settings(standin)), agent):
        await standin.wait_for("sendMessage")
        polls = await standin.wait_for("getUpdates", count=2)
    methods = [call.method for call in standin.calls]
    assert methods[:3] == ["getMe", "deleteWebhook", "getUpdates"]
    assert polls[0].params["allowed_updates"] == ["message", "edited_message", "callback_query"]
    assert polls[1].params["offset"] == 8  # update 7 confirmed


async def test_a_telegram_outage_at_start_up_is_waited_out(standin, agent, caplog):
    """Start-up is retried (the token check, then the webhook's removal) until Telegram answers."""
    standin.fail_next("getMe")
    standin.fail_next("deleteWebhook")
    standin.queue_update(message_update(text="Hallo"))
    async with running_channel(TelegramInput(channel_settings(standin)), agent):
        [sent] = await standin.wait_for("sendMessage", timeout=30)
    assert sent.params["text"] == "echo: Hallo"
    assert [call.method for call in standin.calls][:5] == ["getMe", "getMe", "deleteWebhook", "deleteWebhook",
                                                           "getUpdates"]
    assert "Could not reach Telegram (Bad Gateway); next try in 1 s." in caplog.text


async def test_a_chats_turns_keep_their_order_and_other_chats_do_not_wait(standin, agent):
    """A slow turn holds up its own chat's next message, not another chat."""
    other_chat = 5151
    other_chat_answered = asyncio.Event()

    async def slow_first_turn(message) -> None:
        if message.text == "slow":
            await asyncio.wait_for(other_chat_answered.wait(), 15)
        await echo(message)
        if message.sender_id == f"telegram-{other_chat}":
            other_chat_answered.set()

    standin.queue_update(message_update(text="slow"))
    standin.queue_update(message_update(text="next"))
    standin.queue_update(message_update(text="other", chat_id=other_chat))
    async with running_channel(TelegramInput(channel_settings(standin)), agent, slow_first_turn):
        sent = await standin.wait_for("sendMessage", count=3)
    assert [call.params["text"] for call in sent] == ["echo: other", "echo: slow", "echo: next"]


async def test_language_code_is_the_language_hint(standin, agent):
    standin.queue_update(message_update(text="ok", language_code="pl-PL"))
    standin.queue_update(message_update(text="ok", language_code=None))
    async with running_channel(TelegramInput(channel_settings(standin)), agent) as running:
        await standin.wait_for("sendMessage", count=2)
    assert running.received[0].metadata["language"] == "pl"
    assert "language" not in running.received[1].metadata


async def test_same_update_twice_is_handled_once(standin, agent):
    update = message_update(text="only once")
    standin.queue_update(update)
    standin.queue_update(update)
    standin.queue_update(message_update(text="next"))
    async with running_channel(TelegramInput(channel_settings(standin)), agent) as running:
        await standin.wait_for("sendMessage", count=2)
    assert [m.text for m in running.received] == ["only once", "next"]


async def test_edited_message_is_a_new_message(standin, agent):
    standin.queue_update(message_update(text="I need a distributer"))
    standin.queue_update(message_update(text="I need a distributor", kind="edited_message"))
    async with running_channel(TelegramInput(channel_settings(standin)), agent) as running:
        sent = await standin.wait_for("sendMessage", count=2)
    assert [m.text for m in running.received] == ["I need a distributer", "I need a distributor"]
    assert sent[1].params["text"] == "echo: I need a distributor"


async def test_buttons_become_an_inline_keyboard_and_a_press_sends_the_payload(standin, agent):
    standin.queue_update(message_update(text="menu"))
    async with running_channel(TelegramInput(channel_settings(standin)), agent) as running:
        [question] = await standin.wait_for("sendMessage")
        keyboard = question.params["reply_markup"]["inline_keyboard"]
        assert [[b["text"] for b in row] for row in keyboard] == [["Medical devices"], ["Several regions"]]
        short, long = keyboard[0][0]["callback_data"], keyboard[1][0]["callback_data"]
        assert short == MENU_BUTTONS[0]["payload"]
        assert len(MENU_BUTTONS[1]["payload"].encode()) > CALLBACK_DATA_LIMIT >= len(long.encode())

        standin.queue_update(button_press_update(question.result, long))
        [answer] = await standin.wait_for("answerCallbackQuery")
        [edit] = await standin.wait_for("editMessageReplyMarkup")
        await standin.wait_for("sendMessage", count=2)

        standin.queue_update(button_press_update(question.result, short))  # a late second tap
        await standin.wait_for("answerCallbackQuery", count=2)
    assert answer.params["callback_query_id"].startswith("cq-")
    assert edit.params["chat_id"] == CHAT_ID
    assert edit.params["message_id"] == question.result["message_id"]
    assert "reply_markup" not in edit.params  # no markup: Telegram removes the keyboard
    assert [m.text for m in running.received] == ["menu", MENU_BUTTONS[1]["payload"]]
    assert [m.sender_id for m in running.received] == [f"telegram-{CHAT_ID}"] * 2
    assert running.received[1].metadata["language"] == "de"


async def test_start_with_a_deep_link_greets_and_keeps_the_parameter(standin, agent):
    standin.queue_update(message_update(text="/start fair2025_biowin", language_code="fr-BE"))
    async with running_channel(TelegramInput(channel_settings(standin)), agent) as running:
        await standin.wait_for("sendMessage")
    [message] = running.received
    assert message.text == "/greet"
    assert message.parse_data["intent"]["name"] == "greet"
    assert message.parse_data["language_detection"]["hint"] == "fr"
    assert message.metadata["telegram_start_param"] == "fair2025_biowin"
    assert message.metadata["language"] == "fr"


async def test_language_command_goes_to_the_language_detector(standin, agent):
    standin.queue_update(message_update(text="/language de"))
    standin.queue_update(message_update(text="/language@s3martmed_test_bot"))
    async with running_channel(TelegramInput(channel_settings(standin)), agent) as running:
        await standin.wait_for("sendMessage", count=2)
    assert [(m.text, m.parse_data) for m in running.received] == [("/language de", None), ("/language", None)]


async def test_sticker_gets_a_polite_answer_in_the_users_language(standin, agent, rasa_domain):
    standin.queue_update(message_update(text=None, sticker=STICKER, language_code="fr"))
    async with running_channel(TelegramInput(channel_settings(standin)), agent) as running:
        [sent] = await standin.wait_for("sendMessage")
    assert running.received == []  # nothing for the dialogue
    assert sent.params["chat_id"] == CHAT_ID
    assert sent.params["text"] == response_text(rasa_domain, "utter_unsupported_content", "fr")


async def test_polite_answer_follows_the_conversation_language_first(standin, agent, rasa_domain):
    tracker = DialogueStateTracker.from_events(f"telegram-{CHAT_ID}", [SlotSet("language", "it")],
                                               slots=rasa_domain.slots)
    await agent.tracker_store.save(tracker)
    in_rest = DialogueStateTracker.from_events(str(CHAT_ID), [SlotSet("language", "pl")], slots=rasa_domain.slots)
    await agent.tracker_store.save(in_rest)  # a REST conversation of the same id is another one
    location = {"latitude": 45.07, "longitude": 7.69}
    standin.queue_update(message_update(text=None, location=location, language_code="de"))
    standin.queue_update(message_update(text=None, voice={"file_id": "v", "file_unique_id": "uv", "duration": 3},
                                        language_code=None))
    async with running_channel(TelegramInput(channel_settings(standin)), agent):
        sent = await standin.wait_for("sendMessage", count=2)
    italian = response_text(rasa_domain, "utter_unsupported_content", "it")
    assert [call.params["text"] for call in sent] == [italian, italian]


async def test_polite_answer_is_english_without_any_language(standin, agent, rasa_domain):
    photo = [{"file_id": "p", "file_unique_id": "up", "width": 90, "height": 90}]
    standin.queue_update(message_update(text=None, photo=photo, language_code="es"))
    async with running_channel(TelegramInput(channel_settings(standin)), agent):
        [sent] = await standin.wait_for("sendMessage")
    assert sent.params["text"] == response_text(rasa_domain, "utter_unsupported_content", "en")


async def test_long_reply_is_split_between_paragraphs(standin, agent):
    standin.queue_update(message_update(text="long"))
    async with running_channel(TelegramInput(channel_settings(standin)), agent):
        sent = await standin.wait_for("sendMessage", count=3)
    texts = [call.params["text"] for call in sent]
    assert len(texts) == 3  # each paragraph fits alone, two together would not
    assert all(len(text) <= 4096 for text in texts)
    assert "\n\n".join(texts) == "\n\n".join([LONG_TEXT_PARAGRAPH.strip()] * 3)


async def test_output_channel_is_available_while_running_for_proactive_messages(standin, agent):
    channel = TelegramInput(channel_settings(standin))
    assert channel.get_output_channel() is None
    async with running_channel(channel, agent):
        await standin.wait_for("getUpdates")
        output = channel.get_output_channel()
        await output.send_text_message(f"telegram-{CHAT_ID}", "A reminder from your cluster.")
        [sent] = await standin.wait_for("sendMessage")
        with pytest.raises(ValueError, match="not a telegram conversation"):
            await output.send_text_message(str(CHAT_ID), "A REST conversation's id is no chat.")
    assert (sent.params["chat_id"], sent.params["text"]) == (CHAT_ID, "A reminder from your cluster.")
    assert len(standin.calls_to("sendMessage")) == 1
    assert channel.get_output_channel() is None


async def test_shutdown_stops_polling_at_once(standin, agent):
    import time

    async with running_channel(TelegramInput(channel_settings(standin)), agent):
        await standin.wait_for("getUpdates")  # now held open by the stand-in for 25 s
        started = time.monotonic()
    assert time.monotonic() - started < 5
    calls = len(standin.calls)
    standin.queue_update(message_update(update_id=next_update_id(), text="after shutdown"))
    import asyncio

    await asyncio.sleep(0.5)
    assert len(standin.calls) == calls


async def test_the_bot_token_never_reaches_the_logs(standin, agent, caplog):
    """Rasa logs at INFO, and httpx logs every Bot API URL, which carries the token."""
    import logging

    caplog.set_level(logging.DEBUG)
    standin.queue_update(message_update(text="Hallo"))
    async with running_channel(TelegramInput(channel_settings(standin)), agent):
        await standin.wait_for("sendMessage")
    assert "getUpdates" in caplog.text  # the Bot API calls were logged ...
    assert TOKEN not in caplog.text  # ... without the token


async def test_a_fast_chat_is_held_back_and_told_once_in_its_language(standin, agent, rasa_domain, monkeypatch):
    """The guard of every chat channel: control characters dropped, and a chat over the rate
    limit told once to wait (in its Telegram language), its further messages dropped, others served."""
    monkeypatch.setenv("S3M_RATE_LIMIT_BURST", "2")
    monkeypatch.setenv("S3M_RATE_LIMIT_PER_MINUTE", "1")
    other_chat = 5151
    updates = [message_update(text=text, language_code="de-AT") for text in ("eins\x07\x1b[0m", "zwei", "drei", "vier")]
    updates.append(message_update(text="hello", language_code="en", chat_id=other_chat))
    for update in updates:
        standin.queue_update(update)
    async with running_channel(TelegramInput(channel_settings(standin)), agent) as running:
        await standin.wait_for("sendMessage", count=4)
        polls = await standin.wait_for("getUpdates", count=2)
    assert polls[1].params["offset"] == updates[-1]["update_id"] + 1  # the batch confirmed; handled before the stop
    sent = standin.calls_to("sendMessage")
    german = response_text(rasa_domain, "utter_too_many_messages", "de")
    assert [c.params["text"] for c in sent if c.params["chat_id"] == CHAT_ID] == ["echo: eins[0m", "echo: zwei", german]
    assert [c.params["text"] for c in sent if c.params["chat_id"] == other_chat] == ["echo: hello"]
    assert [m.text for m in running.received if m.sender_id == f"telegram-{CHAT_ID}"] == ["eins[0m", "zwei"]
    assert [m.text for m in running.received if m.sender_id == f"telegram-{other_chat}"] == ["hello"]
