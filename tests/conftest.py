"""Shared fixtures: the domain, the trained model, and the running assistant."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest
import yaml

from bot.config import PROJECT_ROOT

os.environ["RASA_TELEMETRY_ENABLED"] = "false"

LANGUAGES = ["en", "de", "fr", "it", "pl"]


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    return yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def trained_model() -> Path:
    """The model for the current training data: trained once, cached by data hash."""
    from bot.config import load_settings
    from bot.training import ensure_model

    return ensure_model(load_settings().models_dir)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Assistant:
    """A running assistant (Rasa, actions, portal) started by `bot.launcher`."""

    rasa_url: str
    portal_url: str
    database_url: str
    process: subprocess.Popen
    log_path: Path

    def say(self, sender: str, text: str, metadata: dict | None = None) -> list[dict]:
        body: dict[str, Any] = {"sender": sender, "message": text}
        if metadata:
            body["metadata"] = metadata
        response = httpx.post(f"{self.rasa_url}/webhooks/rest/webhook", json=body, timeout=60)
        response.raise_for_status()
        return response.json()

    def tracker(self, sender: str) -> dict:
        response = httpx.get(f"{self.rasa_url}/conversations/{sender}/tracker", timeout=30)
        response.raise_for_status()
        return response.json()

    def parse(self, text: str) -> dict:
        response = httpx.post(f"{self.rasa_url}/model/parse", json={"text": text}, timeout=30)
        response.raise_for_status()
        return response.json()

    @staticmethod
    def new_sender() -> str:
        return f"test-{uuid.uuid4().hex[:12]}"


def _wait_until_up(url: str, process: subprocess.Popen, log_path: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"launcher exited early:\n{log_path.read_text()[-4000:]}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    raise RuntimeError(f"{url} not up after {timeout} s:\n{log_path.read_text()[-4000:]}")


@pytest.fixture(scope="session")
def assistant(trained_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    """Start the whole assistant once per session, on free ports and a fresh SQLite file."""
    work = tmp_path_factory.mktemp("assistant")
    ports = {name: free_port() for name in ("S3M_RASA_PORT", "S3M_ACTION_PORT", "S3M_PORTAL_PORT")}
    env = dict(os.environ, **{k: str(v) for k, v in ports.items()})
    env["S3M_DATABASE_URL"] = f"sqlite:///{work / 'assistant.db'}"
    env.pop("S3M_ACTION_URL", None)
    log_path = work / "launcher.log"
    log = log_path.open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.launcher"], cwd=PROJECT_ROOT, env=env,
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    rasa_url = f"http://127.0.0.1:{ports['S3M_RASA_PORT']}"
    portal_url = f"http://127.0.0.1:{ports['S3M_PORTAL_PORT']}"
    try:
        # Loading the model takes one to several minutes on 2 cores: a readiness wait, not a test.
        _wait_until_up(f"{rasa_url}/status", process, log_path, timeout=600)
        _wait_until_up(f"http://127.0.0.1:{ports['S3M_ACTION_PORT']}/health", process, log_path, 60)
        _wait_until_up(f"{portal_url}/health", process, log_path, timeout=60)
        yield Assistant(rasa_url, portal_url, env["S3M_DATABASE_URL"], process, log_path)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        log.close()
