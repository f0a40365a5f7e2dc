"""The negative control of test_scale_out.py: the same two Rasa processes and PostgreSQL, but each
process with its conversation locks in its own memory (no S3M_REDIS_URL). Messages of one
conversation sent at once then lose turns; if they did not, test_scale_out.py could not tell that
the Redis locks are what keeps them (docs/production.md).

A module of its own, so that its two processes start only after test_scale_out.py's have stopped.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Iterator

import httpx
import pytest

from tests.production.conftest import ScaledAssistant, scaled_rasa
from tests.production.test_scale_out import ANSWERS, turns

ROUNDS = 5  # by hand, one round of 8 messages lost 2 turns; a race may need a few tries


@pytest.fixture(scope="module")
def unlocked_assistant(small_model: Path, postgres_url: str,
                       tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScaledAssistant]:
    with scaled_rasa(small_model, postgres_url, None, tmp_path_factory.mktemp("unlocked")) as scaled:
        yield scaled


def damage(assistant: ScaledAssistant, texts: list[str]) -> str | None:
    """Send `texts` to one new conversation at once; what went wrong in the stored conversation, if anything."""
    sender = assistant.new_sender()

    def say(text: str) -> list[dict] | None:
        try:
            return assistant.say(sender, text)
        except httpx.HTTPStatusError:
            return None

    with ThreadPoolExecutor(len(texts)) as pool:
        replies = dict(zip(texts, pool.map(say, texts), strict=True))
    if None in replies.values():
        return "a message got an error"
    stored = turns(assistant.events(sender, assistant.processes[0]))
    if sorted(text for text, _, _ in stored) != sorted(texts):
        return f"{len(texts) - len(stored)} of {len(texts)} turns lost"
    for text, bot_texts, _ in stored:
        if bot_texts != [message["text"] for message in replies[text]]:
            return f"the turn of {text!r} stored {bot_texts}"
    return None


def test_without_shared_locks_messages_sent_at_once_lose_turns(unlocked_assistant: ScaledAssistant) -> None:
    texts = [*ANSWERS, "good morning", "many thanks for your help"]  # as test_scale_out.py sends them
    for _ in range(ROUNDS):
        if damage(unlocked_assistant, texts):
            return
    pytest.fail(f"{ROUNDS} rounds of {len(texts)} messages at once through two processes without shared "
                "locks lost no turn: test_scale_out.py does not show that the Redis locks are needed")
