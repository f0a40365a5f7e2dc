"""A fresh, migrated database per test, on SQLite and on PostgreSQL.

PostgreSQL is the project machines' server (127.0.0.1:5432, trust auth); each test
gets its own throw-away database there. Set S3M_TEST_POSTGRES_URL to another
server, or to "off" to skip the PostgreSQL half where no server exists (never in CI).
"""

from __future__ import annotations

import os
import uuid
from typing import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from bot.database import build_engine
from bot.leads import schema

POSTGRES_URL = os.environ.get("S3M_TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test")


def _postgres_database() -> Iterator[str]:
    if POSTGRES_URL == "off":
        if os.environ.get("CI"):
            pytest.fail("S3M_TEST_POSTGRES_URL=off is not allowed in CI")
        pytest.skip("PostgreSQL tests switched off (S3M_TEST_POSTGRES_URL=off)")
    server = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT", future=True)
    name = f"s3m_test_{uuid.uuid4().hex[:12]}"
    try:
        with server.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # noqa: BLE001 - say why, then fail or skip
        if os.environ.get("CI"):
            raise
        pytest.skip(f"no PostgreSQL at {POSTGRES_URL}: {error}")
    try:
        yield str(make_url(POSTGRES_URL).set(database=name))
    finally:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    """URL of an empty database with the current schema."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'leads.db'}"
        schema.upgrade(url)
        yield url
    else:
        for url in _postgres_database():
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
