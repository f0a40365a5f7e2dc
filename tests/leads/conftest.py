"""A fresh, migrated database per test, on SQLite and on PostgreSQL.

PostgreSQL is the project machines' server (127.0.0.1:5432, trust auth); each test
gets its own throw-away database there. Set S3M_TEST_POSTGRES_URL to another
server, or to "off" to skip the PostgreSQL half where no server exists (never in CI).
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Callable, Iterator

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings
from bot.conversations.erasure import erase_conversation
from bot.database import build_engine
from bot.leads import schema
from bot.leads.clusters import load_clusters
from bot.tracker_store import DatabaseUrlTrackerStore
from tests.postgres import throwaway_postgres_database


@pytest.fixture(autouse=True)
def erasure_files_elsewhere(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An erasure deletes kept e-mails and training examples naming the SME: in the tests, never
    the repository's own (var/mailbox/, nlu_data/*/from_users.yml)."""
    folder = tmp_path_factory.mktemp("erasure-files")
    monkeypatch.setenv("S3M_TRAINING_DIR", str(folder))
    monkeypatch.setenv("S3M_MAILBOX_DIR", str(folder / "mailbox"))
    return folder


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    """URL of an empty database with the current schema."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'leads.db'}"
        schema.upgrade(url)
        yield url
    else:
        for url in throwaway_postgres_database():
            schema.upgrade(url)
            yield url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = build_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with sessionmaker(engine, future=True)() as session:
        yield session


@pytest.fixture
def erase(engine: Engine, settings: Settings) -> Callable[..., int]:
    """An SME's erasure of a conversation (bot.conversations.erasure) with the test module's `settings`."""
    return partial(erase_conversation, engine, clusters=load_clusters(), settings=settings)


@pytest.fixture
def rasa_store(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[DatabaseUrlTrackerStore]:
    """Rasa's own SQL tracker store on the test database: it creates and fills the `events` table."""
    monkeypatch.setenv("S3M_DATABASE_URL", database_url)
    tracker_store = DatabaseUrlTrackerStore()
    yield tracker_store
    tracker_store.engine.dispose()
