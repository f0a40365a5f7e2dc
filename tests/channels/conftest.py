"""Fixtures for the Telegram channel: the Bot API stand-in, Telegram updates, and the
channel's blueprint running in a real Sanic server with a small echo handler."""

from __future__ import annotations

import itertools
import time
import uuid
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, AsyncIterator, Awaitable, Callable, Dict, List

import httpx
import pytest
from rasa.core.channels.channel import UserMessage
from rasa.shared.core.domain import Domain
from sanic import Sanic

from bot.channels.telegram import TelegramInput
from bot.channels.telegram_settings import POLLING, WEBHOOK, TelegramChannelSettings
from bot.config import PROJECT_ROOT
from tests.channels.bot_api_standin import BotApiStandIn
from tests.conftest import free_port

TOKEN = "123456:TEST-token_for-the-stand-in"
WEBHOOK_SECRET = "s3cret-Token_42"
CHAT_ID = 4242
LONG_TEXT_PARAGRAPH = "Lorem ipsum dolor sit amet. " * 80  # about 2240 characters
MENU_BUTTONS = [
    {"title": "Medical devices", "payload": '/inform{"sector": "medical_devices"}'},
    {"title": "Several regions", "payload": '/inform{"location": ["Wallonia", "Piedmont", "Upper Silesia", "Baden-Württemberg"]}'},
]


@pytest.fixture(autouse=True)
def sanic_test_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let one process start several Sanic apps (Sanic rewrites its request handler at the
    first start-up and, outside test mode, cannot do it a second time)."""
    monkeypatch.setattr(Sanic, "test_mode", True)


@pytest.fixture(scope="session")
def rasa_domain() -> Domain:
    return Domain.load(str(PROJECT_ROOT / "domain.yml"))


@pytest.fixture
async def standin() -> AsyncIterator[BotApiStandIn]:
    api = BotApiStandIn(TOKEN)
    await api.start()
    try:
        yield api
    finally:
        await api.stop()


@pytest.fixture
def agent(rasa_domain: Domain) -> Any:
    """A real Rasa agent without a model: the domain, its responses and an in-memory tracker store,
    which is what the channel reads from `app.ctx.agent` for its own answers."""
    from rasa.core.agent import Agent

    return Agent(domain=rasa_domain)


def channel_settings(standin: BotApiStandIn, mode: str = POLLING) -> TelegramChannelSettings:
    webhook = mode == WEBHOOK
    return TelegramChannelSettings(
        bot_token=TOKEN,
        mode=mode,
        api_base_url=standin.base_url,
        webhook_url="https://assistant.example.org/webhooks/telegram/webhook" if webhook else None,
        webhook_secret=WEBHOOK_SECRET if webhook else None,
    )


async def echo(message: UserMessage) -> None:
    """Stand-in for Rasa's message handling: answers through the message's output channel."""
    output = message.output_channel
    if message.text == "menu":
        await output.send_text_with_buttons(message.sender_id, "Which sector is your company in?", MENU_BUTTONS)
    elif message.text == "long":
        await output.send_text_message(message.sender_id, "\n\n".join([LONG_TEXT_PARAGRAPH] * 3))
    else:
        await output.send_text_message(message.sender_id, f"echo: {message.text}")


@dataclass
class RunningChannel:
    """The channel's blueprint served by a real Sanic server, and what reached the handler."""

    url: str
    channel: TelegramInput
    received: List[UserMessage] = field(default_factory=list)

    async def post_update(self, update: Dict[str, Any], secret: str | None) -> httpx.Response:
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
        async with httpx.AsyncClient() as client:
            return await client.post(f"{self.url}/webhooks/telegram/webhook", json=update, headers=headers)


@asynccontextmanager
async def serving(app: Sanic, port: int) -> AsyncIterator[None]:
    """Run a Sanic app on 127.0.0.1:`port` in this event loop, with its listeners, until exit."""
    server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False)
    await server.startup()
    await server.before_start()
    await server.after_start()
    try:
        yield
    finally:
        await server.before_stop()
        await server.close()
        await server.after_stop()


@asynccontextmanager
async def running_channel(
    channel: TelegramInput, agent: Any, respond: Callable[[UserMessage], Awaitable[None]] = echo
) -> AsyncIterator[RunningChannel]:
    """Mount the channel as Rasa does (`/webhooks/telegram`) and run the server until exit;
    `respond` stands in for Rasa's handling of each message."""
    app = Sanic(f"telegram_test_{uuid.uuid4().hex[:12]}", configure_logging=False)
    app.ctx.agent = agent
    port = free_port()
    running = RunningChannel(f"http://127.0.0.1:{port}", channel)

    async def handle(message: UserMessage) -> None:
        running.received.append(message)
        await respond(message)

    app.blueprint(channel.blueprint(handle), url_prefix="/webhooks/telegram")
    async with serving(app, port):
        yield running


# ---- Telegram updates, shaped as the Bot API sends them ----

_update_ids = itertools.count(100)


def next_update_id() -> int:
    return next(_update_ids)


def telegram_user(language_code: str | None = "de-AT", user_id: int = CHAT_ID) -> Dict[str, Any]:
    user = {"id": user_id, "is_bot": False, "first_name": "Anna", "last_name": "Muster"}
    if language_code:
        user["language_code"] = language_code
    return user


def message_update(
    update_id: int | None = None,
    text: str | None = "Hallo",
    language_code: str | None = "de-AT",
    kind: str = "message",
    chat_id: int = CHAT_ID,
    **content: Any,
) -> Dict[str, Any]:
    """An update with a private chat message (`kind` "edited_message" for an edit)."""
    message: Dict[str, Any] = {
        "message_id": 10,
        "date": int(time.time()),
        "chat": {"id": chat_id, "type": "private", "first_name": "Anna"},
        "from": telegram_user(language_code, chat_id),
        **content,
    }
    if text is not None:
        message["text"] = text
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
    if kind == "edited_message":
        message["edit_date"] = int(time.time())
    return {"update_id": update_id if update_id is not None else next_update_id(), kind: message}


STICKER = {
    "file_id": "sticker-1",
    "file_unique_id": "u-sticker-1",
    "type": "regular",
    "width": 512,
    "height": 512,
    "is_animated": False,
    "is_video": False,
    "emoji": "👍",
}


def button_press_update(sent_message: Dict[str, Any], callback_data: str, language_code: str | None = "de") -> Dict[str, Any]:
    """An update for a press on a button of `sent_message` (the bot's message as Telegram returned it)."""
    return {
        "update_id": next_update_id(),
        "callback_query": {
            "id": f"cq-{uuid.uuid4().hex[:8]}",
            "from": telegram_user(language_code, sent_message["chat"]["id"]),
            "chat_instance": "-8000000000000000001",
            "message": sent_message,
            "data": callback_data,
        },
    }
