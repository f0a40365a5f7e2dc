"""Bring a database's tables up to date with the Alembic migrations in `migrations/`, in one step.

Migrating is a step of its own, before the processes that share the database start: `make run`
(`bot.launcher`), the `migrate` service of deploy/compose.yml, or `python -m bot.leads.schema` by
hand. No other process migrates: the portal, the action server, the outbox worker and the
command-line tools only check that the schema is current, and refuse to start on one that is not,
so that none changes the tables under another that is running. The tests migrate through here too,
so the schema is only ever created one way, whatever the working directory.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from bot.config import PROJECT_ROOT, load_settings
from bot.database import build_engine, ensure_sqlite_directory

ALEMBIC_INI = PROJECT_ROOT / "alembic.ini"
MIGRATIONS_DIR = PROJECT_ROOT / "migrations"


def alembic_config(url: str) -> Config:
    """Alembic's configuration for the database at `url` (read by migrations/env.py)."""
    config = Config(str(ALEMBIC_INI))
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    config.attributes["url"] = url
    return config


class SchemaNotCurrent(RuntimeError):
    """The database's tables are not those this code was written for: migrate first."""


def require_current(url: str) -> None:
    """Refuse a database whose schema the migrations have not brought to this code's revision."""
    expected = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    engine = build_engine(url)
    try:
        with engine.connect() as connection:
            found = MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()
    if found != expected:
        database = make_url(url).render_as_string(hide_password=True)
        raise SchemaNotCurrent(
            f"the database {database} is at schema revision {found or 'none (empty)'}, this code needs "
            f"{expected}: migrate it with `python -m bot.leads.schema` (`make run` does it before starting)"
        )


def exit_unless_current(url: str) -> None:
    """At a program's start: exit with the reason, not a traceback, when the schema is not current."""
    try:
        require_current(url)
    except SchemaNotCurrent as error:
        raise SystemExit(f"error: {error}") from None


@contextmanager
def current_session(url: str | None = None) -> Iterator[Session]:
    """A session on the configured (or given) database, whose schema is current: for command-line tools."""
    url = url or load_settings().database_url
    exit_unless_current(url)
    engine = build_engine(url)
    try:
        with sessionmaker(engine, future=True)() as session:
            yield session
    finally:
        engine.dispose()


def upgrade(url: str, revision: str = "head") -> None:
    """Create or migrate our tables at `url`; a SQLite file's folder is created first."""
    ensure_sqlite_directory(url)
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    """Undo migrations down to `revision` ("base" drops every table of ours)."""
    command.downgrade(alembic_config(url), revision)


def main() -> None:
    """Migrate the configured database (`S3M_DATABASE_URL`) to the latest revision."""
    upgrade(load_settings().database_url)


if __name__ == "__main__":
    main()
