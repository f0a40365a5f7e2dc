"""The channel's python-telegram-bot `Application`, started and stopped with the Rasa server.

PTB does the Bot API work. `Application.initialize` checks the token (`getMe`). In polling
mode PTB's `Updater` removes a webhook left by an earlier webhook deployment (Telegram refuses
`getUpdates` while one is set), then long-polls, confirming each batch through the next call's
`offset` and retrying network trouble with growing pauses. In webhook mode the Rasa server's
route puts what Telegram POSTs into the same `update_queue`, and the webhook is registered here.
The Application hands every update to the channel's one handler: updates of one chat one after
the other, different chats side by side (:class:`ChatOrder`). What the bot sends goes through
PTB's `AIORateLimiter`: it keeps under Telegram's limits and waits out its flood control.

Start-up runs in the background and retries while Telegram cannot be reached, so it never holds
up or stops the Rasa server; a token Telegram rejects leaves only this channel off. On stop,
updates already fetched are handled first: Telegram considers them delivered.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any, Awaitable, Callable, Dict, Tuple

from telegram import Update
from telegram.error import InvalidToken, TelegramError
from telegram.ext import AIORateLimiter, Application, BaseUpdateProcessor, ExtBot, TypeHandler

from bot.channels.telegram_settings import WEBHOOK, TelegramChannelSettings
from bot.log_redaction import redact

logger = logging.getLogger(__name__)

LONG_POLL = timedelta(seconds=25)
"""How long Telegram holds a `getUpdates` call open while there is nothing new."""
FLOOD_RETRIES = 2
"""Times a reply held back by Telegram's flood control (429 with `retry_after`) is sent again."""
HANDLED_UPDATES = ("message", "edited_message", "callback_query")
"""Update types asked from Telegram (`allowed_updates`); others are not sent to the bot."""
MAX_CONCURRENT_UPDATES = 256
"""Updates in progress at once (PTB's bound), those waiting behind their chat's earlier ones included."""
_FIRST_PAUSE, _LONGEST_PAUSE = 1.0, 60.0


class ChatOrder(BaseUpdateProcessor):
    """Processes each chat's updates in the order Telegram sent them, and different chats side by side.

    A conversation's turns must not overtake each other; one slow conversation must not hold up the others.
    """

    def __init__(self, max_concurrent_updates: int = MAX_CONCURRENT_UPDATES) -> None:
        super().__init__(max_concurrent_updates)
        self._chats: Dict[int, Tuple[asyncio.Lock, int]] = {}  # lock and number of its updates in progress

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Wait for the chat's earlier updates, then process this one (see interface `BaseUpdateProcessor`)."""
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        lock, pending = self._chats.get(chat.id, (asyncio.Lock(), 0))
        self._chats[chat.id] = (lock, pending + 1)
        try:
            async with lock:
                await coroutine
        finally:
            lock, pending = self._chats.pop(chat.id)
            if pending > 1:
                self._chats[chat.id] = (lock, pending - 1)

    async def initialize(self) -> None:
        """Nothing to prepare."""

    async def shutdown(self) -> None:
        """Nothing to release."""


class TelegramConnection:
    """One bot's Application while the server runs: :meth:`start` in the server's loop, then :meth:`stop`."""

    def __init__(self, settings: TelegramChannelSettings, long_poll: timedelta = LONG_POLL) -> None:
        self._settings = settings
        self._long_poll = long_poll
        builder = (
            Application.builder()
            .token(settings.bot_token)
            .base_url(settings.api_base_url)
            .concurrent_updates(ChatOrder())
            .job_queue(None)
            # A reply Telegram's flood control holds back is sent again after the wait it asks for.
            .rate_limiter(AIORateLimiter(max_retries=FLOOD_RETRIES))
        )
        if settings.mode == WEBHOOK:
            builder = builder.updater(None)  # Telegram POSTs to the Rasa server's route instead
        self.application = builder.build()
        self._starting: asyncio.Task | None = None

    @property
    def bot(self) -> ExtBot:
        return self.application.bot

    def start(self, handle_update: Callable[[Update], Awaitable[None]]) -> None:
        """Hand every update to `handle_update` from now on, and connect in the background."""

        async def on_update(update: Update, _context: Any) -> None:
            await handle_update(update)

        self.application.add_handler(TypeHandler(Update, on_update))
        self._starting = asyncio.create_task(self._start(), name="telegram-start")

    async def stop(self) -> None:
        """Stop receiving, handle what was fetched, and close the connections."""
        if self._starting is not None:
            self._starting.cancel()
            await asyncio.gather(self._starting, return_exceptions=True)
        application = self.application
        if application.updater is not None and application.updater.running:
            try:
                await application.updater.stop()
            except TelegramError:  # polling had ended on a rejected token, which PTB logged
                pass
        if application.running:
            await application.stop()
        await application.shutdown()

    async def _start(self) -> None:
        application = self.application
        if not await self._retrying(application.initialize, "reach Telegram"):
            return
        await application.start()
        if self._settings.mode == WEBHOOK:
            if await self._retrying(self._set_webhook, "set the Telegram webhook"):
                logger.info("Telegram webhook of @%s set to %s.", self.bot.username, self._settings.webhook_url)
        elif await self._retrying(self._start_polling, "start polling Telegram"):
            logger.info("Telegram channel polling for updates as @%s.", self.bot.username)

    async def _set_webhook(self) -> None:
        await self.bot.set_webhook(
            url=self._settings.webhook_url,
            secret_token=self._settings.webhook_secret,
            allowed_updates=list(HANDLED_UPDATES),
        )

    async def _start_polling(self) -> None:
        await self.application.updater.start_polling(
            timeout=self._long_poll, allowed_updates=list(HANDLED_UPDATES), error_callback=self._polling_failed
        )

    def _polling_failed(self, error: TelegramError) -> None:
        logger.warning("Telegram polling failed (%s); retrying.", self._redacted(error))

    async def _retrying(self, action: Callable[[], Awaitable[None]], what: str) -> bool:
        """Run `action` until it succeeds (True) or Telegram rejects the token (False)."""
        pause = _FIRST_PAUSE
        while True:
            try:
                await action()
                return True
            except InvalidToken:
                logger.error("Telegram rejected TELEGRAM_BOT_TOKEN: the Telegram channel stays off.")
                return False
            except TelegramError as error:
                logger.warning("Could not %s (%s); next try in %.0f s.", what, self._redacted(error), pause)
                await asyncio.sleep(pause)
                pause = min(pause * 2, _LONGEST_PAUSE)

    def _redacted(self, error: TelegramError) -> str:
        return redact(str(error), [self._settings.bot_token])
