"""Telegram channel of the assistant, built on python-telegram-bot.

Register it in `credentials.yml` as `bot.channels.telegram.TelegramInput:`. Its
settings come from the environment through `bot.config` (`TELEGRAM_*`, see
`docs/telegram.md`); without `TELEGRAM_BOT_TOKEN` it is inert: it mounts only
its status route and never contacts Telegram.

Updates arrive either by long polling (`TELEGRAM_MODE=polling`, the default,
started with the Rasa server) or by webhook (`TELEGRAM_MODE=webhook`: Telegram
POSTs to `/webhooks/telegram/webhook`, authenticated by the secret token it
was given in `setWebhook`); python-telegram-bot's Application receives them either
way (bot.channels.telegram_application). `bot.channels.telegram_updates` turns
them into user messages of the conversation `telegram-<chat id>`
(bot.conversation_ids), which pass the guard of every chat channel
(bot.channels.inbound_guard: control characters dropped, length cut, rate limit
with a polite answer); replies go out through :class:`TelegramOutput`,
to the chat id again, as plain text (no parse mode, so no escaping), cut at 4096
characters, with Rasa's buttons as an inline keyboard.
"""

from __future__ import annotations

import hmac
import logging
from datetime import timedelta
from typing import Any, Awaitable, Callable, Dict, List

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.shared.exceptions import RasaException
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError

from bot.channels.callback_data import CallbackDataStore
from bot.channels.domain_responses import DomainResponder
from bot.channels.inbound_guard import InboundGuard
from bot.channels.message_splitting import split_text
from bot.channels.outage_guard import OutageGuard
from bot.channels.recent_keys import RecentKeys
from bot.channels.telegram_application import LONG_POLL, TelegramConnection
from bot.channels.telegram_settings import (
    WEBHOOK,
    TelegramChannelSettings,
    TelegramConfigurationError,
)
from bot.channels.telegram_updates import INPUT_CHANNEL, TelegramUpdateHandler
from bot.config import load_settings
from bot.conversation_ids import TELEGRAM, raw_id
from bot.log_redaction import conversation_hash, hide_in_logs, redact

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
"""Header in which Telegram repeats the webhook's `secret_token` with every update."""


class TelegramDeliveryError(RasaException):
    """Telegram did not accept a message of the bot."""


class TelegramOutput(OutputChannel):
    """Sends the assistant's replies to a Telegram chat.

    `recipient_id` is the conversation id, `telegram-<chat id>`; the Bot API gets the chat id.
    Any other id raises ValueError: a REST conversation named like a chat id is not that chat.
    """

    def __init__(self, bot: Bot, callback_data: CallbackDataStore) -> None:
        self._bot = bot
        self._callback_data = callback_data

    @classmethod
    def name(cls) -> str:
        """Name of the channel, also the one responses' `channel:` variations use."""
        return INPUT_CHANNEL

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """Send a text, in several messages when it is longer than Telegram allows."""
        chat_id = chat_id_of(recipient_id)
        for piece in split_text(text):
            await self._call("send_message", chat_id=chat_id, text=piece)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        """Send a text with Rasa's buttons as an inline keyboard, one button per row.

        The keyboard goes with the last piece of a long text.
        """
        chat_id = chat_id_of(recipient_id)
        pieces = split_text(text)
        if not pieces:
            logger.warning("Buttons without a text cannot be sent to Telegram; dropped: %s", buttons)
            return
        for piece in pieces[:-1]:
            await self._call("send_message", chat_id=chat_id, text=piece)
        await self._call("send_message", chat_id=chat_id, text=pieces[-1], reply_markup=self.keyboard(buttons))

    def keyboard(self, buttons: List[Dict[str, Any]]) -> InlineKeyboardMarkup:
        """An inline keyboard for Rasa buttons (`title` plus `payload`, or `url`)."""
        rows = []
        for button in buttons:
            title = str(button.get("title") or button.get("payload") or button.get("url") or "?")
            if button.get("url"):
                rows.append([InlineKeyboardButton(title, url=button["url"])])
            else:
                payload = str(button.get("payload") or title)
                rows.append([InlineKeyboardButton(title, callback_data=self._callback_data.callback_data_for(payload))])
        return InlineKeyboardMarkup(rows)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        """Send an image by its URL (Telegram fetches it)."""
        await self._call("send_photo", chat_id=chat_id_of(recipient_id), photo=image)

    async def send_attachment(self, recipient_id: str, attachment: Any, **kwargs: Any) -> None:
        """Send an attachment given by URL as a document."""
        if isinstance(attachment, str):
            await self._call("send_document", chat_id=chat_id_of(recipient_id), document=attachment)
        else:
            logger.warning("Attachment %r has no URL; not sent to Telegram.", attachment)

    async def send_custom_json(self, recipient_id: str, json_message: Dict[str, Any], **kwargs: Any) -> None:
        """Ignore custom payloads: they are meant for other channels (Rasa would post them as raw JSON)."""
        logger.debug("Custom payload not sent to Telegram conversation %s (%d keys).", conversation_hash(recipient_id),
                     len(json_message))

    async def _call(self, method: str, **params: Any) -> Any:
        """Call a Bot API method; the bot's rate limiter has waited out flood control already."""
        try:
            return await getattr(self._bot, method)(**params)
        except TelegramError as error:
            raise TelegramDeliveryError(f"Telegram refused {method}: {redact(str(error), [self._bot.token])}") from error


def chat_id_of(conversation: str) -> str:
    """The Telegram chat id of a conversation `telegram-<chat id>` (ValueError for any other id)."""
    return raw_id(TELEGRAM, conversation)


class TelegramInput(InputChannel):
    """Receives Telegram updates by long polling or webhook (see the module docstring)."""

    @classmethod
    def name(cls) -> str:
        """URL prefix (`/webhooks/telegram/`) and `input_channel` of the conversations."""
        return INPUT_CHANNEL

    @classmethod
    def from_credentials(cls, credentials: Dict[str, Any] | None) -> TelegramInput:
        """Build the channel from the TELEGRAM_* settings (see interface `InputChannel`).

        Raises:
            TelegramConfigurationError: `credentials.yml` holds values (secrets belong in the
                environment), or the settings are incomplete for the chosen mode.
        """
        if credentials:
            raise TelegramConfigurationError(
                "Configure the Telegram channel with TELEGRAM_* environment variables, not in "
                f"credentials.yml (found: {', '.join(sorted(credentials))}); see docs/telegram.md."
            )
        settings = TelegramChannelSettings.from_settings(load_settings())
        if settings is None:
            logger.info("Telegram channel off: TELEGRAM_BOT_TOKEN is not set.")
        return cls(settings)

    def __init__(self, settings: TelegramChannelSettings | None, long_poll: timedelta = LONG_POLL) -> None:
        """Create the channel; `settings` None makes it inert."""
        self.settings = settings
        if settings is not None:
            hide_in_logs(settings.bot_token, settings.webhook_secret)
        self._long_poll = long_poll
        self._callback_data = CallbackDataStore()
        self._seen_updates = RecentKeys()
        self._pressed_keyboards = RecentKeys()
        self._connection: TelegramConnection | None = None
        self._output: TelegramOutput | None = None

    @property
    def enabled(self) -> bool:
        return self.settings is not None

    def get_output_channel(self) -> TelegramOutput | None:
        """The output channel while the server runs (see interface `InputChannel`)."""
        return self._output

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Routes `/` (status) and, in webhook mode, `/webhook`; starts and stops with the server."""
        telegram = Blueprint("s3m_telegram")

        @telegram.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            if not self.enabled:
                return response.json({"status": "disabled"})
            return response.json({"status": "ok", "mode": self.settings.mode})

        if not self.enabled:
            return telegram

        if self.settings.mode == WEBHOOK:

            @telegram.route("/webhook", methods=["POST"])
            async def webhook(request: Request) -> HTTPResponse:
                return await self._receive_webhook(request)

        @telegram.listener("after_server_start")
        async def connect(app: Sanic, _loop: Any) -> None:
            self._connect(app, on_new_message)

        @telegram.listener("before_server_stop")
        async def disconnect(_app: Sanic, _loop: Any) -> None:
            await self._disconnect()

        return telegram

    def _connect(self, app: Sanic, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        """Create the Application inside the server's event loop and start receiving updates."""
        self._connection = TelegramConnection(self.settings, self._long_poll)
        bot = self._connection.bot
        self._output = TelegramOutput(bot, self._callback_data)
        responder = DomainResponder(lambda: getattr(app.ctx, "agent", None), TelegramOutput.name())
        inbound = InboundGuard(TelegramOutput.name())  # clean text, rate limit: as every chat channel
        inbound.attach_app(app)
        guard = OutageGuard(TelegramOutput.name())  # an apology while a server the turn needs is down
        guard.attach_app(app)
        handler = TelegramUpdateHandler(
            bot,
            self._output,
            inbound.wrap(guard.wrap(on_new_message)),
            self._callback_data,
            responder,
            self._seen_updates,
            self._pressed_keyboards,
        )
        self._connection.start(handler.handle)

    async def _disconnect(self) -> None:
        if self._connection is not None:
            await self._connection.stop()
        self._connection = self._output = None

    async def _receive_webhook(self, request: Request) -> HTTPResponse:
        """Queue one update POSTed by Telegram for the Application, after checking the secret token."""
        sent_secret = (request.headers.get(SECRET_HEADER) or "").encode("utf-8")
        if not hmac.compare_digest(sent_secret, self.settings.webhook_secret.encode("utf-8")):
            return response.json({"error": "wrong or missing secret token"}, status=403)
        body = request.json
        if not isinstance(body, dict) or not isinstance(body.get("update_id"), int):
            return response.json({"error": "not a Telegram update"}, status=400)
        connection = self._connection
        if connection is None or not connection.application.running:
            return response.json({"error": "not ready"}, status=503)  # Telegram retries later
        try:
            update = Update.de_json(body, connection.bot)
        except (KeyError, TypeError, ValueError):
            return response.json({"error": "not a Telegram update"}, status=400)
        await connection.application.update_queue.put(update)
        return response.json({"ok": True})
