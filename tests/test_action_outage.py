"""The action server's outage as a turn meets it (bot.action_outage): Rasa's real remote action
against a port where nothing listens."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from rasa.core.actions.action import RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.processor import MessageProcessor
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ConversationPaused
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException
from rasa.utils.endpoints import EndpointConfig

from bot import rasa_runtime
from bot.action_outage import ActionServerUnavailable, breaker, guarded_turn
from tests.conftest import free_port

rasa_runtime.install()


async def call_nothing(tracker: DialogueStateTracker) -> list:
    action = RemoteAction("action_submit_registration", EndpointConfig(url=f"http://127.0.0.1:{free_port()}/webhook"))
    return await action.run(CollectingOutputChannel(), None, tracker, Domain.empty())


async def test_in_a_channels_turn_no_server_pauses_the_turn_refuses_its_save_and_opens_the_breaker() -> None:
    tracker = DialogueStateTracker.from_events("anna", [])
    store = InMemoryTrackerStore(Domain.empty())
    breaker.open = False
    with guarded_turn() as failed:
        events = await call_nothing(tracker)
        with pytest.raises(ActionServerUnavailable):
            await MessageProcessor.save_tracker(SimpleNamespace(tracker_store=store), tracker)
    assert events == [ConversationPaused()] and failed == ["action_submit_registration"] and breaker.open
    assert await store.retrieve("anna") is None
    breaker.open = False


async def test_outside_a_channels_turn_rasa_behaves_as_its_own() -> None:
    breaker.open = False
    with pytest.raises(RasaException, match="Couldn't connect"):
        await call_nothing(DialogueStateTracker.from_events("anna", []))
    assert not breaker.open
