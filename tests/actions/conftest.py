"""Helpers to run rasa-sdk actions against trackers built from plain dicts."""

from typing import Any, Iterator

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher


def make_tracker(latest_message: dict[str, Any], slots: dict[str, Any] | None = None) -> Tracker:
    events = [{"event": "user", "parse_data": latest_message}]
    return Tracker(
        sender_id="test", slots=dict(slots or {}), latest_message=latest_message,
        events=events, paused=False, followup_action=None, active_loop={}, latest_action_name=None,
    )


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


@pytest.fixture
def lead_database(tmp_path, monkeypatch) -> Iterator[str]:
    """The URL of a fresh, migrated SQLite database behind the action server's lead store, for this test only."""
    from actions.services.leads import deployment
    from bot.leads import schema

    url = f"sqlite:///{tmp_path / 'leads.db'}"
    schema.upgrade(url)
    monkeypatch.setenv("S3M_DATABASE_URL", url)
    monkeypatch.setenv("S3M_WEBHOOK_URL", "")
    deployment.cache_clear()
    yield url
    deployment.cache_clear()
