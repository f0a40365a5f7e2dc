"""Fit Rasa button payloads into Telegram's `callback_data` (at most 64 bytes).

Most payloads (`/inform{"sector": "diagnostics"}`) fit and travel as they are.
A longer one is kept here under a short key, and the key travels instead. The
map lives in memory and is bounded: after a restart, or for a very old
keyboard, a key may be unknown; the channel then falls back to the button's
title (see `bot.channels.telegram_updates`).

Not python-telegram-bot's `arbitrary_callback_data`: it puts a key held in memory in place of
*every* button's data, so after a restart, or on the other Rasa process behind the same webhook
address, every keyboard sent before would fail, even `/affirm`; here only long payloads can. (It
also needs PTB's `callback-data` extra, which requirements.lock does not have.)
"""

from __future__ import annotations

import base64
import hashlib
from collections import OrderedDict

CALLBACK_DATA_LIMIT = 64
"""Longest `callback_data` Telegram accepts, in bytes (UTF-8)."""

KEY_PREFIX = "#p:"
"""Marks a key of this store; payloads that start with it are stored too, so they are never misread."""


class CallbackDataStore:
    """Translates payloads to `callback_data` and back, remembering the last `capacity` long ones."""

    def __init__(self, capacity: int = 10_000) -> None:
        self._capacity = capacity
        self._payloads: OrderedDict[str, str] = OrderedDict()

    def callback_data_for(self, payload: str) -> str:
        """The `callback_data` of a button whose Rasa payload is `payload`."""
        if len(payload.encode("utf-8")) <= CALLBACK_DATA_LIMIT and not payload.startswith(KEY_PREFIX):
            return payload
        digest = hashlib.sha256(payload.encode("utf-8")).digest()
        key = KEY_PREFIX + base64.urlsafe_b64encode(digest).decode("ascii")[:22]
        self._payloads[key] = payload
        self._payloads.move_to_end(key)
        if len(self._payloads) > self._capacity:
            self._payloads.popitem(last=False)
        return key

    def payload_for(self, callback_data: str) -> str | None:
        """The Rasa payload of a pressed button, or None when its key is no longer known."""
        if not callback_data.startswith(KEY_PREFIX):
            return callback_data
        payload = self._payloads.get(callback_data)
        if payload is not None:
            self._payloads.move_to_end(callback_data)
        return payload
