"""Bring a database's schema up to date (placeholder: Alembic migrations replace create_all)."""

from __future__ import annotations

from bot.database import build_engine
from bot.leads.models import Base


def upgrade(url: str) -> None:
    """Create or migrate the lead tables at `url`."""
    engine = build_engine(url)
    Base.metadata.create_all(engine)
    engine.dispose()
