"""The guard every chat channel puts in front of the dialogue: what text the dialogue sees, and
when a fast sender is held back and told so, in its conversation's language, once per run.
The channels' own tests (test_rest.py, test_socketio.py, test_telegram_polling.py) check that
each of them uses it."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.shared.core.events import SlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from sanic import Sanic

from actions.services.responses import response_text
from bot.channels.inbound_guard import MAX_MESSAGE_LENGTH, TOO_MANY_MESSAGES, InboundGuard, clean_text
from bot.rate_limit import SenderRateLimiter


@pytest.mark.parametrize(("sent", "seen"), [
    ("ja\x01\x02\x1b[31m\x07", "ja[31m"),  # a terminal colour code loses its escape
    ("nul\x00byte", "nulbyte"),
    ("C1\x85\x9bcontrols", "C1controls"),
    ("del\x7f", "del"),
    ("line one\nline two\ttabbed\r\n", "line one\nline two\ttabbed"),  # layout is meaning, kept
    ("Zażółć gęślą jaźń 👩‍⚕️ مرحبا", "Zażółć gęślą jaźń 👩‍⚕️ مرحبا"),  # letters, emoji with joiners, RTL
    ("  \x03  ", ""),
    (42, ""),
    ({"text": "hi"}, ""),
    (None, ""),
])
def test_the_dialogue_sees_text_without_control_characters(sent: Any, seen: str) -> None:
    assert clean_text(sent) == seen


def test_long_text_is_cut_after_the_control_characters_are_gone() -> None:
    assert clean_text("\x01" * 50 + "a" * (MAX_MESSAGE_LENGTH + 10)) == "a" * MAX_MESSAGE_LENGTH


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def guard_with(agent: Any, clock: Clock, burst: int = 2, per_minute: float = 60.0) -> InboundGuard:
    guard = InboundGuard("rest", SenderRateLimiter(per_minute, burst, clock=clock))
    app = Sanic(f"guard_test_{uuid.uuid4().hex[:12]}", configure_logging=False)
    app.ctx.agent = agent
    guard.attach_app(app)
    return guard


async def send(guard: InboundGuard, sender: str, text: str = "hi", hint: str | None = None) -> tuple[bool, list]:
    collector = CollectingOutputChannel()
    message = UserMessage(text, collector, sender, metadata={"language": hint} if hint else None)
    return await guard.admit(message), [m["text"] for m in collector.messages]


async def test_a_fast_sender_is_told_once_per_run_in_its_conversations_language(agent, rasa_domain) -> None:
    domain = rasa_domain.as_dict()
    await agent.tracker_store.save(DialogueStateTracker.from_events("anna", [SlotSet("language", "pl")]))
    clock = Clock()
    guard = guard_with(agent, clock)
    first_run = [await send(guard, "anna", hint="de") for _ in range(4)]
    clock.now += 1.0  # one message's worth of time
    admitted_again = await send(guard, "anna")
    second_run = await send(guard, "anna")
    polish = response_text(domain, TOO_MANY_MESSAGES, "pl")  # the conversation's language beats the hint
    assert first_run == [(True, []), (True, []), (False, [polish]), (False, [])]
    assert admitted_again == (True, [])
    assert second_run == (False, [polish])


async def test_a_new_sender_is_told_in_its_channels_language_else_english(agent, rasa_domain) -> None:
    domain = rasa_domain.as_dict()
    guard = guard_with(agent, Clock(), burst=1)
    await send(guard, "new-fr", hint="fr")
    await send(guard, "new")
    assert await send(guard, "new-fr", hint="fr") == (False, [response_text(domain, TOO_MANY_MESSAGES, "fr")])
    assert await send(guard, "new") == (False, [response_text(domain, TOO_MANY_MESSAGES, "en")])


async def test_one_senders_flood_does_not_hold_back_others(agent) -> None:
    guard = guard_with(agent, Clock(), burst=1)
    assert [(await send(guard, "flood"))[0] for _ in range(3)] == [True, False, False]
    assert (await send(guard, "calm"))[0] is True


async def test_without_a_limit_everyone_is_admitted_and_cleaned(agent) -> None:
    guard = guard_with(agent, Clock(), per_minute=0)
    collector = CollectingOutputChannel()
    messages = [UserMessage("ja\x07", collector, "s") for _ in range(50)]
    assert [await guard.admit(m) for m in messages] == [True] * 50
    assert {m.text for m in messages} == {"ja"}
    assert collector.messages == []


async def test_without_a_model_the_sender_is_held_back_silently(rasa_domain) -> None:
    """Before the server has loaded a model there is no domain to answer from: still no flood."""
    guard = InboundGuard("rest", SenderRateLimiter(60, 1, clock=Clock()))
    assert await send(guard, "early") == (True, [])
    assert await send(guard, "early") == (False, [])
