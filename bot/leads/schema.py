"""Bring a database's lead tables up to date with the Alembic migrations in `migrations/`.

The application, the tests and `python -m bot.leads.schema` all migrate through here,
so the schema is only ever created one way, whatever the working directory.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from alembic import command
from alembic.config import Config
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


@contextmanager
def migrated_session(url: str | None = None) -> Iterator[Session]:
    """A session on the configured (or given) database, migrated first: for command-line tools."""
    url = url or load_settings().database_url
    upgrade(url)
    engine = build_engine(url)
    try:
        with sessionmaker(engine, future=True)() as session:
            yield session
    finally:
        engine.dispose()


def upgrade(url: str, revision: str = "head") -> None:
    """Create or migrate the lead tables at `url`; a SQLite file's folder is created first."""
    ensure_sqlite_directory(url)
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    """Undo migrations down to `revision` ("base" drops every lead table)."""
    command.downgrade(alembic_config(url), revision)


def main() -> None:
    """Migrate the configured database (`S3M_DATABASE_URL`) to the latest revision."""
    upgrade(load_settings().database_url)


if __name__ == "__main__":
    main()
