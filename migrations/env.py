"""Alembic environment of our tables (the leads', the portal's and retraining's).

The URL comes from the caller (`config.attributes["url"]`, set by `bot.leads.schema`)
or else from `S3M_DATABASE_URL` through `bot.config.load_settings`, so the command
line and the application always migrate the same database. Only the tables of
`bot.orm`'s metadata are ours: Rasa's tracker store keeps its own (`events`) in the
same database, and autogenerate must neither drop nor diff them.
"""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy.engine import make_url

from bot.config import load_settings
from bot.database import build_engine
from bot.orm import all_tables

config = context.config
target_metadata = all_tables()


def database_url() -> str:
    return config.attributes.get("url") or load_settings().database_url


def include_name(name: str | None, type_: str, parent_names: dict) -> bool:
    """Look only at our own tables (and everything inside them)."""
    if type_ == "table":
        return name in target_metadata.tables
    return True


def configure_options(dialect_name: str) -> dict:
    return {
        "target_metadata": target_metadata,
        "include_name": include_name,
        "compare_type": True,
        # SQLite can't ALTER most things; batch mode copies the table instead.
        "render_as_batch": dialect_name == "sqlite",
    }


def run_migrations_offline() -> None:
    """Print the SQL (`alembic upgrade head --sql`) instead of running it."""
    url = database_url()
    context.configure(url=url, literal_binds=True, **configure_options(make_url(url).get_backend_name()))
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = build_engine(database_url())
    try:
        with engine.connect() as connection:
            context.configure(connection=connection, **configure_options(connection.dialect.name))
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


# Logging set-up only for the `alembic` command: a program calling in keeps its own.
if config.config_file_name and "url" not in config.attributes:
    fileConfig(config.config_file_name, disable_existing_loggers=False)

if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
