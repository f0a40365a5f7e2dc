"""Redis gone while two Rasa processes share one PostgreSQL: no message is handled without its lock.

Fail closed (docs/production.md, "When PostgreSQL or Redis is down"): a lock kept in one
process's memory would not keep the other process off the same conversation, so while
Redis cannot be reached every message gets the channels' apology and no turn is taken;
once Redis is back, messages of one conversation sent at once through both processes are
handled one after the other again. The Redis here is the test's own (tests/private_servers.py),
killed as a crash would.

A module of its own, so that its two processes start only after the other modules' have stopped.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Iterator

import pytest
import yaml

from actions.services.responses import response_text
from tests.private_servers import PrivateRedis, private_redis
from tests.production.conftest import ScaledAssistant, scaled_rasa
from tests.production.test_scale_out import ANSWERS, handled_one_after_the_other
from tests.retraining.conftest import SMALL_PROJECT


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivateRedis]:
    with private_redis(tmp_path_factory.mktemp("redis")) as server:
        yield server


@pytest.fixture(scope="module")
def assistant_on_private_redis(small_model: Path, postgres_url: str, redis_server: PrivateRedis,
                               tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScaledAssistant]:
    with scaled_rasa(small_model, postgres_url, redis_server.url, tmp_path_factory.mktemp("redis_outage")) as scaled:
        yield scaled


def test_without_redis_every_message_gets_one_apology_and_service_resumes_when_it_is_back(
        assistant_on_private_redis: ScaledAssistant, redis_server: PrivateRedis) -> None:
    scaled = assistant_on_private_redis
    domain = yaml.safe_load((SMALL_PROJECT / "domain.yml").read_text(encoding="utf-8"))
    apology = response_text(domain, "utter_actions_unavailable", "en")
    sender = scaled.new_sender()
    assert [message["text"] for message in scaled.say(sender, "hello")] == ["Hello!"]
    stored = scaled.events(sender, scaled.processes[0])
    texts = list(ANSWERS)[1:] * 2
    before = len(scaled.proxy.chosen)

    redis_server.kill()
    try:
        with ThreadPoolExecutor(len(texts)) as pool:
            replies = list(pool.map(lambda text: scaled.say(sender, text), texts))
    finally:
        redis_server.start()

    assert set(scaled.proxy.chosen[before:]) == set(scaled.proxy.backends)  # both processes were asked
    assert all([message["text"] for message in reply] == [apology] for reply in replies), replies
    for rasa in scaled.processes:
        assert scaled.events(sender, rasa) == stored, rasa.url  # no process took a turn

    assert [message["text"] for message in scaled.say(sender, "goodbye")] == ["Goodbye!"]
    handled_one_after_the_other(scaled, [*ANSWERS, "good morning", "many thanks for your help"])
