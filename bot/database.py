"""Engine factory shared by the tracker store, the actions and the portal."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.pool import QueuePool


def ensure_sqlite_directory(url: str) -> None:
    """Create the folder of a SQLite file so that a fresh clone needs no set-up."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)


def build_engine(url: str) -> Engine:
    """Build an engine; SQLite gets WAL so Rasa, actions and portal can share the file."""
    ensure_sqlite_directory(url)
    engine = create_engine(url, future=True, pool_pre_ping=True, **sqlite_pool(url))
    tune_sqlite(engine)
    return engine


def sqlite_pool(url: str) -> dict[str, Any]:
    """Keep a SQLite file's connections open between sessions, as SQLAlchemy 2.0 does by default.

    SQLAlchemy 1.4 opens and closes a file's connection for every session, and the last
    connection to close checkpoints the WAL into the file: a quarter of Rasa's tracker-store
    time per message (docs/benchmark.md, "Profile"). Other databases keep their own pools.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return {}
    return {"poolclass": QueuePool, "connect_args": {"check_same_thread": False}}


def tune_sqlite(engine: Engine) -> None:
    """Give each new SQLite connection WAL, a busy timeout and commits without fsync.

    Several processes share the embedded default's file, hence WAL and the busy timeout.
    `synchronous=NORMAL` syncs at checkpoints instead of at every commit: each message's
    tracker save would otherwise wait for the disk (2 ms here), and WAL keeps the file
    consistent if a process dies. A power cut may lose the last moments; production runs
    on PostgreSQL (docs/production.md). Other databases are left untouched.
    """
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()


def create_scratch_database(server_url: str, prefix: str) -> str:
    """Create a new, empty PostgreSQL database on the server of `server_url`; return its URL.

    For the tests and `make bench`, which must never write into a database in use.
    """
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    _on_server(server_url, f'CREATE DATABASE "{name}"')
    return str(make_url(server_url).set(database=name))


def drop_scratch_database(url: str) -> None:
    """Drop a database made by `create_scratch_database`, closing its open connections."""
    _on_server(url, f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')


def _on_server(url: str, statement: str) -> None:
    server = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT", future=True)
    try:
        with server.connect() as connection:
            connection.execute(text(statement))
    finally:
        server.dispose()
