"""A bounded memory of recently seen keys, to act on each of them once.

Telegram may deliver an update twice (a webhook retried after a slow answer, a
restart between two `getUpdates` calls), and a user may tap a button twice
before its keyboard disappears. Remembering the last few thousand keys is
enough for both; the oldest are forgotten so memory stays bounded.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Hashable


class RecentKeys:
    """Remembers the last `capacity` keys (least recently seen forgotten first)."""

    def __init__(self, capacity: int = 4096) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self._capacity = capacity
        self._keys: OrderedDict[Hashable, None] = OrderedDict()

    def first_time(self, key: Hashable) -> bool:
        """Record `key`; True when it was not among the recent keys yet."""
        if key in self._keys:
            self._keys.move_to_end(key)
            return False
        self._keys[key] = None
        if len(self._keys) > self._capacity:
            self._keys.popitem(last=False)
        return True

    def __len__(self) -> int:
        return len(self._keys)
