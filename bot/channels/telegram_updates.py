"""Turn each Telegram update into a user message for Rasa, or a polite answer.

The handler of the channel's python-telegram-bot Application (bot.channels.telegram_application),
for both ways updates arrive (long polling and webhook). Text messages,
edited messages (handled as new ones) and button presses go to Rasa; the chat
is the conversation (`sender_id` = `telegram-<chat id>`, bot.conversation_ids:
no other channel can choose it) and the user's Telegram language is
passed as the hint our LanguageDetector reads (metadata `language`). Content
without text (stickers, photos, voice notes, files, locations ...) gets the
domain's `utter_unsupported_content`. An update seen before is skipped.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Awaitable, Callable, Dict

from rasa.core.channels.channel import OutputChannel, UserMessage
from telegram import Bot, Message, Update, User
from telegram.error import TelegramError

from bot.channels.callback_data import CallbackDataStore
from bot.channels.domain_responses import DomainResponder
from bot.channels.recent_keys import RecentKeys
from bot.channels.telegram_commands import rasa_input_for_text
from bot.conversation_ids import TELEGRAM, conversation_id

logger = logging.getLogger(__name__)

INPUT_CHANNEL = "telegram"
LANGUAGE_HINT_KEY = "language"
"""Metadata key our LanguageDetector reads the channel's language hint from."""
UPDATE_ID_KEY = "telegram_update_id"
UNSUPPORTED_CONTENT_RESPONSE = "utter_unsupported_content"

_LANGUAGE_TAG = re.compile(r"^([A-Za-z]{2,3})(?:[-_]|$)")


def language_hint(user: User | None) -> str | None:
    """The primary language of a Telegram user's `language_code` (`de-AT` → `de`), if any."""
    match = _LANGUAGE_TAG.match((user.language_code or "") if user else "")
    return match.group(1).lower() if match else None


class TelegramUpdateHandler:
    """Handles Telegram updates for one bot; never raises (failures are logged)."""

    def __init__(
        self,
        bot: Bot,
        output_channel: OutputChannel,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        callback_data: CallbackDataStore,
        responder: DomainResponder,
        seen_updates: RecentKeys,
        pressed_keyboards: RecentKeys,
    ) -> None:
        self._bot = bot
        self._output = output_channel
        self._on_new_message = on_new_message
        self._callback_data = callback_data
        self._responder = responder
        self._seen_updates = seen_updates
        self._pressed_keyboards = pressed_keyboards

    async def handle(self, update: Update) -> None:
        """Handle one update, once."""
        if not self._seen_updates.first_time(update.update_id):
            logger.debug("Telegram update %s was handled before; skipped.", update.update_id)
            return
        try:
            if update.callback_query is not None:
                await self._on_button_press(update)
            elif update.message is not None:
                await self._on_message(update, update.message)
            elif update.edited_message is not None:
                await self._on_message(update, update.edited_message)
        except Exception:
            logger.exception("Telegram update %s could not be handled.", update.update_id)

    async def _on_message(self, update: Update, message: Message) -> None:
        conversation = conversation_id(TELEGRAM, message.chat.id)
        hint = language_hint(message.from_user)
        if message.text is None:
            await self._say_unsupported_content(conversation, hint)
            return
        rasa_input = rasa_input_for_text(message.text, hint)
        await self._send_to_rasa(
            rasa_input.text,
            conversation,
            {**self._metadata(update, hint), **rasa_input.metadata},
            rasa_input.parse_data,
        )

    async def _on_button_press(self, update: Update) -> None:
        """Answer the press, remove the keyboard, and send the button's payload to Rasa."""
        query = update.callback_query
        try:
            await self._bot.answer_callback_query(query.id)
        except TelegramError as error:
            logger.warning("Could not answer Telegram button press %s: %s", query.id, error)
        message = query.message
        chat_id = message.chat.id if message is not None else query.from_user.id
        if message is not None:
            if not self._pressed_keyboards.first_time((chat_id, message.message_id)):
                logger.debug("Second press on the keyboard of message %s; ignored.", message.message_id)
                return
            await self._remove_keyboard(chat_id, message)
        payload = self._payload_of(query.data, message)
        if payload is None:
            logger.warning("Telegram button data %r is no longer known; press ignored.", query.data)
            return
        hint = language_hint(query.from_user)
        await self._send_to_rasa(payload, conversation_id(TELEGRAM, chat_id), self._metadata(update, hint))

    async def _remove_keyboard(self, chat_id: int, message: Any) -> None:
        if not getattr(message, "is_accessible", False):
            return  # older than 48 hours: Telegram no longer lets the bot edit it
        try:
            await self._bot.edit_message_reply_markup(chat_id=chat_id, message_id=message.message_id)
        except TelegramError as error:
            logger.warning("Could not remove the keyboard of message %s: %s", message.message_id, error)

    def _payload_of(self, callback_data: str | None, message: Any) -> str | None:
        """The pressed button's payload; its title when the payload's key was forgotten."""
        if not callback_data:
            return None
        payload = self._callback_data.payload_for(callback_data)
        if payload is not None:
            return payload
        markup = getattr(message, "reply_markup", None)
        for row in markup.inline_keyboard if markup else ():
            for button in row:
                if button.callback_data == callback_data:
                    return button.text
        return None

    async def _say_unsupported_content(self, conversation: str, hint: str | None) -> None:
        response = await self._responder.render(UNSUPPORTED_CONTENT_RESPONSE, conversation, hint)
        if response:
            await self._output.send_response(conversation, dict(response))

    async def _send_to_rasa(
        self,
        text: str,
        conversation: str,
        metadata: Dict[str, Any],
        parse_data: Dict[str, Any] | None = None,
    ) -> None:
        await self._on_new_message(
            UserMessage(
                text,
                self._output,
                conversation,
                parse_data=parse_data,
                input_channel=INPUT_CHANNEL,
                metadata=metadata,
            )
        )

    @staticmethod
    def _metadata(update: Update, hint: str | None) -> Dict[str, Any]:
        metadata: Dict[str, Any] = {UPDATE_ID_KEY: update.update_id}
        if hint:
            metadata[LANGUAGE_HINT_KEY] = hint
        return metadata
