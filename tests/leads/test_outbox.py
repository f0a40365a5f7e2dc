"""The outbox worker against a real SMTP server (aiosmtpd) and a real HTTP server: nothing is lost."""

from __future__ import annotations

import email
import email.policy
import json
import logging
import threading
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterator

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.config import Settings, load_settings
from bot.database import build_engine
from bot.launcher import process_commands
from bot.leads.clusters import load_clusters
from bot.leads.handoff import SIGNATURE_HEADER, TIMESTAMP_HEADER, enqueue_handoff, verify_webhook_signature
from bot.leads.mailbox import MailboxHandler
from bot.leads.models import Lead, OutboxMessage
from bot.leads.outbox import OutboxWorker, retry_failed
from tests.conftest import free_port
from tests.leads.test_handoff import PORTAL_URL, add_qualified_lead, settings_for

T0 = datetime(2030, 1, 7, 9, 0, tzinfo=UTC)
SECRET = "webhook-test-secret"


class CollectingHandler:
    """aiosmtpd handler that keeps what it received."""

    def __init__(self) -> None:
        self.received: list[tuple[str, list[str], EmailMessage]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 OK"


class SmtpServer:
    """A real SMTP server on a fixed localhost port, started and stopped at will."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.handler = CollectingHandler()
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


class WebhookReceiver(ThreadingHTTPServer):
    """A real HTTP server that records each POST and answers with `status`."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _RecordingRequestHandler)
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.status = 204

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hooks/leads"


class _RecordingRequestHandler(BaseHTTPRequestHandler):
    server: WebhookReceiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.requests.append((dict(self.headers), body))
        self.send_response(self.server.status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    """An SMTP server that is down until the test starts it."""
    server = SmtpServer(free_port())
    yield server
    server.stop()


@pytest.fixture
def webhook() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    thread = threading.Thread(target=receiver.serve_forever, daemon=True)
    thread.start()
    yield receiver
    receiver.shutdown()
    receiver.server_close()


def worker_for(engine: Engine, settings: Settings) -> OutboxWorker:
    return OutboxWorker(engine, settings, smtp_timeout=5, webhook_timeout=5)


def hand_off(session: Session, settings: Settings, **lead_fields: Any) -> int:
    """Store a qualified lead with its hand-off, due at T0; return the lead's id."""
    lead = add_qualified_lead(session, **lead_fields)
    for message in enqueue_handoff(session, lead, load_clusters(), settings):
        message.next_attempt_at = T0
    lead_id = lead.id
    session.commit()
    return lead_id


def outbox(engine: Engine) -> list[OutboxMessage]:
    with Session(engine, expire_on_commit=False) as session:
        return list(session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars())


def as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def test_delivers_each_cluster_email_and_the_signed_webhook(
    engine: Engine, session: Session, smtp: SmtpServer, webhook: WebhookReceiver
) -> None:
    settings = settings_for(smtp_port=smtp.port, webhook_url=webhook.url, webhook_secret=SECRET)
    lead_id = hand_off(session, settings)
    smtp.start()

    assert worker_for(engine, settings).run_once(now=T0) == 3

    received = {rcpt_tos[0]: message for _, rcpt_tos, message in smtp.handler.received}
    assert sorted(received) == ["leads@bioregio-stern.example", "leads@biowin.example"]
    owner = received["leads@bioregio-stern.example"]
    assert owner["Subject"] == "[S3martMed] Neuer Lead für Ihren Cluster: Acme Medical GmbH (DE)"
    assert owner["To"] == "leads@bioregio-stern.example"
    assert owner["Reply-To"] == "jana.novak@acme-medical.example"
    assert "assistant@s3martmed.localhost" in owner["From"]
    for message in received.values():
        body = message.get_content()
        assert "Acme Medical GmbH" in body
        assert f"{PORTAL_URL}/leads/{lead_id}" in body
    assert received["leads@biowin.example"]["Subject"].startswith("[S3martMed] Copie d'un contact")

    [(headers, body)] = webhook.requests
    assert verify_webhook_signature(body, SECRET, headers[SIGNATURE_HEADER], headers[TIMESTAMP_HEADER])
    assert json.loads(body)["id"] == lead_id
    assert [(m.status, m.attempts, as_utc(m.sent_at)) for m in outbox(engine)] == [("sent", 1, T0)] * 3

    assert worker_for(engine, settings).run_once(now=T0 + timedelta(hours=1)) == 0
    assert len(smtp.handler.received) == 2 and len(webhook.requests) == 1


def test_smtp_down_keeps_the_email_until_the_server_is_back(
    engine: Engine, session: Session, smtp: SmtpServer
) -> None:
    settings = settings_for(smtp_port=smtp.port)
    lead_id = hand_off(session, settings, cc_clusters=[])
    worker = worker_for(engine, settings)

    assert worker.run_once(now=T0) == 0
    [message] = outbox(engine)
    assert (message.status, message.attempts) == ("pending", 1)
    assert "Connection refused" in message.last_error or "ConnectionRefusedError" in message.last_error
    assert as_utc(message.next_attempt_at) == T0 + timedelta(seconds=30)

    smtp.start()
    assert worker.run_once(now=T0 + timedelta(seconds=29)) == 0, "not due yet"
    assert smtp.handler.received == []
    assert worker.run_once(now=T0 + timedelta(seconds=30)) == 1

    [message] = outbox(engine)
    assert (message.status, message.attempts, message.last_error) == ("sent", 2, None)
    [(_, rcpt_tos, received)] = smtp.handler.received
    assert rcpt_tos == ["leads@bioregio-stern.example"]
    assert f"{PORTAL_URL}/leads/{lead_id}" in received.get_content()


def test_back_off_doubles_up_to_the_cap(engine: Engine) -> None:
    worker = OutboxWorker(engine, settings_for())
    assert [worker.retry_delay(n).total_seconds() for n in (1, 2, 3, 7, 8, 50)] == [30, 60, 120, 1920, 3600, 3600]


def test_the_first_back_off_is_a_setting(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("S3M_OUTBOX_BACKOFF", "2")
    worker = OutboxWorker(engine, load_settings())
    assert [worker.retry_delay(n).total_seconds() for n in (1, 2, 3, 11, 12)] == [2, 4, 8, 2048, 3600]


def test_gives_up_after_the_last_attempt_until_retried(engine: Engine, session: Session, smtp: SmtpServer) -> None:
    settings = settings_for(smtp_port=smtp.port, outbox_max_attempts=3)
    hand_off(session, settings, cc_clusters=[])
    worker = OutboxWorker(engine, settings, retry_base=timedelta(seconds=1), retry_cap=timedelta(seconds=2))

    for minute in range(5):
        worker.run_once(now=T0 + timedelta(minutes=minute))
    [message] = outbox(engine)
    assert (message.status, message.attempts) == ("failed", 3)

    smtp.start()
    assert worker.run_once(now=T0 + timedelta(hours=1)) == 0, "failed messages wait for a person"
    assert worker.retry_failed() == 1
    [message] = outbox(engine)
    assert (message.status, message.attempts) == ("pending", 0)
    assert worker.run_once() == 1
    assert outbox(engine)[0].status == "sent"


def test_retry_failed_for_one_lead_leaves_the_others(engine: Engine, session: Session) -> None:
    settings = settings_for()
    first = hand_off(session, settings, cc_clusters=[])
    second = hand_off(session, settings, cc_clusters=[], conversation_id="conversation-2")
    for message in session.execute(select(OutboxMessage)).scalars():
        message.status = "failed"
    session.commit()

    assert retry_failed(session, lead_id=first, now=T0) == 1
    session.commit()
    assert {m.lead_id: m.status for m in outbox(engine)} == {first: "pending", second: "failed"}


def test_a_refused_webhook_is_retried(engine: Engine, session: Session, webhook: WebhookReceiver) -> None:
    settings = settings_for(webhook_url=webhook.url, webhook_secret=SECRET)
    hand_off(session, settings, cc_clusters=[])
    session.execute(select(OutboxMessage).where(OutboxMessage.channel == "email")).scalar_one().status = "sent"
    session.commit()
    webhook.status = 503

    worker = worker_for(engine, settings)
    assert worker.run_once(now=T0) == 0
    message = next(m for m in outbox(engine) if m.channel == "webhook")
    assert (message.status, message.attempts) == ("pending", 1)
    assert "503" in message.last_error

    webhook.status = 200
    assert worker.run_once(now=T0 + timedelta(minutes=1)) == 1
    assert len(webhook.requests) == 2


def test_a_message_locked_by_another_worker_is_skipped(engine: Engine, session: Session, smtp: SmtpServer) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("row locks (SELECT ... FOR UPDATE SKIP LOCKED) exist on PostgreSQL only")
    settings = settings_for(smtp_port=smtp.port)
    hand_off(session, settings, cc_clusters=[])
    smtp.start()
    worker = worker_for(engine, settings)

    with engine.connect() as other_worker, other_worker.begin():
        other_worker.execute(select(OutboxMessage.id).with_for_update())
        assert worker.run_once(now=T0) == 0
    assert smtp.handler.received == []
    assert worker.run_once(now=T0) == 1


def test_messages_of_an_erased_lead_are_cancelled(engine: Engine, session: Session, smtp: SmtpServer) -> None:
    settings = settings_for(smtp_port=smtp.port)
    lead_id = hand_off(session, settings, cc_clusters=[])
    session.get(Lead, lead_id).erased_at = T0
    session.commit()
    smtp.start()

    assert worker_for(engine, settings).run_once(now=T0) == 0
    assert [m.status for m in outbox(engine)] == ["cancelled"]
    assert smtp.handler.received == []


def test_the_development_mailbox_keeps_each_email_as_a_file(
    engine: Engine, session: Session, tmp_path: Path
) -> None:
    port = free_port()
    controller = Controller(MailboxHandler(tmp_path / "mailbox"), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings = settings_for(smtp_port=port)
        hand_off(session, settings, cc_clusters=[])
        assert worker_for(engine, settings).run_once(now=T0) == 1
    finally:
        controller.stop()

    [kept] = (tmp_path / "mailbox").glob("*.eml")
    message = email.message_from_bytes(kept.read_bytes(), policy=email.policy.default)
    assert message["X-Envelope-To"] == "leads@bioregio-stern.example"
    assert "Acme Medical GmbH" in message.get_content()


@pytest.mark.parametrize("local_mailbox", [True, False])
def test_make_run_starts_the_worker_and_without_smtp_server_the_mailbox(local_mailbox: bool) -> None:
    commands = process_commands(settings_for(local_mailbox=local_mailbox), "model.tar.gz")
    assert commands["outbox"].endswith("-m bot.leads.outbox")
    assert ("mailbox" in commands) is local_mailbox


def test_the_worker_loop_delivers_and_stops_on_request(engine: Engine, session: Session, smtp: SmtpServer) -> None:
    settings = settings_for(smtp_port=smtp.port, outbox_interval=0.05)
    hand_off(session, settings, cc_clusters=[])
    session.execute(select(OutboxMessage)).scalar_one().next_attempt_at = datetime.now(UTC)
    session.commit()
    smtp.start()
    stop = threading.Event()
    loop = threading.Thread(target=worker_for(engine, settings).run_forever, args=(stop,))
    loop.start()
    try:
        for _ in range(100):
            if smtp.handler.received:
                break
            stop.wait(0.05)
    finally:
        stop.set()
        loop.join(timeout=10)
    assert not loop.is_alive()
    assert [m.status for m in outbox(engine)] == ["sent"]


def test_the_worker_loop_survives_a_database_without_schema(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    engine = build_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    stop = threading.Event()
    loop = threading.Thread(target=worker_for(engine, settings_for(outbox_interval=0.05)).run_forever, args=(stop,))

    def failures() -> list[str]:
        return [r.getMessage() for r in caplog.records if "outbox pass failed" in r.getMessage()]

    with caplog.at_level(logging.ERROR, logger="bot.leads.outbox"):
        loop.start()
        try:
            for _ in range(400):  # until the second pass has failed too: the worker lived on
                if len(failures()) >= 2:
                    break
                stop.wait(0.05)
        finally:
            stop.set()
            loop.join(timeout=10)
    engine.dispose()
    assert not loop.is_alive()
    assert len(failures()) >= 2
    assert "no such table: outbox_messages" in failures()[0]


def test_a_subject_with_line_breaks_is_sent_on_one_line(engine: Engine, session: Session, smtp: SmtpServer) -> None:
    """Subjects quote names typed in the chat (the portal's re-assignment e-mail too): a line
    break in a header made the e-mail fail at every attempt."""
    from bot.leads.handoff import pending_message

    settings = settings_for(smtp_port=smtp.port)
    lead = add_qualified_lead(session, company_name="Acme\r\nBcc: everyone@example.org\nMedical")
    message = pending_message(lead, channel="email", recipient="leads@biopmed.example", cluster="biopmed",
                              subject=f"Lead moved to you: {lead.company_name}", body="See the portal.")
    session.add(message)
    message.next_attempt_at = T0
    session.commit()
    smtp.start()
    assert worker_for(engine, settings).run_once(now=T0) == 1
    [(_, rcpt_tos, received)] = smtp.handler.received
    assert received["Subject"] == "Lead moved to you: Acme Bcc: everyone@example.org Medical"
    assert rcpt_tos == ["leads@biopmed.example"] and received["Bcc"] is None


def test_a_webhook_without_a_secret_is_warned_about(engine: Engine, caplog: pytest.LogCaptureFixture) -> None:
    worker_for(engine, settings_for(webhook_url="http://127.0.0.1:9/hook"))
    assert "without S3M_WEBHOOK_SECRET" in caplog.text
    caplog.clear()
    worker_for(engine, settings_for(webhook_url="http://127.0.0.1:9/hook", webhook_secret=SECRET))
    assert "S3M_WEBHOOK_SECRET" not in caplog.text
