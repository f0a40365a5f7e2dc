"""The assistant as separate processes (Rasa and the action server), so that a test can stop
and start one of them while a conversation goes on; conversations are stored where
S3M_TEST_STACK says (tests/conftest.py, `stack_storage`)."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import httpx
import pytest

from bot.config import PROJECT_ROOT
from bot.leads import schema
from bot.training import rasa_environment
from tests.conftest import free_ports, stack_storage, wait_until_up


@dataclass
class Processes:
    """Rasa and the action server, each restartable; their logs are kept in `work`."""

    model: Path
    work: Path
    env: dict[str, str]
    rasa_port: int
    action_port: int
    running: dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    def start(self, name: str) -> None:
        commands = {
            "rasa": [sys.executable, "-m", "rasa", "run", "--enable-api", "--interface", "127.0.0.1",
                     "--port", str(self.rasa_port), "--model", str(self.model),
                     "--endpoints", "endpoints.yml", "--credentials", "credentials.yml"],
            "actions": [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(self.action_port)],
        }
        log_path = self.work / f"{name}.log"
        with log_path.open("a") as log:
            process = subprocess.Popen(commands[name], cwd=PROJECT_ROOT, env=self.env, stdout=log,
                                       stderr=subprocess.STDOUT)
        self.running[name] = process
        health = f"{self.rasa_url}/status" if name == "rasa" else f"http://127.0.0.1:{self.action_port}/health"
        wait_until_up(health, process, log_path, timeout=600)  # loading the model takes minutes on 2 cores

    def stop(self, name: str) -> None:
        process = self.running.pop(name)
        process.terminate()
        process.wait(timeout=60)

    def say(self, sender: str, text: str) -> list[str]:
        response = httpx.post(f"{self.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": text},
                              timeout=120)
        response.raise_for_status()
        return [message.get("text", "") for message in response.json()]

    def tracker(self, sender: str) -> dict:
        return httpx.get(f"{self.rasa_url}/conversations/{sender}/tracker", timeout=30).raise_for_status().json()


@pytest.fixture(scope="module")
def processes(trained_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Processes]:
    work = tmp_path_factory.mktemp("faults")
    with stack_storage(work) as storage:
        schema.upgrade(storage["S3M_DATABASE_URL"])
        rasa_port, action_port = free_ports(2)
        env = dict(rasa_environment(), SANIC_HOST="127.0.0.1", S3M_ACTION_URL=f"http://127.0.0.1:{action_port}/webhook",
                   S3M_RATE_LIMIT_PER_MINUTE="6000", S3M_RATE_LIMIT_BURST="1000",
                   PYTHONPATH=os.pathsep.join(filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")])))
        env.pop("TELEGRAM_BOT_TOKEN", None)
        env.pop("S3M_REDIS_URL", None)
        env.update(storage)
        running = Processes(trained_model, work, env, rasa_port, action_port)
        try:
            running.start("actions")
            running.start("rasa")
            yield running
        finally:
            for name in list(running.running):
                running.stop(name)
