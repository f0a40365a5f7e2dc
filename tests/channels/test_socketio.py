"""The widget's Socket.IO channel, served by a real Sanic server and talked to by python-socketio's
client: a widget session is the conversation `widget-<session id>` (a REST client cannot choose
it), and the socket still receives the replies, with or without session persistence."""

from __future__ import annotations

import asyncio
import uuid
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator

import pytest
import socketio
from rasa.core.channels.channel import UserMessage
from sanic import Sanic

from actions.services.responses import response_text
from bot.channels.inbound_guard import TOO_MANY_MESSAGES
from bot.channels.socketio import SocketIOInput
from tests.channels.conftest import serving
from tests.conftest import free_port

REPLY_TIMEOUT = 10.0


class WidgetClient:
    """A Socket.IO client speaking to the channel as the widget does (`widget/src`)."""

    def __init__(self) -> None:
        self.sio = socketio.AsyncClient(reconnection=False)
        self.replies: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.confirmed: asyncio.Queue[str] = asyncio.Queue()
        self.sio.on("bot_uttered", self.replies.put)
        self.sio.on("session_confirm", self.confirmed.put)

    async def start_session(self, session_id: str | None) -> str:
        await self.sio.emit("session_request", {"session_id": session_id})
        return await asyncio.wait_for(self.confirmed.get(), REPLY_TIMEOUT)

    async def say(self, message: Any, session_id: str, language: str | None = None) -> None:
        """Send a message and return once the server has handled it (the event's acknowledgement)."""
        metadata = {"language": language} if language else {}
        await self.sio.call("user_uttered", {"message": message, "session_id": session_id, "metadata": metadata},
                            timeout=REPLY_TIMEOUT)

    async def reply(self) -> dict[str, Any]:
        return await asyncio.wait_for(self.replies.get(), REPLY_TIMEOUT)


@asynccontextmanager
async def widget_channel(
    session_persistence: bool, agent: Any = None
) -> AsyncIterator[tuple[str, SocketIOInput, list[UserMessage]]]:
    """The channel as credentials.yml configures it, mounted as Rasa mounts it, with an echo
    in place of the dialogue (and `agent` as the server's, for the channel's own answers);
    yields the server's URL, the channel and what reached the echo."""
    channel = SocketIOInput(session_persistence=session_persistence)
    received: list[UserMessage] = []

    async def echo(message: UserMessage) -> None:
        received.append(message)
        await message.output_channel.send_text_message(message.sender_id, f"echo: {message.text}")

    app = Sanic(f"socketio_test_{uuid.uuid4().hex[:12]}", configure_logging=False)
    app.ctx.agent = agent
    app.blueprint(channel.blueprint(echo), url_prefix="/webhooks/socketio")
    # A polling client that leaves waits for its last poll, which the server answers only after
    # ping interval + ping timeout (45 s by default): short ones let each test end at once.
    channel.sio.eio.ping_interval = channel.sio.eio.ping_timeout = 0.5
    port = free_port()
    async with serving(app, port):
        yield f"http://127.0.0.1:{port}", channel, received


@asynccontextmanager
async def connected(url: str) -> AsyncIterator[WidgetClient]:
    """A connected client. It uses long polling, the widget's fallback (python-engineio's WebSocket
    client needs a newer aiohttp than Rasa 3.6 allows)."""
    client = WidgetClient()
    await client.sio.connect(url, socketio_path="/socket.io", transports=["polling"], wait_timeout=REPLY_TIMEOUT)
    try:
        yield client
    finally:
        await client.sio.disconnect()


async def test_a_widget_session_is_its_own_conversation_and_the_socket_gets_the_reply() -> None:
    async with widget_channel(session_persistence=True) as (url, channel, received):
        async with connected(url) as widget, connected(url) as other_widget:
            session = await widget.start_session("3f2a9c0e")
            await other_widget.start_session("another-session")
            await widget.sio.emit("user_uttered", {"message": "Hallo", "session_id": session,
                                                   "metadata": {"language": "de"}})
            reply = await widget.reply()
            await channel.get_output_channel().send_text_message("widget-3f2a9c0e", "A proactive reminder.")
            proactive = await widget.reply()
            with pytest.raises(ValueError, match="not a widget conversation"):
                await channel.get_output_channel().send_text_message("3f2a9c0e", "A REST conversation's id.")
            await other_widget.say("me too", "another-session")
            others_first = await other_widget.reply()  # anything meant for it came before its own echo
    assert session == "3f2a9c0e"  # the widget keeps its session id; only the conversation is namespaced
    message, _ = received
    assert (message.sender_id, message.text, message.input_channel) == ("widget-3f2a9c0e", "Hallo", "socketio")
    assert message.metadata == {"language": "de"}
    assert reply == {"text": "echo: Hallo"}
    assert proactive == {"text": "A proactive reminder."}
    assert others_first == {"text": "echo: me too"}  # another session heard nothing of the first one


async def test_a_new_session_gets_an_id_of_its_own() -> None:
    async with widget_channel(session_persistence=True) as (url, channel, received):
        async with connected(url) as widget:
            session = await widget.start_session(None)
            await widget.sio.emit("user_uttered", {"message": "hi", "session_id": session})
            reply = await widget.reply()
    assert session and not session.startswith("widget-")
    assert [m.sender_id for m in received] == [f"widget-{session}"]
    assert reply == {"text": "echo: hi"}


async def test_without_session_persistence_the_socket_is_the_conversation() -> None:
    async with widget_channel(session_persistence=False) as (url, channel, received):
        async with connected(url) as widget:
            await widget.sio.emit("user_uttered", {"message": "hi"})
            reply = await widget.reply()
            sid = widget.sio.get_sid()
    assert [m.sender_id for m in received] == [f"widget-{sid}"]
    assert reply == {"text": "echo: hi"}


async def test_the_widget_passes_the_guard_of_every_channel(agent, rasa_domain, monkeypatch) -> None:
    """Control characters are dropped, any non-text is no text, and a fast session is held back
    and told once, in its language."""
    monkeypatch.setenv("S3M_RATE_LIMIT_BURST", "3")
    monkeypatch.setenv("S3M_RATE_LIMIT_PER_MINUTE", "1")
    async with widget_channel(session_persistence=True, agent=agent) as (url, channel, received):
        async with connected(url) as widget, connected(url) as calm_widget:
            session = await widget.start_session("fast-session")
            calm = await calm_widget.start_session("calm-session")
            for message in ("ja\x07\x1b[1m bitte", {"not": "text"}, "drei"):
                await widget.say(message, session, language="de")
            replies = [await widget.reply() for _ in range(3)]
            await widget.say("vier", session, language="de")
            told = await widget.reply()
            await widget.say("fünf", session, language="de")
            await calm_widget.say("hi", calm)
            calm_reply = await calm_widget.reply()
            assert widget.replies.empty()  # the fifth message was handled (acknowledged) in silence
    assert [(m.sender_id, m.text) for m in received] == [
        ("widget-fast-session", "ja[1m bitte"), ("widget-fast-session", ""), ("widget-fast-session", "drei"),
        ("widget-calm-session", "hi")]
    assert [r["text"] for r in replies] == ["echo: ja[1m bitte", "echo:", "echo: drei"]
    assert told == {"text": response_text(rasa_domain.as_dict(), TOO_MANY_MESSAGES, "de")}
    assert calm_reply == {"text": "echo: hi"}
