"""Messages are understood beside Rasa's event loop, with the same result as Rasa's own parse."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest
from rasa.core.agent import Agent, load_agent
from rasa.core.channels.channel import UserMessage
from rasa.core.processor import MessageProcessor

import bot.channels  # noqa: F401 - installs our runtime changes, as every Rasa server of ours does
from bot import sentence_encoder

MESSAGES = ["Bonjour, je voudrais inscrire mon entreprise", "Wer sind die Partner von S3martMed?",
            "we make hip implants", "Chcę się zarejestrować"]


@pytest.fixture(scope="module")
def agent(trained_model: Path) -> Agent:
    return asyncio.run(load_agent(model_path=str(trained_model)))


def test_the_sentence_encoder_runs_off_the_event_loop_s_thread(agent: Agent, monkeypatch) -> None:
    threads: list[str] = []
    embed = sentence_encoder.embed

    def recording(*args, **kwargs):
        threads.append(threading.current_thread().name)
        return embed(*args, **kwargs)

    monkeypatch.setattr(sentence_encoder, "embed", recording)

    async def parse() -> str:
        await agent.parse_message(MESSAGES[0])
        return threading.current_thread().name

    loop_thread = asyncio.run(parse())
    assert threads and all(name != loop_thread for name in threads)


def test_the_result_is_rasa_s_own_parse(agent: Agent) -> None:
    processor: MessageProcessor = agent.processor

    async def both(text: str) -> tuple[dict, dict]:
        message = UserMessage(text)
        ours = await processor.parse_message(message)
        rasa = processor._parse_message_with_graph(message, None)
        processor._update_full_retrieval_intent(rasa)
        return ours, rasa

    for text in MESSAGES:
        ours, rasa = asyncio.run(both(text))
        assert ours["intent"] == rasa["intent"] and ours["entities"] == rasa["entities"]
        assert ours["intent_ranking"] == rasa["intent_ranking"]


def test_concurrent_conversations_each_get_their_own_parse(agent: Agent) -> None:
    async def together() -> list[dict]:
        return await asyncio.gather(*(agent.parse_message(text) for text in MESSAGES * 3))

    expected = [asyncio.run(agent.parse_message(text)) for text in MESSAGES]
    results = asyncio.run(together())
    assert [result["text"] for result in results] == MESSAGES * 3
    assert [result["intent"]["name"] for result in results] == [result["intent"]["name"] for result in expected] * 3
