"""The REST channel of the contract, served by a real Sanic server: bad requests get a clear
400, a sender in another channel's namespace too, a flooding sender a 429 with a polite answer in
its conversation's language, and while the action server, the database or Redis is down an apology in the conversation's
language instead of silence or a wrong answer."""

from __future__ import annotations

import json
import threading
import uuid
from contextlib import asynccontextmanager
from http.server import BaseHTTPRequestHandler, HTTPServer
from types import SimpleNamespace
from typing import Any, AsyncIterator, Awaitable, Callable, Iterator

import httpx
import pytest
from rasa.core.actions.action import RemoteAction
from rasa.core.agent import Agent
from rasa.core.channels.channel import UserMessage
from rasa.core.lock_store import LockError
from rasa.core.processor import MessageProcessor
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.events import BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig
from sanic import Sanic
from sqlalchemy.exc import OperationalError

from actions.services.responses import response_text
from bot.action_outage import breaker
from bot.channels.inbound_guard import MAX_MESSAGE_LENGTH, TOO_MANY_MESSAGES
from bot.channels.rest import RestInput
from bot.tracker_store import ConversationStoreUnavailable
from tests.channels.conftest import serving
from tests.conftest import free_port


@asynccontextmanager
async def rest_server(agent: Any, received: list[UserMessage] | None = None,
                      dialogue: Callable[[UserMessage], Awaitable[None]] | None = None) -> AsyncIterator[str]:
    """Our REST channel mounted as Rasa mounts it, with `dialogue` or an echo in place of the
    dialogue (which appends the messages it gets to `received`)."""
    app = Sanic(f"rest_test_{uuid.uuid4().hex[:12]}", configure_logging=False)
    app.ctx.agent = agent

    async def echo(message: UserMessage) -> None:
        if received is not None:
            received.append(message)
        await message.output_channel.send_text_message(message.sender_id, f"echo: {message.text}")

    app.blueprint(RestInput().blueprint(dialogue or echo), url_prefix="/webhooks/rest")
    port = free_port()
    async with serving(app, port):
        yield f"http://127.0.0.1:{port}/webhooks/rest/webhook"


@pytest.fixture
def action_server() -> Iterator[str]:
    """A stand-in action server, as rasa-sdk answers: `/health`, and every action says "echo: <text>"."""

    class Actions(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            self.send_response(200 if self.path == "/health" else 404)
            self.end_headers()
            self.wfile.write(b'{"status": "ok"}')

        def do_POST(self) -> None:  # noqa: N802
            call = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            text = call["tracker"]["latest_message"]["text"]
            body = json.dumps({"events": [], "responses": [{"text": f"echo: {text}"}]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", free_port()), Actions)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/webhook"
    server.shutdown()


async def post(url: str, **kwargs: Any) -> httpx.Response:
    async with httpx.AsyncClient(timeout=10) as client:
        return await client.post(url, **kwargs)


@pytest.mark.parametrize(("body", "headers"), [
    (b"{not json", {"Content-Type": "application/json"}),
    (b'["a", "list"]', {"Content-Type": "application/json"}),
    (b'{"message": "hi"}', {"Content-Type": "application/json"}),
    (b'{"sender": "", "message": "hi"}', {"Content-Type": "application/json"}),
    (b'{"sender": "   ", "message": "hi"}', {"Content-Type": "application/json"}),
    (('{"sender": "' + "x" * 256 + '", "message": "hi"}').encode(), {"Content-Type": "application/json"}),
    (b'{"sender": "a", "message": 42}', {"Content-Type": "application/json"}),
    (b'{"sender": "a", "message": "hi", "metadata": ["x"]}', {"Content-Type": "application/json"}),
    (b"sender=a&message=hi", {"Content-Type": "application/x-www-form-urlencoded"}),
    (b"", {}),
])
async def test_malformed_requests_get_a_clear_400(agent, body: bytes, headers: dict) -> None:
    async with rest_server(agent) as url:
        response = await post(url, content=body, headers=headers)
    assert response.status_code == 400
    error = response.json()["error"]  # says what to send instead
    assert any(word in error for word in ("`sender`", "`message`", "`metadata`", "JSON")), error


async def test_awkward_but_valid_messages_reach_the_dialogue(agent) -> None:
    texts = {"": "", "   ": "", "😀😀😀": "😀😀😀", "مرحبا، هل تتحدث العربية؟": "مرحبا، هل تتحدث العربية؟",
             "<script>alert(1)</script>": "<script>alert(1)</script>",
             "'; DROP TABLE events; --": "'; DROP TABLE events; --",
             "ctrl\x01\x07chars\x1b[0m": "ctrlchars[0m", "nul\x00byte": "nulbyte", "two\nlines": "two\nlines"}
    received: list[UserMessage] = []
    async with rest_server(agent, received) as url:
        for text, seen in texts.items():
            response = await post(url, json={"sender": "sme-1", "message": text})
            assert response.status_code == 200, text
            assert response.json()[0]["text"] == f"echo: {seen}".strip()
        long = await post(url, json={"sender": "sme-2", "message": "a" * (MAX_MESSAGE_LENGTH + 5000)})
    assert long.json()[0]["text"] == "echo: " + "a" * MAX_MESSAGE_LENGTH
    assert [m.text for m in received[:len(texts)]] == list(texts.values())  # what the dialogue saw


@pytest.mark.parametrize("sender", ["telegram-4242", "widget-3f2a9c0e", "Telegram-4242", "WIDGET-x"])
async def test_a_sender_in_another_channels_namespace_is_refused(agent, sender: str) -> None:
    """`telegram-<chat id>` is a Telegram chat's conversation, `widget-<session>` a widget's: a REST
    client choosing such a sender would write into (or erase) someone else's conversation."""
    received: list[UserMessage] = []
    async with rest_server(agent, received) as url:
        response = await post(url, json={"sender": sender, "message": "delete my data"})
    assert response.status_code == 400
    assert "reserved" in response.json()["error"] and "`sender`" in response.json()["error"]
    assert received == []  # nothing reached the dialogue


async def test_other_senders_are_kept_exactly_as_sent(agent) -> None:
    """The contract: the sender is the conversation id (`GET /conversations/{sender}/tracker`)."""
    senders = ["4242", "telegram", "telegram_4242", "my-telegram-4242", "widget", "sme-1"]
    received: list[UserMessage] = []
    async with rest_server(agent, received) as url:
        codes = [(await post(url, json={"sender": sender, "message": "hi"})).status_code for sender in senders]
    assert codes == [200] * len(senders)
    assert [(m.sender_id, m.input_channel) for m in received] == [(sender, "rest") for sender in senders]


async def test_a_flooding_sender_is_slowed_down_told_once_in_its_language_and_others_are_not(
    agent, rasa_domain, monkeypatch
) -> None:
    monkeypatch.setenv("S3M_RATE_LIMIT_BURST", "3")
    monkeypatch.setenv("S3M_RATE_LIMIT_PER_MINUTE", "1")
    await agent.tracker_store.save(DialogueStateTracker.from_events("flood", [SlotSet("language", "fr")]))
    received: list[UserMessage] = []
    async with rest_server(agent, received) as url:
        answers = [await post(url, json={"sender": "flood", "message": f"hi {n}"}) for n in range(5)]
        other = await post(url, json={"sender": "calm", "message": "hi", "metadata": {"language": "it"}})
    assert [a.status_code for a in answers] == [200, 200, 200, 429, 429]
    assert answers[3].headers["Retry-After"] == "10"
    french = response_text(rasa_domain.as_dict(), TOO_MANY_MESSAGES, "fr")
    assert [m["text"] for m in answers[3].json()] == [french]  # the polite answer, once
    assert answers[4].json() == []
    assert other.status_code == 200 and other.json()[0]["text"] == "echo: hi"
    assert [(m.sender_id, m.text) for m in received] == [("flood", "hi 0"), ("flood", "hi 1"), ("flood", "hi 2"),
                                                         ("calm", "hi")]


def custom_action_turn(agent: Agent) -> Callable[[UserMessage], Awaitable[None]]:
    """Rasa's turn, in short: one custom action on the agent's action server, its answers, the save."""

    async def turn(message: UserMessage) -> None:
        tracker = await agent.tracker_store.get_or_create_tracker(message.sender_id)
        tracker.update(UserUttered(message.text))
        events = await RemoteAction("action_echo", agent.action_endpoint).run(
            message.output_channel, agent.nlg, tracker, agent.domain)
        for event in events:
            tracker.update(event)
            if isinstance(event, BotUttered):
                await message.output_channel.send_response(message.sender_id, event.message())
        await MessageProcessor.save_tracker(SimpleNamespace(tracker_store=agent.tracker_store), tracker)

    return turn


async def test_while_the_action_server_is_down_the_sme_gets_an_apology_in_its_language(
    agent, rasa_domain, action_server
) -> None:
    apology = {language: response_text(rasa_domain.as_dict(), "utter_actions_unavailable", language)
               for language in ("de", "it")}
    agent.action_endpoint = EndpointConfig(url=f"http://127.0.0.1:{free_port()}/webhook")  # nothing listens
    await agent.tracker_store.save(DialogueStateTracker.from_events("anna", [SlotSet("language", "de")]))
    stored = len((await agent.tracker_store.retrieve("anna")).events)
    breaker.open = False
    async with rest_server(agent, dialogue=custom_action_turn(agent)) as url:
        german = (await post(url, json={"sender": "anna", "message": "ja"})).json()  # the turn finds no server
        italian = (await post(url, json={"sender": "new", "message": "sì", "metadata": {"language": "it"}})).json()
        agent.action_endpoint = EndpointConfig(url=action_server)  # back
        resumed = (await post(url, json={"sender": "anna", "message": "ja"})).json()
        later = (await post(url, json={"sender": "anna", "message": "noch da?"})).json()
    assert [m["text"] for m in german] == [apology["de"]]
    assert [m["text"] for m in italian] == [apology["it"]]  # the open breaker's /health probe
    assert [m["text"] for m in resumed] == ["echo: ja"] and [m["text"] for m in later] == ["echo: noch da?"]
    assert not breaker.open
    events = (await agent.tracker_store.retrieve("anna")).events
    assert [e.text for e in list(events)[stored:] if isinstance(e, UserUttered)] == ["ja", "noch da?"]  # the failed "ja" was not kept


class UnreachableDatabase(InMemoryTrackerStore):
    """A conversation store whose database is down; its errors quote the query's parameters, as SQLAlchemy's do."""

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        raise OperationalError("SELECT data FROM events WHERE sender_id = %(id)s", {"id": sender_id},
                               ConnectionRefusedError())

    async def save(self, tracker: DialogueStateTracker) -> None:
        raise OperationalError("INSERT INTO events ...", {"sender_id": tracker.sender_id}, ConnectionRefusedError())


async def test_without_the_database_rasa_raises_instead_of_starting_a_new_conversation(rasa_domain) -> None:
    """Rasa alone would answer from a new, empty tracker and keep the turn in memory; our channels'
    package makes its fail-safe store raise (bot.rasa_runtime, installed on importing bot.channels)."""
    agent = Agent(domain=rasa_domain, tracker_store=UnreachableDatabase(rasa_domain))

    with pytest.raises(ConversationStoreUnavailable) as read:
        await agent.tracker_store.get_or_create_tracker("anna")
    with pytest.raises(ConversationStoreUnavailable):
        await agent.tracker_store.save(DialogueStateTracker.from_events("anna", []))
    assert "anna" not in str(read.value)


async def test_while_the_database_or_redis_is_down_the_sme_gets_the_apology_alone(
    rasa_domain, caplog: pytest.LogCaptureFixture
) -> None:
    agent = Agent(domain=rasa_domain, tracker_store=UnreachableDatabase(rasa_domain))

    async def turn(message: UserMessage) -> None:
        """Rasa's turn, in short: the conversation's lock, its answers, the save of its events."""
        if message.text == "no lock":
            raise LockError("Redis unreachable")
        await message.output_channel.send_text_message(message.sender_id, "an answer that is not kept")
        await agent.tracker_store.save(DialogueStateTracker.from_events(message.sender_id, []))

    async with rest_server(agent, dialogue=turn) as url:
        database_down = (await post(url, json={"sender": "anna", "message": "ja", "metadata": {"language": "de"}}))
        redis_down = (await post(url, json={"sender": "marco", "message": "no lock", "metadata": {"language": "it"}}))

    apology = rasa_domain.as_dict()
    assert database_down.status_code == redis_down.status_code == 200
    assert [m["text"] for m in database_down.json()] == [response_text(apology, "utter_actions_unavailable", "de")]
    assert [m["text"] for m in redis_down.json()] == [response_text(apology, "utter_actions_unavailable", "it")]
    assert "anna" not in caplog.text and "marco" not in caplog.text  # conversations are named by a hash
