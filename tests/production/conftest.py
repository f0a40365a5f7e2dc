"""The production set-up on this machine: PostgreSQL, Redis and several Rasa processes.

PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379) are the project machines' servers.
S3M_TEST_POSTGRES_URL (see tests/postgres.py) and S3M_TEST_REDIS_URL (tests/shared_redis.py) point
elsewhere, or are "off" to skip where no server exists (never in CI).
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import httpx
import pytest
import yaml

from bot.config import PROJECT_ROOT
from bot.leads import schema
from bot.training import model_path, rasa_environment, train
from tests.conftest import free_ports, wait_until_up
from tests.postgres import throwaway_postgres_database
from tests.production.round_robin_proxy import RoundRobinProxy
from tests.retraining.conftest import copy_small_project
from tests.shared_redis import reachable_redis_url

RASA_PROCESSES = 2


@pytest.fixture(scope="session")
def redis_url() -> str:
    """URL of the test Redis, reachable (or the test is skipped outside CI)."""
    return reachable_redis_url()


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    """A throw-away PostgreSQL database with the current schema, dropped afterwards."""
    for url in throwaway_postgres_database():
        schema.upgrade(url)
        yield url


@pytest.fixture(scope="session")
def small_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small assistant of the retraining tests, trained once (about a minute)."""
    workspace = copy_small_project(tmp_path_factory.mktemp("production") / "project")
    return train(model_path(workspace.models_dir, workspace.root), workspace.config,
                 workspace.training_data, workspace.domain)


def production_endpoints(folder: Path) -> Path:
    """endpoints.yml with the repository's tracker and lock stores (the small assistant has no
    custom actions, so no action endpoint)."""
    shipped = yaml.safe_load((PROJECT_ROOT / "endpoints.yml").read_text(encoding="utf-8"))
    path = folder / "endpoints.yml"
    path.write_text(yaml.safe_dump({key: shipped[key] for key in ("tracker_store", "lock_store")}))
    return path


@dataclass
class RasaProcess:
    url: str
    process: subprocess.Popen
    log_path: Path


def start_rasa(model: Path, port: int, endpoints: Path, env: dict[str, str], log_path: Path) -> RasaProcess:
    """Start `rasa run` with the HTTP API on `port` and the repository's channels (ready once /status answers)."""
    command = [sys.executable, "-m", "rasa", "run", "--enable-api", "--port", str(port), "--model", str(model),
               "--endpoints", str(endpoints), "--credentials", str(PROJECT_ROOT / "credentials.yml")]
    with log_path.open("w") as log:
        process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    return RasaProcess(f"http://127.0.0.1:{port}", process, log_path)


def stop(processes: list[RasaProcess]) -> None:
    for rasa in processes:
        rasa.process.terminate()
    for rasa in processes:
        try:
            rasa.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            rasa.process.kill()


def production_environment(database_url: str, redis_url: str | None) -> dict[str, str]:
    """The processes' settings; tests send faster than any SME types, so the rate limit is lifted."""
    env = dict(rasa_environment(), S3M_DATABASE_URL=database_url,
               S3M_RATE_LIMIT_PER_MINUTE="6000", S3M_RATE_LIMIT_BURST="1000",
               PYTHONPATH=os.pathsep.join(filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")])))
    env.pop("S3M_REDIS_URL", None)
    env.pop("TELEGRAM_BOT_TOKEN", None)
    if redis_url:
        env["S3M_REDIS_URL"] = redis_url
    return env


@dataclass
class ScaledAssistant:
    """Several Rasa processes sharing PostgreSQL and Redis behind one address."""

    proxy: RoundRobinProxy
    processes: list[RasaProcess]
    database_url: str

    def say(self, sender: str, text: str) -> list[dict]:
        """Send a message through the one address, on a connection of its own."""
        response = httpx.post(f"{self.proxy.url}/webhooks/rest/webhook", json={"sender": sender, "message": text},
                              headers={"Connection": "close"}, timeout=120)
        response.raise_for_status()
        return response.json()

    def events(self, sender: str, process: RasaProcess) -> list[dict]:
        """The conversation's events as one process reads them from the tracker store."""
        response = httpx.get(f"{process.url}/conversations/{sender}/tracker", timeout=60)
        response.raise_for_status()
        return response.json()["events"]

    @staticmethod
    def new_sender() -> str:
        return f"scale-{uuid.uuid4().hex[:12]}"


@contextmanager
def scaled_rasa(model: Path, database_url: str, redis_url: str | None, work: Path) -> Iterator[ScaledAssistant]:
    """Two `rasa run` processes with `model`, the PostgreSQL tracker store and the channels of
    credentials.yml (as in deploy/compose.yml), behind a round-robin proxy; their conversation
    locks in Redis, or (`redis_url` None) each in its own memory."""
    endpoints = production_endpoints(work)
    env = production_environment(database_url, redis_url)
    *rasa_ports, proxy_port = free_ports(RASA_PROCESSES + 1)
    processes = [start_rasa(model, port, endpoints, env, work / f"rasa-{port}.log") for port in rasa_ports]
    proxy = RoundRobinProxy(proxy_port, rasa_ports)
    try:
        for rasa in processes:
            # Loading a model takes a while on 2 busy cores: a readiness wait, not a test.
            wait_until_up(f"{rasa.url}/status", rasa.process, rasa.log_path, timeout=600)
        proxy.start()
        yield ScaledAssistant(proxy, processes, database_url)
    finally:
        proxy.stop()
        stop(processes)


@pytest.fixture(scope="module")
def scaled_assistant(small_model: Path, postgres_url: str, redis_url: str,
                     tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScaledAssistant]:
    """Two `rasa run` processes with the small model, PostgreSQL tracker store and Redis
    locks, behind a round-robin proxy."""
    with scaled_rasa(small_model, postgres_url, redis_url, tmp_path_factory.mktemp("scaled")) as scaled:
        yield scaled
