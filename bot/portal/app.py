"""The staff portal's web application (started by `uvicorn bot.portal.app:create_app --factory`)."""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import AsyncIterator

from fastapi import FastAPI
from sqlalchemy.orm import sessionmaker

from bot.config import Settings, load_settings
from bot.database import build_engine
from bot.leads import schema
from bot.portal import api, widget_routes
from bot.portal.accounts import login_attempts_per_address
from bot.portal.funnel import ConversationCache
from bot.portal.lead_queries import add_sqlite_functions
from bot.portal.web import install_pages
from bot.retraining.rasa_server import RasaServer
from bot.retraining.runs import mark_interrupted
from bot.retraining.workspace import Workspace


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    yield
    app.state.engine.dispose()


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the portal, on a database whose schema is current (`make run` migrates it before the
    portal starts; alone, run `python -m bot.leads.schema` first)."""
    settings = settings or load_settings()
    schema.require_current(settings.database_url)
    engine = build_engine(settings.database_url)
    add_sqlite_functions(engine)

    app = FastAPI(title="S3martMed staff portal", lifespan=_lifespan)
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = sessionmaker(engine, future=True)
    app.state.workspace = Workspace.from_settings(settings)
    app.state.rasa_server = RasaServer.from_settings(settings)
    app.state.login_attempts = login_attempts_per_address(settings)
    app.state.conversations = ConversationCache(settings.unrecognised_confidence)
    with app.state.sessions() as session:
        mark_interrupted(session)
    app.include_router(api.router)
    install_pages(app, settings)
    app.include_router(widget_routes.router)

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    return app
