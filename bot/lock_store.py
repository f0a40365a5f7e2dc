"""Rasa's conversation lock store, chosen by `S3M_REDIS_URL`.

Rasa handles one conversation's messages one at a time by giving each message a ticket
of the conversation's lock. In memory that only holds inside one process; several Rasa
processes behind one address must share the locks, or two of them load the same tracker
at once and the later save drops the other's events. With `S3M_REDIS_URL` set the locks
live in Redis; without it (`make run`, one process) in memory, as Rasa's default.

Rasa's own RedisLockStore reads a lock, changes it and writes it back in three steps, so
two processes issuing tickets at the same moment can both get the same number (and both
go ahead) or lose each other's ticket. Here every change is one Redis transaction.

While Redis cannot be reached no message is handled (fail closed): a lock kept in one
process's memory would not stop another process from handling the same conversation.
Every failure to take a lock is a `LockError`, which the channels answer with an apology
(bot.channels.outage_guard); a failure to give one back after a handled message is only
logged, as its ticket expires by itself.
"""

from __future__ import annotations

import json
import logging
import math
import time
from typing import Any, Callable, TypeVar
from urllib.parse import unquote, urlsplit

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, InMemoryLockStore, LockError, LockStore, RedisLockStore
from redis.exceptions import RedisError

from bot.config import load_settings
from bot.log_redaction import conversation_hash

KEY_PREFIX = "s3martmed"  # keys are s3martmed:lock:<conversation id>
Result = TypeVar("Result")
logger = logging.getLogger(__name__)


class EnvironmentLockStore:
    """The lock store endpoints.yml names: Redis when `S3M_REDIS_URL` is set, else in memory.

    Rasa builds a custom lock store by calling the class named in endpoints.yml with
    `endpoint_config=`; this class answers with the store the environment asks for.
    """

    def __new__(cls, endpoint_config: Any = None) -> LockStore:  # noqa: ARG003 - Rasa's call
        url = load_settings().redis_url
        if url:
            return AtomicRedisLockStore.from_url(url)
        return InMemoryLockStore()


class AtomicRedisLockStore(RedisLockStore):
    """Rasa's Redis lock store whose read-change-write steps are Redis transactions."""

    @classmethod
    def from_url(cls, url: str, key_prefix: str = KEY_PREFIX) -> AtomicRedisLockStore:
        """Connect to `redis://[user:password@]host[:port][/db]` (`rediss://` for TLS)."""
        parts = urlsplit(url)
        if parts.scheme not in {"redis", "rediss"}:
            raise ValueError(f"S3M_REDIS_URL must start with redis:// or rediss://, not {parts.scheme}://")
        database = parts.path.strip("/")
        return cls(
            host=parts.hostname or "localhost",
            port=parts.port or 6379,
            db=int(database) if database else 0,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            use_ssl=parts.scheme == "rediss",
            key_prefix=key_prefix,
        )

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        """Issue the conversation's next ticket (see interface `LockStore`)."""
        try:
            return self._change(conversation_id, lambda lock: lock.issue_ticket(lock_lifetime))
        except Exception as error:  # noqa: BLE001 - Rasa expects a LockError
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    def get_lock(self, conversation_id: str) -> TicketLock | None:
        """The stored lock (see interface `LockStore`); Redis out of reach is a `LockError`."""
        try:
            return super().get_lock(conversation_id)
        except RedisError as error:
            raise LockError(f"Redis unreachable while waiting for the lock: {type(error).__name__}") from error

    def update_lock(self, conversation_id: str) -> None:
        """Drop expired tickets (see interface `LockStore`)."""
        try:
            self._change(conversation_id, lambda lock: lock.remove_expired_tickets())
        except RedisError as error:
            raise LockError(f"Redis unreachable while waiting for the lock: {type(error).__name__}") from error

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        """Remove a served ticket (see interface `LockStore`)."""
        self._change(conversation_id, lambda lock: lock.remove_ticket_for(ticket_number))

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Remove a served ticket; the lock goes with its last ticket, in the same transaction.

        Rasa's version deletes the lock in a second step when nobody seemed to wait, which
        can delete a ticket another process issued in between. Redis out of reach here
        is not the message's failure (its turn is over, its answer given): the ticket
        expires by itself, and the conversation's next message waits for that at most.
        """
        try:
            self.finish_serving(conversation_id, ticket_number)
        except RedisError as error:
            logger.warning("Could not give back the lock of conversation %s (%s): its ticket expires in %s s.",
                           conversation_hash(conversation_id), type(error).__name__, LOCK_LIFETIME)

    def _change(self, conversation_id: str, change: Callable[[TicketLock], Result]) -> Result:
        """Apply `change` to the stored lock (a new one if none is stored) and store it in one
        transaction, repeated from a fresh read whenever another process changed it meanwhile."""
        key = self.key_prefix + conversation_id

        def transaction(pipe: Any) -> Result:
            stored = pipe.get(key)
            lock = TicketLock.from_dict(json.loads(stored)) if stored else self.create_lock(conversation_id)
            result = change(lock)
            pipe.multi()
            lock.remove_expired_tickets()
            if lock.tickets:
                # The key outlives its last ticket by a second: a crashed process leaves nothing behind.
                seconds = math.ceil(max(ticket.expires for ticket in lock.tickets) - time.time()) + 1
                pipe.set(key, lock.dumps(), ex=max(1, seconds))
            else:
                pipe.delete(key)
            return result

        return self.red.transaction(transaction, key, value_from_callable=True)
