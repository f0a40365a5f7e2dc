"""The action server's database, built on first use from the deployment settings: its one lead store,
and the erasure of a conversation."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Iterable

import yaml
from sqlalchemy.engine import Engine

from bot.config import PROJECT_ROOT, Settings, load_settings
from bot.conversations import erasure
from bot.database import build_engine
from bot.leads import schema
from bot.leads.clusters import ClusterTable, load_clusters
from bot.leads.store import LeadStore

PRIVACY_FILE = PROJECT_ROOT / "catalogue" / "privacy.yml"


@lru_cache(maxsize=1)
def deployment() -> tuple[Engine, ClusterTable, Settings]:
    """The database (migrated before the action server started), the cluster table and the settings."""
    settings = load_settings()
    schema.require_current(settings.database_url)
    return build_engine(settings.database_url), load_clusters(), settings


def lead_store() -> LeadStore:
    return LeadStore(*deployment())


def erase_conversation(conversation_id: str, also_named: Iterable[str | None] = ()) -> int:
    """Erase the conversation's leads and stored events (bot.conversations.erasure); how many leads."""
    engine, clusters, settings = deployment()
    return erasure.erase_conversation(engine, conversation_id, clusters=clusters, settings=settings,
                                      also_named=also_named)


def notice_version(path: Path = PRIVACY_FILE) -> str:
    """Version of the privacy notice (utter_ask_consent) the SME agreed to."""
    return str(yaml.safe_load(path.read_text(encoding="utf-8"))["notice_version"])
