"""Receive Telegram updates by long polling (`getUpdates`), the mode that needs no public URL.

One background task per server: it checks the token (`getMe`), removes a webhook
left by an earlier webhook deployment (Telegram refuses `getUpdates` while one
is set), then asks for updates in a loop, confirming each batch through the
next call's `offset`. Network trouble is retried with growing pauses and never
stops the Rasa server; a token Telegram rejects stops only this loop.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Awaitable, Callable, Sequence

from telegram import Bot, Update
from telegram.error import InvalidToken, TelegramError

from bot.log_redaction import redact

logger = logging.getLogger(__name__)

LONG_POLL = timedelta(seconds=25)
"""How long Telegram holds a `getUpdates` call open while there is nothing new."""


class Backoff:
    """Pauses after failures: 1 s, doubling up to a maximum, reset by a success."""

    def __init__(self, first: float = 1.0, maximum: float = 60.0) -> None:
        self._first = first
        self._maximum = maximum
        self._next = first

    def next_delay(self) -> float:
        delay = self._next
        self._next = min(self._next * 2, self._maximum)
        return delay

    def reset(self) -> None:
        self._next = self._first


class TelegramPoller:
    """Long-polls one bot's updates and hands each batch to `handle_updates`."""

    def __init__(
        self,
        bot: Bot,
        handle_updates: Callable[[Sequence[Update]], Awaitable[None]],
        allowed_updates: Sequence[str],
        long_poll: timedelta = LONG_POLL,
        backoff: Backoff | None = None,
    ) -> None:
        self._bot = bot
        self._handle_updates = handle_updates
        self._allowed_updates = list(allowed_updates)
        self._long_poll = long_poll
        self._backoff = backoff or Backoff()
        self._task: asyncio.Task | None = None
        self._stopping = False
        self._idle = False  # waiting for Telegram or pausing: safe to cancel at once

    def start(self) -> None:
        """Start polling in the background (from a running event loop)."""
        self._stopping = False
        self._task = asyncio.create_task(self.run(), name="telegram-polling")

    async def stop(self, grace: float = 10.0) -> None:
        """Stop polling; a batch being handled gets `grace` seconds to finish."""
        self._stopping = True
        task, self._task = self._task, None
        if task is None or task.done():
            return
        if self._idle:
            task.cancel()
        done, _ = await asyncio.wait({task}, timeout=grace)
        if not done:
            task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    async def run(self) -> None:
        """Poll until stopped, or until Telegram rejects the token."""
        offset: int | None = None
        connected = False
        while not self._stopping:
            self._idle = True
            try:
                if not connected:
                    await self._connect()
                    connected = True
                updates = await self._bot.get_updates(
                    offset=offset, timeout=self._long_poll, allowed_updates=self._allowed_updates
                )
            except InvalidToken:
                logger.error("Telegram rejected TELEGRAM_BOT_TOKEN: the Telegram channel stays off.")
                return
            except TelegramError as error:
                delay = self._backoff.next_delay()
                logger.warning(
                    "Telegram polling failed (%s); next try in %.0f s.", redact(str(error), [self._bot.token]), delay
                )
                await asyncio.sleep(delay)
                continue
            finally:
                self._idle = False
            self._backoff.reset()
            if updates:
                await self._handle_updates(updates)
                offset = max(update.update_id for update in updates) + 1

    async def _connect(self) -> None:
        await self._bot.initialize()
        await self._bot.delete_webhook()
        logger.info("Telegram channel polling for updates as @%s.", self._bot.username)
