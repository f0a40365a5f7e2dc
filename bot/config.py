"""Deployment settings, read from the environment in this one place.

Every value has a safe default for a developer's machine, so `make run` works
without any configuration; production sets the variables named in CONTRACT.md.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


@dataclass(frozen=True)
class Settings:
    """Settings of one process; build with :func:`load_settings`."""

    database_url: str
    admin_token: str | None
    rasa_token: str | None
    rasa_port: int
    action_port: int
    portal_port: int
    action_host: str
    telegram_bot_token: str | None
    telegram_mode: str
    telegram_webhook_url: str | None
    telegram_webhook_secret: str | None
    telegram_api_base_url: str
    models_dir: Path = field(default=PROJECT_ROOT / "models")

    @property
    def action_server_url(self) -> str:
        return f"http://{self.action_host}:{self.action_port}/webhook"


def load_settings() -> Settings:
    """Read the settings from the environment (called at start-up, never at import)."""
    var_dir = PROJECT_ROOT / "var"
    return Settings(
        database_url=_env("S3M_DATABASE_URL", f"sqlite:///{var_dir / 's3martmed.db'}"),
        admin_token=os.environ.get("S3M_ADMIN_TOKEN") or None,
        rasa_token=os.environ.get("S3M_RASA_TOKEN") or None,
        rasa_port=int(_env("S3M_RASA_PORT", "5005")),
        action_port=int(_env("S3M_ACTION_PORT", "5055")),
        portal_port=int(_env("S3M_PORTAL_PORT", "8000")),
        action_host=_env("S3M_ACTION_HOST", "127.0.0.1"),
        telegram_bot_token=os.environ.get("TELEGRAM_BOT_TOKEN") or None,
        telegram_mode=_env("TELEGRAM_MODE", "polling"),
        telegram_webhook_url=os.environ.get("TELEGRAM_WEBHOOK_URL") or None,
        telegram_webhook_secret=os.environ.get("TELEGRAM_WEBHOOK_SECRET") or None,
        telegram_api_base_url=_env("TELEGRAM_API_BASE_URL", "https://api.telegram.org/bot"),
        models_dir=Path(_env("S3M_MODELS_DIR", str(PROJECT_ROOT / "models"))),
    )
