"""The lead webhook of the running assistant, received by a real HTTP server that checks its signature.

The receiver is down (its port taken, nobody listening) when the SME completes its registration
over REST: the outbox worker retries with back-off, and once the receiver is up the lead arrives
exactly once, signed as README.md tells receivers to check: `X-S3M-Signature: sha256=<HMAC-SHA256
of "<X-S3M-Timestamp>.<body>">` with the shared secret, the timestamp at most five minutes old.
The receiver computes that itself, not with the assistant's code.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Iterator

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.database import build_engine
from bot.leads.models import OutboxMessage
from tests.conftest import Assistant, running_assistant, wait_until
from tests.test_registration import REGISTRATIONS, converse

SECRET = "e2e-webhook-secret"
TOLERANCE_SECONDS = 300
CONTRACT_FIELDS = {"id", "created_at", "language", "company_name", "contact_name", "email", "country", "employees",
                   "sector", "interests", "target_regions", "qualified", "qualification_reasons", "cluster",
                   "cc_clusters", "routing_reason", "status", "conversation_id"}


class LeadReceiver(ThreadingHTTPServer):
    """A cluster's webhook endpoint: keeps a POSTed lead only when its signature is right (answer 204),
    refuses anything else with 401. Created down: the port is bound but not listened on, so the
    assistant's connections are refused until `come_up()`."""

    def __init__(self, secret: str) -> None:
        super().__init__(("127.0.0.1", 0), _SignatureCheckingHandler, bind_and_activate=False)
        self.server_bind()
        self.secret = secret.encode("utf-8")
        self.accepted: list[tuple[Message, bytes]] = []
        self.refused = 0
        self._thread = threading.Thread(target=self.serve_forever, name="lead-receiver", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/s3martmed/leads"

    def come_up(self) -> None:
        self.server_activate()
        self._thread.start()

    def close(self) -> None:
        if self._thread.is_alive():
            self.shutdown()
        self.server_close()

    def is_signed(self, headers: Message, body: bytes) -> bool:
        timestamp = headers.get("X-S3M-Timestamp") or ""
        signature = headers.get("X-S3M-Signature") or ""
        if not (timestamp.isascii() and timestamp.isdigit()) or abs(time.time() - int(timestamp)) > TOLERANCE_SECONDS:
            return False
        expected = hmac.new(self.secret, timestamp.encode("ascii") + b"." + body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(f"sha256={expected}".encode(), signature.encode("utf-8", "replace"))


class _SignatureCheckingHandler(BaseHTTPRequestHandler):
    server: LeadReceiver

    def do_POST(self) -> None:  # noqa: N802 - http.server's hook name
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.server.is_signed(self.headers, body):
            self.server.accepted.append((self.headers, body))
            self.send_response(204)
        else:
            self.server.refused += 1
            self.send_response(401)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's signature
        pass


@pytest.fixture(scope="module")
def receiver() -> Iterator[LeadReceiver]:
    server = LeadReceiver(SECRET)
    yield server
    server.close()


@pytest.fixture(scope="module")
def webhook_assistant(trained_model: Path, tmp_path_factory: pytest.TempPathFactory,
                      receiver: LeadReceiver) -> Iterator[Assistant]:
    """An assistant of its own with the webhook configured; a failed delivery is retried after 1 s, 2 s, 4 s..."""
    with running_assistant(tmp_path_factory.mktemp("webhook_assistant"),
                           S3M_WEBHOOK_URL=receiver.url, S3M_WEBHOOK_SECRET=SECRET, S3M_OUTBOX_BACKOFF="1",
                           S3M_RATE_LIMIT_PER_MINUTE="6000", S3M_RATE_LIMIT_BURST="1000") as started:
        yield started


@pytest.fixture(scope="module")
def database(webhook_assistant: Assistant) -> Iterator[Engine]:
    engine = build_engine(webhook_assistant.database_url)
    yield engine
    engine.dispose()


def webhook_message_once(database: Engine, lead_id: int, ready: Callable[[OutboxMessage], bool],
                         what: str) -> OutboxMessage:
    """The lead's webhook row of the outbox, once `ready` holds for it."""
    def current() -> OutboxMessage | None:
        with Session(database) as session:
            row = session.scalars(select(OutboxMessage).where(OutboxMessage.lead_id == lead_id,
                                                              OutboxMessage.channel == "webhook")).one()
        return row if ready(row) else None

    return wait_until(current, 60, what)


def test_a_lead_saved_while_the_receiver_is_down_arrives_once_and_signed(webhook_assistant, receiver, database):
    assistant = webhook_assistant
    steps, _ = REGISTRATIONS["en"]
    sender = assistant.new_sender()
    converse(assistant, sender, steps)
    [lead] = assistant.leads_of(sender)
    assert lead["qualified"] is True

    # Down: each attempt is refused and recorded, and tried again after the back-off.
    retried = webhook_message_once(database, lead["id"], lambda row: row.attempts >= 2, "no second attempt")
    assert retried.status == "pending" and "ConnectError" in retried.last_error
    assert receiver.accepted == []

    receiver.come_up()
    delivered = webhook_message_once(database, lead["id"], lambda row: row.status == "sent",
                                     "not delivered once the receiver was up")
    assert delivered.attempts > retried.attempts and delivered.last_error is None
    # Once `sent`, the worker never claims the message again: this is the only delivery.
    assert len(receiver.accepted) == 1 and receiver.refused == 0
    [(headers, body)] = receiver.accepted
    payload = json.loads(body)
    assert CONTRACT_FIELDS <= payload.keys()
    assert {key: payload[key] for key in lead} == lead  # the lead API's fields and values
    assert payload["recipient_clusters"] == [lead["cluster"], *lead["cc_clusters"]]

    # The receiver is real: what the assistant did not sign, it refuses.
    def post(content: bytes, **changed: str) -> int:
        sent = {"Content-Type": "application/json", "X-S3M-Timestamp": headers["X-S3M-Timestamp"],
                "X-S3M-Signature": headers["X-S3M-Signature"], **changed}
        return httpx.post(receiver.url, content=content, headers=sent, timeout=10).status_code

    stale = str(int(time.time()) - TOLERANCE_SECONDS - 60)
    stale_signature = hmac.new(SECRET.encode(), stale.encode() + b"." + body, hashlib.sha256).hexdigest()
    forged = hmac.new(b"guessed-secret", headers["X-S3M-Timestamp"].encode() + b"." + body, hashlib.sha256)
    assert post(body.replace(b"Medisens", b"Evilsens")) == 401  # body changed after signing
    assert post(body, **{"X-S3M-Signature": f"sha256={forged.hexdigest()}"}) == 401  # signed with another key
    replayed_at = str(int(headers["X-S3M-Timestamp"]) + 60)
    assert post(body, **{"X-S3M-Timestamp": replayed_at}) == 401  # replayed later with a fresh timestamp
    assert post(body, **{"X-S3M-Timestamp": stale, "X-S3M-Signature": f"sha256={stale_signature}"}) == 401
    assert post(body, **{"X-S3M-Signature": ""}) == 401
    assert len(receiver.accepted) == 1 and receiver.refused == 5
