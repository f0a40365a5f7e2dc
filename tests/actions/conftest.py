"""Helpers to run rasa-sdk actions against trackers built from plain dicts."""

from typing import Any

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
