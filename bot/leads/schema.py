"""Bring a database's lead tables up to date with the Alembic migrations in `migrations/`.

The application, the tests and `python -m bot.leads.schema` all migrate through here,
so the schema is only ever created one way, whatever the working directory.
"""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from bot.config import PROJECT_ROOT, load_settings
from bot.database import ensure_sqlite_directory

ALEMBIC_INI = PROJECT_ROOT / "alembic.ini"
MIGRATIONS_DIR = PROJECT_ROOT / "migrations"


def alembic_config(url: str) -> Config:
    """Alembic's configuration for the database at `url` (read by migrations/env.py)."""
    config = Config(str(ALEMBIC_INI))
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    config.attributes["url"] = url
    return config


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
