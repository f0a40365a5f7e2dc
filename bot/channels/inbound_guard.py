"""One guard in front of the dialogue for every chat channel (REST, Socket.IO, Telegram).

Whatever a channel receives, the dialogue gets the same: a text without control characters
(they carry no meaning for the NLU, and in the staff portal or a log they can hide or fake
text), cut at :data:`MAX_MESSAGE_LENGTH` (the NLU's cost grows with length; no SME question
needs more), from a sender within the rate limit (bot.rate_limit, `S3M_RATE_LIMIT_*`). A sender
over the limit is told politely, in the conversation's language, to wait (`utter_too_many_messages`),
once per run of refused messages: a flood must not make the assistant flood back. Refused
messages never reach the dialogue, so the conversation is left as it was.
"""

from __future__ import annotations

import logging
import re
from collections import OrderedDict
from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import UserMessage

from bot.channels.domain_responses import DomainResponder
from bot.channels.server_agent import ServerAgent
from bot.config import load_settings
from bot.rate_limit import MAX_SENDERS, SenderRateLimiter

logger = logging.getLogger(__name__)

TOO_MANY_MESSAGES = "utter_too_many_messages"
MAX_MESSAGE_LENGTH = 20_000
LANGUAGE_HINT_KEY = "language"
"""Metadata key of the channel's language hint (the widget's page language, Telegram's `language_code`)."""

# Unicode's control characters (category Cc) except tab, line feed and carriage return.
_CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def clean_text(text: Any) -> str:
    """The text the dialogue may see: control characters dropped, cut, trimmed as Rasa trims.

    Anything that is not a string (a Socket.IO client can send numbers or objects) is no text.
    """
    if not isinstance(text, str):
        return ""
    return _CONTROL_CHARACTERS.sub("", text)[:MAX_MESSAGE_LENGTH].strip()


class InboundGuard(ServerAgent):
    """Cleans each message and holds back senders over the rate limit (see module docstring).

    One guard per channel and process; it learns the server's current agent (to answer in the
    conversation's language) through :meth:`attach` or :meth:`attach_app`.
    """

    def __init__(self, output_channel_name: str, limiter: SenderRateLimiter | None = None) -> None:
        """Create a guard.

        Args:
            output_channel_name: name for responses' `channel:` variations.
            limiter: the rate limit; by default the one of `S3M_RATE_LIMIT_PER_MINUTE` and
                `S3M_RATE_LIMIT_BURST`.
        """
        super().__init__()
        if limiter is None:
            settings = load_settings()
            limiter = SenderRateLimiter(settings.rate_limit_per_minute, settings.rate_limit_burst)
        self._limiter = limiter
        self._responder = DomainResponder(self._agent, output_channel_name)
        self._told_to_wait: OrderedDict[str, None] = OrderedDict()

    def wrap(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Callable[[UserMessage], Awaitable[None]]:
        """`on_new_message` behind the guard: only admitted messages reach it."""

        async def guarded(message: UserMessage) -> None:
            if await self.admit(message):
                await on_new_message(message)

        return guarded

    async def admit(self, message: UserMessage) -> bool:
        """Clean the message's text in place; False when its sender is over the rate limit.

        The first refused message of a run gets the polite answer through the message's
        output channel; later ones get nothing until the sender is admitted again.
        """
        message.text = clean_text(message.text)
        sender = message.sender_id
        if self._limiter.allow(sender):
            self._told_to_wait.pop(sender, None)
            return True
        if sender in self._told_to_wait:
            return False
        self._told_to_wait[sender] = None
        if len(self._told_to_wait) > MAX_SENDERS:
            self._told_to_wait.popitem(last=False)
        logger.warning("Conversation %s is over the rate limit: its messages are held back.", sender)
        await self._ask_to_wait(message)
        return False

    async def _ask_to_wait(self, message: UserMessage) -> None:
        hint = (message.metadata or {}).get(LANGUAGE_HINT_KEY)
        try:
            reply = await self._responder.render(TOO_MANY_MESSAGES, message.sender_id,
                                                 hint if isinstance(hint, str) else None)
            if reply:
                await message.output_channel.send_response(message.sender_id, dict(reply))
        except Exception:  # noqa: BLE001 - the refusal stands even when its explanation cannot be sent
            logger.exception("Could not tell conversation %s to wait.", message.sender_id)

