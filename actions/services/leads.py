"""The action server's one lead store, built on first use from the deployment settings."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from bot.config import PROJECT_ROOT, load_settings
from bot.database import build_engine
from bot.leads import schema
from bot.leads.clusters import load_clusters
from bot.leads.store import LeadStore

PRIVACY_FILE = PROJECT_ROOT / "catalogue" / "privacy.yml"


@lru_cache(maxsize=1)
def lead_store() -> LeadStore:
    settings = load_settings()
    schema.upgrade(settings.database_url)
    return LeadStore(build_engine(settings.database_url), load_clusters(), settings)


def notice_version(path: Path = PRIVACY_FILE) -> str:
    """Version of the privacy notice (utter_ask_consent) the SME agreed to."""
    return str(yaml.safe_load(path.read_text(encoding="utf-8"))["notice_version"])
