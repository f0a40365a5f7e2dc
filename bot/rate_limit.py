"""Per-sender rate limiting: one sender cannot flood the assistant, one address cannot
try passwords without end.

A token bucket per key (a chat's sender id, a client's address), in the memory of one
process (behind several processes, each keeps its own; the proxy in front can add a
global limit). A key may be used `burst` times at once and then `per_minute` times a minute.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass

MAX_SENDERS = 100_000  # buckets kept; the least recently seen sender is forgotten first


@dataclass
class _Bucket:
    tokens: float
    updated: float


class SenderRateLimiter:
    def __init__(self, per_minute: float, burst: int, clock=time.monotonic) -> None:
        self.rate = per_minute / 60.0
        self.burst = burst
        self._clock = clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def allow(self, sender_id: str) -> bool:
        """True if this sender may send a message now (and count it)."""
        if self.rate <= 0:
            return True
        now = self._clock()
        bucket = self._buckets.pop(sender_id, None) or _Bucket(tokens=float(self.burst), updated=now)
        bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        self._buckets[sender_id] = bucket
        if len(self._buckets) > MAX_SENDERS:
            self._buckets.popitem(last=False)
        if bucket.tokens < 1.0:
            return False
        bucket.tokens -= 1.0
        return True
