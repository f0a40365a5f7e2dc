"""The event catalogue, for the actions (it lives in `bot.event_catalogue`, shared with the portal)."""

from bot.event_catalogue import EVENTS_FILE, Event, load_events, upcoming_events

__all__ = ["EVENTS_FILE", "Event", "load_events", "upcoming_events"]
