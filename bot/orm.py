"""The one declarative base of the project's own tables, so that one Alembic history sees them all.

The tables live with their owners (`bot.leads.models`, `bot.portal.models`, `bot.retraining.models`);
they share this base's metadata, whose every table the migrations in `migrations/` create and change.
Rasa's tracker store keeps its own table (`events`) in the same database, outside this metadata.
"""

from __future__ import annotations

import importlib
from datetime import UTC, datetime

from sqlalchemy import MetaData
from sqlalchemy.orm import declarative_base

# Named constraints, so that later migrations can alter them on SQLite too (batch mode).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Base = declarative_base(metadata=MetaData(naming_convention=NAMING_CONVENTION))

TABLE_MODULES = ("bot.leads.models", "bot.portal.models", "bot.retraining.models")


def utcnow() -> datetime:
    return datetime.now(UTC)


def all_tables() -> MetaData:
    """The metadata with every module of tables imported: what the migrations must build."""
    for module in TABLE_MODULES:
        importlib.import_module(module)
    return Base.metadata
