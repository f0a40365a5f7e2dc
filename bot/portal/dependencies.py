"""Per-request access to what `create_app` put on `app.state`, as FastAPI dependencies."""

from __future__ import annotations

from typing import Iterator

from fastapi import Request
from sqlalchemy.orm import Session

from bot.config import Settings


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_session(request: Request) -> Iterator[Session]:
    """One session per request, closed afterwards even when the handler fails."""
    with request.app.state.sessions() as session:
        yield session
