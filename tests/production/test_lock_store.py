"""The conversation locks in Redis, as several Rasa processes share them.

Each store instance stands for one Rasa process (its own Redis connection); threads give
them real parallelism, as processes would have.
"""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from itertools import pairwise
from pathlib import Path
from typing import Iterator

import pytest
from rasa.core.lock_store import InMemoryLockStore, LockError, LockStore
from rasa.utils.endpoints import read_endpoint_config

from bot.config import PROJECT_ROOT
from bot.lock_store import AtomicRedisLockStore
from tests.private_servers import private_redis

HOLD = 0.3  # seconds a holder keeps the lock


@pytest.fixture
def stores(redis_url: str) -> Iterator[list[AtomicRedisLockStore]]:
    """Two stores ("processes") on one Redis, with a key prefix of this test's own."""
    prefix = f"test{uuid.uuid4().hex[:10]}"
    stores = [AtomicRedisLockStore.from_url(redis_url, key_prefix=prefix) for _ in range(2)]
    yield stores
    for key in stores[0].red.scan_iter(f"{prefix}:*"):
        stores[0].red.delete(key)


def hold_lock(store: LockStore, conversation_id: str, spans: list[tuple[float, float]]) -> None:
    """Take the conversation's lock in an event loop of this thread, keep it, note when."""

    async def hold() -> None:
        async with store.lock(conversation_id, wait_time_in_seconds=0.02):
            start = time.monotonic()
            await asyncio.sleep(HOLD)
            spans.append((start, time.monotonic()))

    asyncio.run(hold())


def issue_after(start: threading.Barrier, store: LockStore, conversation_id: str, tickets: list[int]) -> None:
    start.wait()
    tickets.append(store.issue_ticket(conversation_id))


def run_together(*targets: tuple) -> None:
    threads = [threading.Thread(target=function, args=args) for function, *args in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)


def test_endpoints_yml_picks_redis_when_s3m_redis_url_is_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("S3M_ACTION_URL", "http://127.0.0.1:5055/webhook")  # endpoints.yml needs it
    config = read_endpoint_config(str(PROJECT_ROOT / "endpoints.yml"), "lock_store")

    monkeypatch.delenv("S3M_REDIS_URL", raising=False)
    assert isinstance(LockStore.create(config), InMemoryLockStore)

    monkeypatch.setenv("S3M_REDIS_URL", "rediss://assistant:s%40cret@redis.example:6380/2")
    store = LockStore.create(config)
    assert isinstance(store, AtomicRedisLockStore)
    connection = store.red.connection_pool.connection_kwargs  # nothing is connected yet
    assert (connection["host"], connection["port"], connection["db"]) == ("redis.example", 6380, 2)
    assert (connection["username"], connection["password"]) == ("assistant", "s@cret")
    assert store.red.connection_pool.connection_class.__name__ == "SSLConnection"
    assert store.key_prefix == "s3martmed:lock:"


def test_a_url_that_is_not_redis_is_refused() -> None:
    with pytest.raises(ValueError, match="redis://"):
        AtomicRedisLockStore.from_url("http://127.0.0.1:6379")


def test_tickets_are_served_in_order_and_the_lock_goes_with_the_last(stores: list[AtomicRedisLockStore]) -> None:
    first, second = stores
    conversation = "conversation-a"
    key = first.key_prefix + conversation

    assert first.issue_ticket(conversation) == 0
    assert second.issue_ticket(conversation) == 1
    assert 0 < first.red.ttl(key) <= 61  # a crashed process's lock does not stay for ever
    assert second.get_lock(conversation).now_serving == 0

    first.cleanup(conversation, 0)
    assert second.get_lock(conversation).now_serving == 1
    second.cleanup(conversation, 1)
    assert not first.red.exists(key)


def test_tickets_issued_at_the_same_moment_by_two_processes_are_all_different(
        stores: list[AtomicRedisLockStore]) -> None:
    per_store, rounds = 8, 5
    for round_number in range(rounds):
        conversation = f"crowded-{round_number}"
        start = threading.Barrier(per_store * len(stores))
        tickets: list[int] = []
        run_together(*[(issue_after, start, store, conversation, tickets)
                       for store in stores for _ in range(per_store)])

        assert sorted(tickets) == list(range(per_store * len(stores)))
        assert len(stores[0].get_lock(conversation).tickets) == per_store * len(stores)


def test_holders_of_one_conversations_lock_in_two_processes_take_turns(stores: list[AtomicRedisLockStore]) -> None:
    spans: list[tuple[float, float]] = []
    run_together(*[(hold_lock, store, "one-conversation", spans) for store in stores for _ in range(2)])

    assert len(spans) == 4
    spans.sort()
    for (_, end), (next_start, _) in pairwise(spans):
        assert next_start >= end, f"two holders at once: {spans}"
    assert not stores[0].red.exists(stores[0].key_prefix + "one-conversation")


def test_different_conversations_do_not_wait_for_each_other(stores: list[AtomicRedisLockStore]) -> None:
    spans: list[tuple[float, float]] = []
    run_together((hold_lock, stores[0], "conversation-a", spans), (hold_lock, stores[1], "conversation-b", spans))

    assert len(spans) == 2
    (start_a, end_a), (start_b, end_b) = spans
    assert start_a < end_b and start_b < end_a, f"one waited for the other: {spans}"


def test_a_crashed_holder_blocks_its_conversation_only_for_the_ticket_lifetime(
        stores: list[AtomicRedisLockStore]) -> None:
    crashed, alive = stores
    crashed.issue_ticket("orphaned", lock_lifetime=1)  # never released

    spans: list[tuple[float, float]] = []
    began = time.monotonic()
    hold_lock(alive, "orphaned", spans)

    assert len(spans) == 1
    assert 0.8 < spans[0][0] - began < 5  # waited for the orphaned ticket to expire, not longer


def test_without_redis_no_lock_is_given_and_a_served_ticket_is_left_to_expire(tmp_path: Path) -> None:
    """Fail closed: a lock of one process's own would not keep another process off the conversation."""
    with private_redis(tmp_path) as server:
        holder, waiter = (AtomicRedisLockStore.from_url(server.url) for _ in range(2))

        async def outage() -> None:
            holder.issue_ticket("busy")  # another process is handling a message of this conversation
            served = holder.issue_ticket("done")
            waiting = asyncio.create_task(enter(waiter, "busy"))
            while len(holder.get_lock("busy").tickets) < 2:  # the waiter's ticket is issued
                await asyncio.sleep(0.01)

            server.kill()

            with pytest.raises(LockError):  # while waiting for its turn
                await waiting
            with pytest.raises(LockError):  # before taking a ticket
                await enter(waiter, "new")
            holder.cleanup("done", served)  # a handled message's clean-up is not its failure

        asyncio.run(outage())

        server.start()  # empty: the locks went with the old server
        assert holder.issue_ticket("busy") == 0


async def enter(store: LockStore, conversation_id: str) -> None:
    async with store.lock(conversation_id, wait_time_in_seconds=0.02):
        pass
