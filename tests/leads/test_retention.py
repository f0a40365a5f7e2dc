"""Personal data retention on SQLite and PostgreSQL: leads erased and Rasa's events deleted after the period."""

from __future__ import annotations

import asyncio
import logging
import threading
from datetime import UTC, datetime, timedelta
from typing import Any, Callable

import pytest
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import func, inspect, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings, load_settings
from bot.conversations import retention
from bot.conversations.events import EVENTS
from bot.conversations.retention import EXPIRED, PurgeResult, purge_expired
from bot.leads.clusters import load_clusters
from bot.leads.models import ConsentRecord, Lead, LeadStatusChange, OutboxMessage
from bot.leads.outbox import OutboxWorker
from bot.leads.qualification import AT_REQUEST, HEAD_COUNT_ERASED
from bot.leads.store import LeadStore, Registration
from bot.tracker_store import DatabaseUrlTrackerStore
from tests.leads.test_store import QUALIFIED

NOW = datetime(2031, 6, 1, 12, 0, tzinfo=UTC)
DAYS = 365
CUTOFF = NOW - timedelta(days=DAYS)
OLD = CUTOFF - timedelta(minutes=1)
RECENT = CUTOFF + timedelta(minutes=1)


@pytest.fixture
def settings() -> Settings:
    return load_settings().copy(update={"webhook_url": None, "retention_days": DAYS})


@pytest.fixture
def store(engine: Engine, settings: Settings) -> LeadStore:
    return LeadStore(engine, load_clusters(), settings)


def save_lead(store: LeadStore, engine: Engine, conversation_id: str, created_at: datetime, **changes: Any) -> int:
    """A stored lead (qualified: with its hand-off e-mails) that was created at `created_at`."""
    lead = store.save(Registration(**{**QUALIFIED, "conversation_id": conversation_id, **changes}))
    with sessionmaker(engine, future=True).begin() as session:
        session.get(Lead, lead.id).created_at = created_at
    return lead.id


def save_conversation(tracker_store: DatabaseUrlTrackerStore, sender_id: str, *moments: datetime) -> None:
    """A stored conversation whose events happened at `moments` (user and bot alternating)."""
    events: list[Any] = [ActionExecuted("action_listen", timestamp=moments[0].timestamp())]
    for number, moment in enumerate(moments):
        kind = UserUttered if number % 2 == 0 else BotUttered
        events.append(kind(f"message {number}", timestamp=moment.timestamp()))
    asyncio.run(tracker_store.save(DialogueStateTracker.from_events(sender_id, events)))


def events_of(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        rows = connection.execute(select(EVENTS.c.sender_id, func.count()).group_by(EVENTS.c.sender_id)).all()
    return dict(rows)


def purge(engine: Engine, *, days: int | None = DAYS, dry_run: bool = False, now: datetime = NOW) -> PurgeResult:
    with sessionmaker(engine, future=True).begin() as session:
        return purge_expired(session, now=now, days=days, dry_run=dry_run)


def snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the tables a purge may change."""
    tables = ["leads", "lead_status_changes", "outbox_messages", "consent_records"]
    if inspect(engine).has_table("events"):
        tables.append("events")
    with engine.connect() as connection:
        return {name: [tuple(row) for row in connection.execute(text(f"SELECT * FROM {name} ORDER BY id"))]
                for name in tables}


def test_a_lead_whose_conversation_ended_before_the_cut_off_is_erased_and_a_recent_one_untouched(
    store: LeadStore, engine: Engine, session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    old = save_lead(store, engine, "conv-old", OLD)
    recent = save_lead(store, engine, "conv-recent", RECENT)
    assert not inspect(engine).has_table("events")  # Rasa never ran here: leads are dated by themselves

    with caplog.at_level(logging.INFO, logger="bot.conversations.retention"):
        result = purge(engine)

    assert (result.cutoff, result.leads, result.conversations, result.events) == (CUTOFF, 1, 0, 0)
    lead = session.get(Lead, old)
    assert lead is not None
    assert (lead.company_name, lead.contact_name, lead.email, lead.employees) == (None, None, None, None)
    assert lead.status == "erased" and lead.erased_at is not None
    assert lead.qualification_reasons[0] == f"{HEAD_COUNT_ERASED} {EXPIRED} (it counted as an SME)"
    assert (lead.country, lead.sector, lead.cluster) == ("DE", "medical_devices", "bioregio_stern")
    changes = session.scalars(
        select(LeadStatusChange).where(LeadStatusChange.lead_id == old).order_by(LeadStatusChange.id)
    ).all()
    assert [(change.status, change.changed_by) for change in changes] == [("new", "assistant"), ("erased", "retention")]
    assert changes[-1].note == "retention: the conversation ended more than 365 days ago"
    messages = session.scalars(select(OutboxMessage).where(OutboxMessage.lead_id == old)).all()
    assert messages and all((m.status, m.subject, m.body) == ("cancelled", None, "") for m in messages)
    consent = session.scalars(select(ConsentRecord).where(ConsentRecord.lead_id == old)).one()
    assert (consent.given, consent.notice_version) == (True, "2026-01")  # the proof stays

    kept = session.get(Lead, recent)
    assert kept is not None and kept.erased_at is None and kept.status == "new"
    assert (kept.company_name, kept.email, kept.employees) == (QUALIFIED["company_name"], QUALIFIED["email"], 40.0)
    kept_messages = session.scalars(select(OutboxMessage).where(OutboxMessage.lead_id == recent)).all()
    assert kept_messages and all(m.status == "pending" and m.body for m in kept_messages)

    assert "erased the personal details of 1 lead(s)" in caplog.text
    assert "conv-" not in caplog.text and "herzwerk" not in caplog.text.lower()

    assert purge(engine).leads == 0  # an erased lead is not erased again


def test_old_conversations_lose_their_events_and_a_recent_conversation_is_kept_whole(
    store: LeadStore, engine: Engine, session: Session, rasa_store: DatabaseUrlTrackerStore
) -> None:
    save_conversation(rasa_store, "conv-old", OLD - timedelta(days=30), OLD - timedelta(days=1), OLD)
    save_conversation(rasa_store, "conv-back", OLD - timedelta(days=300), OLD, RECENT)  # came back: kept whole
    save_conversation(rasa_store, "conv-new", RECENT, NOW)
    old = save_lead(store, engine, "conv-old", OLD - timedelta(days=1))
    back = save_lead(store, engine, "conv-back", OLD - timedelta(days=300))
    lead_only = save_lead(store, engine, "conv-widget-gone", OLD)  # its events were never stored here
    before = events_of(engine)
    assert before == {"conv-old": 4, "conv-back": 4, "conv-new": 3}

    result = purge(engine)

    assert (result.leads, result.conversations, result.events) == (2, 1, 4)
    assert events_of(engine) == {"conv-back": 4, "conv-new": 3}
    assert [session.get(Lead, lead_id).status for lead_id in (old, back, lead_only)] == ["erased", "new", "erased"]
    assert session.get(Lead, back).email == QUALIFIED["email"]

    later = purge(engine, now=NOW + timedelta(days=DAYS + 1))  # a year on, everything has expired
    assert (later.leads, later.conversations, later.events) == (1, 2, 7)
    assert events_of(engine) == {}


def test_a_dry_run_counts_and_changes_nothing(
    store: LeadStore, engine: Engine, rasa_store: DatabaseUrlTrackerStore
) -> None:
    save_conversation(rasa_store, "conv-old", OLD - timedelta(days=2), OLD)
    save_conversation(rasa_store, "conv-new", RECENT)
    save_lead(store, engine, "conv-old", OLD)
    save_lead(store, engine, "conv-new", OLD)
    before = snapshot(engine)

    dry = purge(engine, dry_run=True)

    assert snapshot(engine) == before
    assert (dry.leads, dry.conversations, dry.events, dry.dry_run) == (1, 1, 3, True)
    assert dry.describe().startswith(f"retention cut-off {CUTOFF.isoformat(timespec='seconds')}: would erase")
    done = purge(engine)
    assert (done.leads, done.conversations, done.events) == (dry.leads, dry.conversations, dry.events)
    assert snapshot(engine) != before


def test_retention_off_does_nothing(store: LeadStore, engine: Engine, rasa_store: DatabaseUrlTrackerStore) -> None:
    save_conversation(rasa_store, "conv-ancient", datetime(2001, 1, 1, tzinfo=UTC))
    save_lead(store, engine, "conv-ancient", datetime(2001, 1, 1, tzinfo=UTC))
    before = snapshot(engine)

    result = purge(engine, days=None)

    assert result == PurgeResult(cutoff=None)
    assert result.describe() == "retention is off: nothing purged"
    assert snapshot(engine) == before


def test_retention_erases_what_the_sme_s_own_erasure_erases(
    store: LeadStore, engine: Engine, session: Session, erase: Callable[..., int]
) -> None:
    """The two erasures must not drift apart: same columns blanked, same hand-off treatment."""
    by_request = save_lead(store, engine, "conv-request", OLD)
    by_retention = save_lead(store, engine, "conv-retention", OLD)
    erase("conv-request")
    assert purge(engine).leads == 1

    def erased(lead_id: int) -> tuple[dict[str, Any], list[tuple[Any, ...]], list[str]]:
        lead = session.get(Lead, lead_id)
        assert lead is not None
        skip = {"id", "conversation_id", "erased_at", "qualification_reasons"}
        columns = {c.key: getattr(lead, c.key) for c in inspect(Lead).column_attrs if c.key not in skip}
        columns["reasons"] = [r.replace(EXPIRED, AT_REQUEST) for r in lead.qualification_reasons]
        messages = [(m.channel, m.recipient, m.cluster, m.subject, m.body, m.status) for m in lead.notifications]
        return columns, messages, [change.status for change in lead.status_changes]

    assert erased(by_retention) == erased(by_request)


@pytest.mark.parametrize(
    ("value", "days"),
    [(None, 365), ("", 365), ("0", 365), (" 30 ", 30), ("off", None), ("OFF", None)],
)
def test_the_retention_setting(monkeypatch: pytest.MonkeyPatch, value: str | None, days: int | None) -> None:
    if value is None:
        monkeypatch.delenv("S3M_RETENTION_DAYS", raising=False)
    else:
        monkeypatch.setenv("S3M_RETENTION_DAYS", value)
    assert load_settings().retention_days == days


@pytest.mark.parametrize("value", ["-5", "a year", "1.5"])
def test_a_wrong_retention_setting_is_refused(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("S3M_RETENTION_DAYS", value)
    with pytest.raises(ValueError, match="S3M_RETENTION_DAYS"):
        load_settings()


def wait_for(condition: Any, timeout: float = 20.0) -> None:
    stop = threading.Event()
    deadline = datetime.now(UTC) + timedelta(seconds=timeout)
    while not condition():
        assert datetime.now(UTC) < deadline, "timed out"
        stop.wait(0.05)


def erased_at(engine: Engine, lead_id: int) -> datetime | None:
    with Session(engine) as session:
        return session.scalar(select(Lead.erased_at).where(Lead.id == lead_id))


class PurgeCountingWorker(OutboxWorker):
    """The real worker, keeping the result of each retention purge it ran: an event to wait for."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.purges: list[PurgeResult] = []

    def purge_expired(self, now: datetime | None = None) -> PurgeResult:
        result = super().purge_expired(now)
        self.purges.append(result)
        return result


def run_worker(worker: OutboxWorker) -> tuple[threading.Thread, threading.Event]:
    stop = threading.Event()
    loop = threading.Thread(target=worker.run_forever, args=(stop,))
    loop.start()
    return loop, stop


def test_the_outbox_worker_purges_at_start_and_then_once_per_period(
    store: LeadStore, engine: Engine, settings: Settings
) -> None:
    now = datetime.now(UTC)
    unqualified = {"employees": 900}  # no hand-off: the worker has nothing to send
    first = save_lead(store, engine, "conv-first", now - timedelta(days=DAYS + 1), **unqualified)
    every = timedelta(seconds=2)
    worker = OutboxWorker(engine, settings.copy(update={"outbox_interval": 0.02}), retention_every=every)
    loop, stop = run_worker(worker)
    try:
        wait_for(lambda: erased_at(engine, first) is not None)
        second = save_lead(store, engine, "conv-second", now - timedelta(days=DAYS + 1), **unqualified)
        wait_for(lambda: erased_at(engine, second) is not None)
    finally:
        stop.set()
        loop.join(timeout=10)
    assert not loop.is_alive()
    # Many outbox passes ran in between, but the second lead waited for the next purge.
    assert erased_at(engine, second) - erased_at(engine, first) >= every - timedelta(milliseconds=50)


def test_the_outbox_worker_leaves_everything_when_retention_is_off(
    store: LeadStore, engine: Engine, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    lead = save_lead(store, engine, "conv-ancient", datetime(2001, 1, 1, tzinfo=UTC), employees=900)
    worker = PurgeCountingWorker(engine, settings.copy(update={"outbox_interval": 0.02, "retention_days": None}),
                                 retention_every=timedelta(seconds=0.05))
    with caplog.at_level(logging.INFO):
        loop, stop = run_worker(worker)
        try:
            wait_for(lambda: len(worker.purges) >= 3)  # three purges ran, the first one at start
        finally:
            stop.set()
            loop.join(timeout=10)
    assert [purge.describe() for purge in worker.purges[:3]] == ["retention is off: nothing purged"] * 3
    assert erased_at(engine, lead) is None
    assert "failed" not in caplog.text


def test_the_command_line_reports_a_dry_run_then_purges(
    store: LeadStore, engine: Engine, database_url: str, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("S3M_DATABASE_URL", database_url)
    monkeypatch.setenv("S3M_RETENTION_DAYS", "off")
    lead = save_lead(store, engine, "conv-cli", datetime.now(UTC) - timedelta(days=31), employees=900)

    retention.main([])
    assert capsys.readouterr().out == "retention is off: nothing purged\n"
    retention.main(["--days", "30", "--dry-run"])
    assert "would erase the personal details of 1 lead(s)" in capsys.readouterr().out
    assert erased_at(engine, lead) is None
    retention.main(["--days", "30"])
    assert ": erased the personal details of 1 lead(s)" in capsys.readouterr().out
    assert erased_at(engine, lead) is not None
    with pytest.raises(SystemExit):
        retention.main(["--days", "0"])

