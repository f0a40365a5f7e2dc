"""Deliver the notification outbox: staff e-mails over SMTP, the lead webhook over HTTP.

A message leaves the outbox only once its delivery succeeded; until then an outage
only delays it (exponential back-off), and after too many attempts it is marked
`failed` for staff to retry from the portal. Delivery is at least once: a worker
that dies between sending and committing sends that message again.

The worker also runs the personal data retention purge (bot.conversations.retention) when
it starts and then every 24 hours.

Run it with `python -m bot.leads.outbox` (`--once` for a single pass). Several
workers may share a PostgreSQL database (rows are claimed with SKIP LOCKED);
on SQLite, run one.
"""

from __future__ import annotations

import argparse
import logging
import signal
import smtplib
import ssl
import threading
import time
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from typing import Sequence

import httpx
from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql import Select

from bot.config import Settings, load_settings
from bot.conversations.retention import PurgeResult, purge_expired
from bot.database import build_engine
from bot.leads import schema
from bot.leads.erasure_notices import ERASURE_NOTICE
from bot.leads.handoff import SIGNATURE_HEADER, TIMESTAMP_HEADER, message_id_stem, sign_webhook_body
from bot.leads.models import OutboxMessage
from bot.leads.serialize import as_utc

log = logging.getLogger(__name__)

RETRY_CAP = timedelta(hours=1)
SMTP_TIMEOUT_SECONDS = 30.0
WEBHOOK_TIMEOUT_SECONDS = 10.0
LAST_ERROR_LENGTH = 2000
RETENTION_EVERY = timedelta(hours=24)


class OutboxWorker:
    """Sends due outbox messages and records each outcome in the database."""

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        *,
        retry_base: timedelta | None = None,
        retry_cap: timedelta = RETRY_CAP,
        smtp_timeout: float = SMTP_TIMEOUT_SECONDS,
        webhook_timeout: float = WEBHOOK_TIMEOUT_SECONDS,
        batch_size: int = 100,
        retention_every: timedelta = RETENTION_EVERY,
    ) -> None:
        self._engine = engine
        self._sessions = sessionmaker(engine, future=True, expire_on_commit=False)
        self._settings = settings
        if settings.webhook_url and not settings.webhook_secret:
            log.warning("S3M_WEBHOOK_URL is set without S3M_WEBHOOK_SECRET: the webhook's receiver "
                           "cannot tell our requests from forged ones. Set a secret.")
        self._retry_base = retry_base if retry_base is not None else timedelta(seconds=settings.outbox_backoff)
        self._retry_cap = retry_cap
        self._smtp_timeout = smtp_timeout
        self._webhook_timeout = webhook_timeout
        self._batch_size = batch_size
        self._retention_every = retention_every

    def run_once(self, now: datetime | None = None) -> int:
        """Try each due pending message once (at most one batch); return how many were delivered.

        Each message is claimed, sent and updated in its own transaction, so one
        outcome is kept even when a later message breaks the run.
        """
        now = as_utc(now or datetime.now(UTC))
        tried: list[int] = []
        delivered = 0
        while len(tried) < self._batch_size:
            with self._sessions.begin() as session:
                message = session.execute(self._claim_next(now, tried)).scalar_one_or_none()
                if message is None:
                    break
                tried.append(message.id)
                delivered += self._attempt(session, message, now)
        return delivered

    def purge_expired(self, now: datetime | None = None) -> PurgeResult:
        """Erase the personal data older than `settings.retention_days` (bot.conversations.retention)."""
        with self._sessions.begin() as session:
            return purge_expired(session, now=now or datetime.now(UTC), days=self._settings.retention_days,
                                 settings=self._settings)

    def run_forever(self, stop_event: threading.Event) -> None:
        """Run a pass every `settings.outbox_interval` seconds until `stop_event` is set.

        The retention purge runs before the first pass and then every `retention_every`.
        """
        interval = self._settings.outbox_interval
        log.info("outbox worker started: a pass every %s s, at most %d attempts per message",
                 interval, self._settings.outbox_max_attempts)
        next_purge = time.monotonic()
        while not stop_event.is_set():
            if time.monotonic() >= next_purge:
                next_purge = time.monotonic() + self._retention_every.total_seconds()
                try:
                    self.purge_expired()
                except Exception as error:  # noqa: BLE001 - the next day's purge tries again
                    log.error("retention purge failed: %s", _describe(error))
            try:
                self.run_once()
            except Exception as error:  # noqa: BLE001 - keep the worker alive, e.g. while the schema is missing
                log.error("outbox pass failed: %s", _describe(error))
            stop_event.wait(interval)
        log.info("outbox worker stopped")

    def retry_failed(self, lead_id: int | None = None) -> int:
        """Put failed messages (of one lead, or all) back in the queue; return how many."""
        with self._sessions.begin() as session:
            return retry_failed(session, lead_id)

    def retry_delay(self, attempts: int) -> timedelta:
        """Wait after the `attempts`-th failure: base, 2 x base, 4 x base, ... up to the cap."""
        seconds = self._retry_base.total_seconds() * 2 ** min(max(attempts - 1, 0), 32)
        return min(timedelta(seconds=seconds), self._retry_cap)

    def _claim_next(self, now: datetime, skip: Sequence[int]) -> Select:
        query = (
            select(OutboxMessage)
            .where(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now)
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(1)
        )
        if skip:
            query = query.where(OutboxMessage.id.notin_(skip))
        if self._engine.dialect.name == "postgresql":
            # Another worker's message stays locked until its transaction ends: skip it.
            query = query.with_for_update(skip_locked=True)
        return query

    def _attempt(self, session: Session, message: OutboxMessage, now: datetime) -> int:
        where = f"outbox message {message.id} ({message.channel} to {message.cluster or '-'})"
        if message.lead is not None and message.lead.erased_at is not None and message.kind != ERASURE_NOTICE:
            message.status = "cancelled"
            log.info("%s cancelled: the lead's personal data was erased", where)
            return 0
        try:
            if message.channel == "email":
                self._send_email(message)
            elif message.channel == "webhook":
                self._send_webhook(message)
            else:
                raise ValueError(f"unknown channel {message.channel!r}")
        except Exception as error:  # noqa: BLE001 - any failure of one message is recorded, not fatal
            self._record_failure(message, error, now, where)
            return 0
        message.status = "sent"
        message.sent_at = now
        message.last_error = None
        message.attempts += 1
        log.info("%s sent", where)
        return 1

    def _record_failure(self, message: OutboxMessage, error: Exception, now: datetime, where: str) -> None:
        # The error text may name addresses: it goes to the database, the log gets its type only.
        message.attempts += 1
        message.last_error = f"{type(error).__name__}: {error}"[:LAST_ERROR_LENGTH]
        limit = self._settings.outbox_max_attempts
        if message.attempts >= limit:
            message.status = "failed"
            log.error("%s failed for good after %d attempts: %s", where, message.attempts, type(error).__name__)
            return
        message.next_attempt_at = now + self.retry_delay(message.attempts)
        log.warning("%s not delivered (attempt %d of %d, next at %s): %s", where, message.attempts, limit,
                    message.next_attempt_at.isoformat(timespec="seconds"), type(error).__name__)

    def _send_email(self, message: OutboxMessage) -> None:
        settings = self._settings
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=self._smtp_timeout) as smtp:
            if settings.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password or "")
            smtp.send_message(self._email(message), to_addrs=[message.recipient])

    def _email(self, message: OutboxMessage) -> EmailMessage:
        sender_domain = parseaddr(self._settings.mail_from)[1].rpartition("@")[2] or "localhost"
        email = EmailMessage()
        email["From"] = self._settings.mail_from
        email["To"] = message.recipient
        # One line, whatever a subject quotes from the chat: a line break is refused in a header.
        email["Subject"] = " ".join((message.subject or "").split())
        email["Date"] = formatdate(usegmt=True)
        email["Message-ID"] = f"{message_id_stem(message)}{sender_domain}>"
        lead = message.lead
        if lead is not None and lead.email and message.recipient != lead.email:
            email["Reply-To"] = lead.email  # staff answer the SME; the SME's own confirmation needs no reply-to
        email.set_content(message.body)
        return email

    def _send_webhook(self, message: OutboxMessage) -> None:
        body = message.body.encode("utf-8")
        timestamp = str(int(time.time()))
        headers = {"Content-Type": "application/json; charset=utf-8", TIMESTAMP_HEADER: timestamp}
        if self._settings.webhook_secret:
            headers[SIGNATURE_HEADER] = sign_webhook_body(body, self._settings.webhook_secret, timestamp)
        response = httpx.post(message.recipient, content=body, headers=headers, timeout=self._webhook_timeout)
        response.raise_for_status()


def retry_failed(session: Session, lead_id: int | None = None, *, now: datetime | None = None) -> int:
    """Put failed messages (of one lead, or all) back in the queue with fresh attempts.

    Runs in the caller's transaction (the portal's); returns how many were re-queued.
    """
    statement = (
        update(OutboxMessage)
        .where(OutboxMessage.status == "failed")
        .values(status="pending", attempts=0, next_attempt_at=as_utc(now or datetime.now(UTC)))
        .execution_options(synchronize_session=False)
    )
    if lead_id is not None:
        statement = statement.where(OutboxMessage.lead_id == lead_id)
    return session.execute(statement).rowcount


def _describe(error: Exception) -> str:
    """Name the error without the SQL parameters SQLAlchemy would add (they may hold personal data)."""
    if isinstance(error, DBAPIError):
        return f"{type(error).__name__}: {error.orig}"
    return type(error).__name__


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bot.leads.outbox", description=__doc__.split("\n\n")[0])
    parser.add_argument("--once", action="store_true", help="make one pass over the due messages, then exit")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    settings = load_settings()
    schema.exit_unless_current(settings.database_url)
    engine = build_engine(settings.database_url)
    worker = OutboxWorker(engine, settings)
    try:
        if args.once:
            log.info("outbox pass: %d message(s) delivered", worker.run_once())
            return
        stop = threading.Event()
        for signal_number in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signal_number, lambda *_: stop.set())
        worker.run_forever(stop)
    finally:
        engine.dispose()


if __name__ == "__main__":
    main()
