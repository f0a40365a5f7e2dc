"""The guard of every chat channel in the running assistant (REST, the widget's Socket.IO,
Telegram): a sender over the rate limit is told once, in its conversation's language, to wait,
and its further messages never reach the conversation.

This module starts an assistant of its own with a small limit (3 messages at once, then 1 a
minute): the session's assistant has a limit no test reaches.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest
import socketio

from actions.services.responses import response_text
from tests.channels.conftest import STICKER, message_update, next_update_id
from tests.conftest import Assistant, running_assistant

BURST = 3
FLOOD = 8
TIMEOUT = 120.0


@pytest.fixture(scope="module")
def strict_assistant(trained_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    with running_assistant(tmp_path_factory.mktemp("strict_assistant"),
                           S3M_RATE_LIMIT_BURST=str(BURST), S3M_RATE_LIMIT_PER_MINUTE="1") as started:
        yield started


def user_messages(assistant: Assistant, conversation: str) -> list[str]:
    return [e["text"] for e in assistant.tracker(conversation)["events"] if e["event"] == "user"]


def test_rest_sender_over_the_limit_gets_a_429_with_the_polite_answer_in_its_language(strict_assistant, domain):
    sender = strict_assistant.new_sender()
    strict_assistant.say(sender, "Guten Tag, was ist S3martMed eigentlich?")

    def post(n: int) -> httpx.Response:
        return httpx.post(f"{strict_assistant.rasa_url}/webhooks/rest/webhook",
                          json={"sender": sender, "message": f"Und noch eine Frage {n}"}, timeout=TIMEOUT)

    with ThreadPoolExecutor(FLOOD) as pool:
        answers = list(pool.map(post, range(FLOOD)))
    admitted = [a for a in answers if a.status_code == 200]
    refused = [a for a in answers if a.status_code == 429]
    assert len(admitted) + len(refused) == FLOOD
    assert len(admitted) == BURST - 1  # the greeting took one message of the burst
    german = response_text(domain, "utter_too_many_messages", "de")
    assert sorted(([m["text"] for m in a.json()] for a in refused), key=len) == [[]] * (len(refused) - 1) + [[german]]
    assert len(user_messages(strict_assistant, sender)) == 1 + len(admitted)  # refused ones left no trace
    assert strict_assistant.tracker(sender)["slots"]["language"] == "de"


async def _widget_flood(rasa_url: str, first: str, flood: str, polite: str) -> tuple[str, list[str]]:
    """Open a widget session, say `first` and wait for the answer, then send FLOOD messages at once;
    returns the session id and the texts received until the `polite` answer."""
    client = socketio.AsyncClient(reconnection=False)
    replies: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    confirmed: asyncio.Queue[str] = asyncio.Queue()
    client.on("bot_uttered", replies.put)
    client.on("session_confirm", confirmed.put)
    await client.connect(rasa_url, socketio_path="/socket.io", transports=["polling"], wait_timeout=30)
    try:
        await client.emit("session_request", {"session_id": None})
        session = await asyncio.wait_for(confirmed.get(), 30)
        await client.emit("user_uttered", {"message": first, "session_id": session})
        texts = [(await asyncio.wait_for(replies.get(), TIMEOUT)).get("text")]
        for n in range(FLOOD):
            await client.emit("user_uttered", {"message": f"{flood} {n}", "session_id": session})
        while texts[-1] != polite:
            texts.append((await asyncio.wait_for(replies.get(), TIMEOUT)).get("text"))
        return session, texts
    finally:
        await client.disconnect()


async def test_widget_session_over_the_limit_is_told_in_its_language(strict_assistant, domain):
    french = response_text(domain, "utter_too_many_messages", "fr")
    session, texts = await _widget_flood(strict_assistant.rasa_url, "Bonjour, qu'est-ce que S3martMed exactement ?",
                                         "Encore une question", french)
    assert texts.count(french) == 1
    conversation = f"widget-{session}"
    assert len(user_messages(strict_assistant, conversation)) <= BURST
    assert strict_assistant.tracker(conversation)["slots"]["language"] == "fr"


def test_telegram_chat_over_the_limit_is_told_once_in_its_language(strict_assistant, domain):
    telegram, chat = strict_assistant.telegram, 7_300_077
    german = response_text(domain, "utter_too_many_messages", "de")
    before = len(telegram.api.calls_to("sendMessage"))
    # A chat's updates are handled in order, each turn before the next starts: the flood is larger
    # than the burst plus what the limit refills (1 a minute) while they run.
    updates = [message_update(next_update_id(), f"Noch eine Frage {n}", "de-DE", chat_id=chat) for n in range(FLOOD)]
    # A sticker last: its answer (the guard is for texts) comes once the flood before it was handled.
    updates.append(message_update(next_update_id(), None, "de-DE", chat_id=chat, sticker=STICKER))
    for update in updates:
        telegram.queue_update(update)
    unsupported = response_text(domain, "utter_unsupported_content", "de")

    def to_chat() -> list[str]:
        return [c.params["text"] for c in telegram.api.calls_to("sendMessage")[before:] if c.params["chat_id"] == chat]

    sent = before
    while unsupported not in to_chat():
        sent = len(telegram.wait_for("sendMessage", count=sent + 1, timeout=TIMEOUT))
    assert to_chat().count(german) == 1
    assert to_chat()[-2:] == [german, unsupported]  # told at the first refused message, silence after it
    assert len(user_messages(strict_assistant, f"telegram-{chat}")) == BURST
