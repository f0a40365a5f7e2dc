"""The tracker store keeps the trackers it saved, but never hands out one the database contradicts.

Each test plays two Rasa processes (two stores on one database, as in docs/production.md) or a
message that fails half-way, the cases where a tracker kept in memory would be wrong.
"""

from __future__ import annotations

import asyncio
from typing import Iterator

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.config import PROJECT_ROOT
from bot.conversations.events import delete_conversation
from bot.tracker_store import DatabaseUrlTrackerStore
from tests.postgres import throwaway_postgres_database

DOMAIN = Domain.load(str(PROJECT_ROOT / "domain.yml"))


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'conversations.db'}"
    else:
        yield from throwaway_postgres_database()


@pytest.fixture
def stores(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[DatabaseUrlTrackerStore]]:
    """Two stores on the same database: this Rasa process and another one."""
    monkeypatch.setenv("S3M_DATABASE_URL", database_url)
    both = [DatabaseUrlTrackerStore(domain=DOMAIN), DatabaseUrlTrackerStore(domain=DOMAIN)]
    yield both
    for store in both:
        store.engine.dispose()


def turn(tracker: DialogueStateTracker, text: str, language: str | None = None) -> None:
    """What Rasa adds for one message: the user's words, maybe a slot, the reply, listening again."""
    tracker.update(UserUttered(text, {"name": "greet", "confidence": 1.0}))
    if language:
        tracker.update(SlotSet("language", language))
    tracker.update(BotUttered(f"reply to {text}"))
    tracker.update(ActionExecuted("action_listen"))


def texts(tracker: DialogueStateTracker | None) -> list[str]:
    return [event.text for event in tracker.events if isinstance(event, UserUttered)] if tracker else []


async def a_conversation(store: DatabaseUrlTrackerStore, sender: str, *messages: str) -> None:
    """A conversation of `messages`, one saved turn each, as Rasa's processor stores it."""
    for text in messages:
        tracker = await store.get_or_create_tracker(sender)
        turn(tracker, text)
        await store.save(tracker)


def test_the_next_message_sees_every_saved_turn_and_slot(stores) -> None:
    this, other = stores

    async def scenario() -> tuple[DialogueStateTracker, DialogueStateTracker]:
        await a_conversation(this, "sme", "hello", "I want to register")
        tracker = await this.retrieve("sme")
        turn(tracker, "ja", language="de")
        await this.save(tracker)
        return await this.retrieve("sme"), await other.retrieve("sme")

    kept, stored = asyncio.run(scenario())
    assert texts(kept) == texts(stored) == ["hello", "I want to register", "ja"]  # each event stored once
    assert len(kept.events) == len(stored.events)
    assert kept.get_slot("language") == stored.get_slot("language") == "de"


def test_a_turn_another_process_stored_is_read_from_the_database(stores) -> None:
    this, other = stores

    async def scenario() -> DialogueStateTracker:
        await a_conversation(this, "sme", "hello")
        tracker = await other.retrieve("sme")  # the next message went to the other process
        turn(tracker, "and then", language="fr")
        await other.save(tracker)
        return await this.retrieve("sme")

    tracker = asyncio.run(scenario())
    assert texts(tracker) == ["hello", "and then"]
    assert tracker.get_slot("language") == "fr"


def test_a_conversation_erased_by_another_process_is_gone_here_too(stores) -> None:
    this, other = stores

    async def scenario() -> DialogueStateTracker | None:
        await a_conversation(this, "sme", "my name is Anna")
        with other.engine.begin() as connection:  # the retention purge, or the SME's erasure in the action server
            delete_conversation(connection, "sme")
        return await this.retrieve("sme")

    assert asyncio.run(scenario()) is None


def test_a_message_that_failed_before_its_save_leaves_no_trace(stores) -> None:
    this, _ = stores

    async def scenario() -> DialogueStateTracker:
        await a_conversation(this, "sme", "hello")
        tracker = await this.retrieve("sme")
        turn(tracker, "never saved")  # the message failed: Rasa did not save its tracker
        return await this.retrieve("sme")

    assert texts(asyncio.run(scenario())) == ["hello"]


def test_a_new_model_s_domain_rebuilds_the_tracker_with_its_slots(stores) -> None:
    this, _ = stores

    async def scenario() -> DialogueStateTracker:
        await a_conversation(this, "sme", "hello", "again")
        this.domain = Domain.from_dict({**DOMAIN.as_dict(), "slots": {
            **DOMAIN.as_dict()["slots"], "new_slot": {"type": "any", "mappings": [{"type": "custom"}]}}})
        return await this.retrieve("sme")

    tracker = asyncio.run(scenario())
    assert "new_slot" in tracker.slots
    assert texts(tracker) == ["hello", "again"]
