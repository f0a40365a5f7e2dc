"""The staff portal's web application."""

from __future__ import annotations

from fastapi import FastAPI


def create_app() -> FastAPI:
    """Build the portal app (a factory, so nothing happens at import time)."""
    app = FastAPI(title="S3martMed staff portal")

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    return app
