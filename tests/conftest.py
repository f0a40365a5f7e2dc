"""Shared fixtures: the domain, the trained model, and the running assistant."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, TypeVar

import httpx
import pytest
import yaml

from bot.config import PROJECT_ROOT
from bot.free_ports import free_port, free_ports  # noqa: F401 - re-exported for the tests
from tests.ci_skips import (  # noqa: F401 - hooks: in CI, a skip not in tests/allowed_skips.txt fails
    pytest_make_collect_report,
    pytest_runtest_makereport,
    pytest_sessionfinish,
    pytest_terminal_summary,
)
from tests.postgres import throwaway_postgres_database
from tests.shared_redis import reachable_redis_url

os.environ["RASA_TELEMETRY_ENABLED"] = "false"


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    return yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def trained_model() -> Path:
    """The model for the current training data: trained once, cached by data hash."""
    from bot.config import load_settings
    from bot.training import ensure_model

    return ensure_model(load_settings().models_dir)


ADMIN_TOKEN = "test-admin-token"
# Rasa's HTTP API always needs a token under the launcher (a random one when none is set): the
# tests set theirs, and keep Rasa on localhost (S3M_RASA_BIND) as `make run` does.
RASA_TOKEN = "test-rasa-token"
TELEGRAM_TOKEN = "123456:TEST-assistant-token"


class CollectingSmtpHandler:
    """aiosmtpd handler that keeps every message the outbox worker delivers."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        from email import message_from_bytes, policy

        message = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append({"to": list(envelope.rcpt_tos), "message": message})
        return "250 OK"


@dataclass
class Assistant:
    """A running assistant (Rasa, actions, portal, outbox) started by `bot.launcher`."""

    rasa_url: str
    portal_url: str
    database_url: str
    process: subprocess.Popen
    log_path: Path
    mail: CollectingSmtpHandler
    telegram: Any  # tests.channels.bot_api_standin.BotApiStandInThread: the Bot API the channel polls
    action_port: int = 5055
    environment: dict[str, str] = field(default_factory=dict, repr=False)  # its settings, for an operator's CLI

    def leads(self, token: str = ADMIN_TOKEN, **params: Any) -> list[dict]:
        response = httpx.get(f"{self.portal_url}/api/leads", params=params,
                             headers={"Authorization": f"Bearer {token}"}, timeout=30)
        response.raise_for_status()
        return response.json()

    def leads_of(self, sender: str) -> list[dict]:
        return [lead for lead in self.leads() if lead["conversation_id"] == sender]

    def mail_for(self, address: str, containing: str = "", timeout: float = 30, since: int = 0) -> list[Any]:
        """Messages delivered to `address` whose text contains `containing`, waiting for
        the outbox worker's next rounds; `since`: only those after the first `since` messages
        (tests share the session's assistant, and some register the same company)."""
        deadline = time.monotonic() + timeout
        while True:
            found = [m["message"] for m in self.mail.messages[since:] if address in m["to"]
                     and containing in m["message"].get_body(("plain",)).get_content()]
            if found or time.monotonic() > deadline:
                return found
            time.sleep(0.5)

    def say(self, sender: str, text: str, metadata: dict | None = None) -> list[dict]:
        body: dict[str, Any] = {"sender": sender, "message": text}
        if metadata:
            body["metadata"] = metadata
        response = httpx.post(f"{self.rasa_url}/webhooks/rest/webhook", json=body, timeout=60)
        response.raise_for_status()
        return response.json()

    def tracker(self, sender: str) -> dict:
        response = httpx.get(f"{self.rasa_url}/conversations/{sender}/tracker", params={"token": RASA_TOKEN},
                             timeout=30)
        response.raise_for_status()
        return response.json()

    def parse(self, text: str) -> dict:
        response = httpx.post(f"{self.rasa_url}/model/parse", json={"text": text}, params={"token": RASA_TOKEN},
                              timeout=30)
        response.raise_for_status()
        return response.json()

    @staticmethod
    def new_sender() -> str:
        return f"test-{uuid.uuid4().hex[:12]}"


T = TypeVar("T")


def wait_until(condition: Callable[[], T], timeout: float, what: str) -> T:
    """The first truthy value of `condition()`, asked twice a second until `timeout` seconds have passed."""
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        assert time.monotonic() < deadline, f"{what}: not within {timeout} s"
        time.sleep(0.5)
    return value


def wait_until_up(url: str, process: subprocess.Popen, log_path: Path, timeout: float) -> None:
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


@contextmanager
def stack_storage(work: Path) -> Iterator[dict[str, str]]:
    """Where an assistant a test starts keeps its data, as S3M_TEST_STACK says.

    `sqlite` (the default, as `make run`): a new SQLite file in `work`. `postgresql+redis` (as in
    production; what `make test` and CI run): a throw-away PostgreSQL database, dropped afterwards,
    and the conversation locks in Redis. Yields the settings: S3M_DATABASE_URL (and S3M_REDIS_URL).
    """
    stack = os.environ.get("S3M_TEST_STACK", "sqlite")
    if stack == "sqlite":
        yield {"S3M_DATABASE_URL": f"sqlite:///{work / 'assistant.db'}"}
        return
    if stack != "postgresql+redis":
        raise pytest.UsageError(f"S3M_TEST_STACK must be sqlite or postgresql+redis, not {stack!r}")
    redis_url = reachable_redis_url()
    databases = throwaway_postgres_database()
    database_url = next(databases)
    try:
        yield {"S3M_DATABASE_URL": database_url, "S3M_REDIS_URL": redis_url}
    finally:
        databases.close()  # drops the throw-away database


@pytest.fixture(scope="session")
def assistant(trained_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    """Start the whole assistant once per session, on free ports and the storage of S3M_TEST_STACK
    (`stack_storage`), with a real SMTP server of the test's own receiving the clusters' e-mails."""
    # Tests talk faster than any SME types; the rate limit itself is tested in tests/channels/ and,
    # with an assistant of its own, in tests/test_inbound_guard_assistant.py.
    with running_assistant(tmp_path_factory.mktemp("assistant"),
                           S3M_RATE_LIMIT_PER_MINUTE="6000", S3M_RATE_LIMIT_BURST="1000") as started:
        yield started


@contextmanager
def running_assistant(work: Path, **settings: str) -> Iterator[Assistant]:
    """The whole assistant (`bot.launcher`) on the storage of S3M_TEST_STACK, with `settings` in
    its environment (they win, S3M_DATABASE_URL included), until exit."""
    from aiosmtpd.controller import Controller

    from tests.channels.bot_api_standin import BotApiStandInThread

    with stack_storage(work) as storage:
        telegram = BotApiStandInThread(TELEGRAM_TOKEN).start()  # before choosing ports: it binds one too
        names = ("S3M_RASA_PORT", "S3M_ACTION_PORT", "S3M_PORTAL_PORT", "S3M_SMTP_PORT")
        ports = dict(zip(names, free_ports(len(names)), strict=True))
        env = dict(os.environ, **{k: str(v) for k, v in ports.items()})
        env.pop("S3M_REDIS_URL", None)  # the stack's, or none
        env.update(storage)
        env.update(S3M_SMTP_HOST="127.0.0.1", S3M_ADMIN_TOKEN=ADMIN_TOKEN, S3M_OUTBOX_INTERVAL="1",
                   S3M_RASA_TOKEN=RASA_TOKEN, S3M_RASA_BIND="127.0.0.1")
        # Polling unless `settings` choose webhook mode (TELEGRAM_MODE, TELEGRAM_WEBHOOK_URL, TELEGRAM_WEBHOOK_SECRET).
        env.update(TELEGRAM_BOT_TOKEN=TELEGRAM_TOKEN, TELEGRAM_MODE="polling",
                   TELEGRAM_API_BASE_URL=telegram.base_url)
        env.update(settings)
        env.pop("S3M_ACTION_URL", None)
        mail = CollectingSmtpHandler()
        smtp = Controller(mail, hostname="127.0.0.1", port=ports["S3M_SMTP_PORT"])
        smtp.start()
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
            wait_until_up(f"{rasa_url}/status?token={RASA_TOKEN}", process, log_path, timeout=600)
            wait_until_up(f"http://127.0.0.1:{ports['S3M_ACTION_PORT']}/health", process, log_path, 60)
            wait_until_up(f"{portal_url}/health", process, log_path, timeout=60)
            yield Assistant(rasa_url, portal_url, env["S3M_DATABASE_URL"], process, log_path, mail, telegram,
                            action_port=ports["S3M_ACTION_PORT"], environment=env)
        finally:
            smtp.stop()
            telegram.stop()
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
            log.close()
