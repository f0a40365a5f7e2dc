"""Simulated users chatting over Rasa's REST channel, as real chats load a server.

Each user runs whole conversations, one after another, each under a new sender id,
and waits for every reply before the next message (as a person does), pausing a
random 0.5-1.5 s in between; a saturation phase drops the pauses. Every message's
latency and outcome is kept, and afterwards each conversation's stored tracker is
compared with what was sent, so a message answered but never stored counts as lost.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

# Our Rasa's HTTP API token in the benchmarks (benchmarks.stack sets it); a server without one,
# such as the reference, ignores it.
RASA_TOKEN = "bench-rasa-token"

PAUSE_SECONDS = (0.5, 1.5)


@dataclass
class PhaseResult:
    """Every message of one phase, by outcome."""

    name: str
    users: int
    pauses: bool
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)  # messages answered as expected
    errors: dict[str, int] = field(default_factory=dict)  # kind -> count (HTTP status, empty reply)
    lost: int = 0  # sent, and no reply ever came (timeout, connection dropped) or not stored
    sent: dict[str, int] = field(default_factory=dict)  # sender id -> messages sent
    responded: dict[str, int] = field(default_factory=dict)  # sender id -> messages with an HTTP response

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1

    def summary(self) -> dict[str, Any]:
        """Percentiles, throughput and failure counts of the phase."""
        ordered = sorted(self.latencies_ms)
        answered = len(ordered)
        return {
            "users": self.users,
            "pauses": self.pauses,
            "seconds": round(self.seconds, 1),
            "messages": sum(self.sent.values()),
            "conversations": len(self.sent),
            "answered": answered,
            "p50_ms": percentile(ordered, 50),
            "p95_ms": percentile(ordered, 95),
            "p99_ms": percentile(ordered, 99),
            "max_ms": round(ordered[-1], 1) if ordered else None,
            "throughput_rps": round(answered / self.seconds, 2) if self.seconds else None,
            "errors": sum(self.errors.values()),
            "error_kinds": dict(self.errors),
            "lost": self.lost,
        }


def percentile(ordered: list[float], share: float) -> float | None:
    """Nearest-rank percentile of sorted values (None when there are none)."""
    if not ordered:
        return None
    rank = max(1, -(-len(ordered) * share // 100))  # ceil without floats
    return round(ordered[int(rank) - 1], 1)


async def _user(client: httpx.AsyncClient, url: str, index: int, conversations: list[list[str]],
                result: PhaseResult, deadline: float, rng: random.Random) -> None:
    number = 0
    while time.monotonic() < deadline:
        script = conversations[rng.randrange(len(conversations))]
        sender = f"bench-{result.name}-{index}-{number}-{rng.getrandbits(32):08x}"
        number += 1
        for text in script:
            if time.monotonic() >= deadline:
                return
            result.sent[sender] = result.sent.get(sender, 0) + 1
            started = time.perf_counter()
            try:
                response = await client.post(url, json={"sender": sender, "message": text})
            except (httpx.TimeoutException, httpx.TransportError):
                result.lost += 1
                break  # this conversation cannot go on without its reply: the user starts another
            elapsed_ms = (time.perf_counter() - started) * 1000
            result.responded[sender] = result.responded.get(sender, 0) + 1
            if response.status_code != 200:
                result.error(f"http_{response.status_code}")
            elif not response.json():
                result.error("empty_reply")
            else:
                result.latencies_ms.append(elapsed_ms)
            if result.pauses:
                await asyncio.sleep(rng.uniform(*PAUSE_SECONDS))


async def run_phase(base_url: str | list[str], name: str, users: int, seconds: float,
                    conversations: list[list[str]], pauses: bool = True, timeout: float = 30.0,
                    seed: int = 0) -> PhaseResult:
    """Let `users` simulated users chat for `seconds`; messages in flight at the end are awaited.

    With several base URLs (Rasa processes sharing one tracker store), user i talks to the
    i-th modulo their number for the whole phase, as a proxy's hash on the sender routes it.
    """
    base_urls = [base_url] if isinstance(base_url, str) else base_url
    result = PhaseResult(name, users, pauses)
    limits = httpx.Limits(max_connections=users + 5, max_keepalive_connections=users + 5)
    async with httpx.AsyncClient(timeout=timeout, limits=limits) as client:
        started = time.monotonic()
        deadline = started + seconds
        # Users arrive spread over the first pause, not all in the same millisecond.
        tasks = []
        for index in range(users):
            rng = random.Random(seed * 1000 + index)
            tasks.append(asyncio.create_task(_start_later(
                rng.uniform(0, PAUSE_SECONDS[1]) if pauses else 0.0,
                _user(client, f"{base_urls[index % len(base_urls)]}/webhooks/rest/webhook", index, conversations,
                      result, deadline, rng))))
        await asyncio.gather(*tasks)
        result.seconds = time.monotonic() - started
        result.lost += await _unstored_messages(client, base_urls[0], result.responded)
    return result


async def _start_later(delay: float, coroutine: Any) -> None:
    await asyncio.sleep(delay)
    await coroutine


async def _unstored_messages(client: httpx.AsyncClient, base_url: str, sent: dict[str, int]) -> int:
    """Messages answered but missing from their conversation's stored tracker."""
    semaphore = asyncio.Semaphore(8)

    async def missing(sender: str, count: int) -> int:
        async with semaphore:
            try:
                response = await client.get(f"{base_url}/conversations/{sender}/tracker", params={"token": RASA_TOKEN})
                events = response.json().get("events") or []
            except (httpx.HTTPError, ValueError):
                return count
        stored = sum(1 for event in events if event.get("event") == "user")
        return max(0, count - stored)

    return sum(await asyncio.gather(*(missing(s, c) for s, c in sent.items())))


async def first_reply_ms(base_url: str, text: str, timeout: float = 120.0) -> float:
    """Latency of the first message after start-up (Rasa builds its graphs lazily)."""
    async with httpx.AsyncClient(timeout=timeout) as client:
        started = time.perf_counter()
        response = await client.post(f"{base_url}/webhooks/rest/webhook",
                                     json={"sender": f"bench-warmup-{random.getrandbits(32):08x}", "message": text})
        response.raise_for_status()
        return round((time.perf_counter() - started) * 1000, 1)
