"""Fixtures of the chat widget's browser tests.

Debian's chromium (``/usr/bin/chromium``) is driven by Playwright for Python. The demo
page comes from the portal's widget router, either in the running assistant's portal or
in a small local app; the widget talks to Rasa's Socket.IO channel: a scripted bot behind
Rasa's real channel for the UI tests (``scripted_rasa.py``), the whole assistant for the
conversations. Without chromium the tests fail, unless S3M_SKIP_BROWSER=1 skips them.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from bot.config import PROJECT_ROOT, load_settings
from bot.conversation_ids import WIDGET, conversation_id
from bot.portal import widget_routes
from tests.conftest import free_port

if TYPE_CHECKING:
    from playwright.sync_api import Browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    """Debian's chromium, and the built widget: both must be there, or the tests fail loudly."""
    if os.environ.get("S3M_SKIP_BROWSER") == "1":
        pytest.skip("S3M_SKIP_BROWSER=1: the chat widget's browser tests are skipped")
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} not found: the chat widget's browser tests need Debian's chromium "
            "(`apt-get install -y chromium`, as .ci/run does); set S3M_SKIP_BROWSER=1 to skip them.",
            pytrace=False,
        )
    if not (widget_routes.ASSET_DIR / widget_routes.SCRIPT_NAME).is_file():
        pytest.fail("The chat widget is not built: run `make widget` (npm ci + esbuild).", pytrace=False)
    return CHROMIUM


@pytest.fixture(scope="session")
def browser(chromium_path: Path) -> Iterator[Browser]:
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=20_000)  # CI shares two cores with training and the assistant
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium_path), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """docs/screenshots with S3M_UPDATE_SCREENSHOTS=1 (to refresh the docs), else a temporary folder."""
    if os.environ.get("S3M_UPDATE_SCREENSHOTS") == "1":
        path = PROJECT_ROOT / "docs" / "screenshots"
        path.mkdir(parents=True, exist_ok=True)
        return path
    return tmp_path_factory.mktemp("screenshots")


def widget_app(rasa_port: int) -> FastAPI:
    """A portal with only the widget's routes, its settings pointing at Rasa on `rasa_port`."""
    app = FastAPI()
    app.state.settings = load_settings().copy(update={"rasa_port": rasa_port})
    app.include_router(widget_routes.router)
    return app


class ThreadedServer:
    """uvicorn serving an app from a background thread of the test process."""

    def __init__(self, app: FastAPI) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", ws="none", lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> ThreadedServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the widget's demo server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@dataclasses.dataclass
class ScriptedRasa:
    """Rasa's Socket.IO channel with a scripted bot (tests/widget/scripted_rasa.py)."""

    url: str
    port: int

    def received(self) -> list[dict]:
        """What the channel handed to the bot: sender, text and metadata of each message."""
        response = httpx.get(f"{self.url}/received", timeout=10)
        response.raise_for_status()
        return response.json()

    def received_from(self, session_id: str) -> list[dict]:
        """The messages of a widget session: its conversation is `widget-<session id>`."""
        return [message for message in self.received() if message["sender"] == conversation_id(WIDGET, session_id)]


@pytest.fixture(scope="session")
def scripted_rasa(chromium_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScriptedRasa]:
    port = free_port()
    log_path = tmp_path_factory.mktemp("scripted_rasa") / "server.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.widget.scripted_rasa", "--port", str(port)],
            cwd=PROJECT_ROOT, stdout=log, stderr=subprocess.STDOUT,
        )
        server = ScriptedRasa(f"http://127.0.0.1:{port}", port)
        try:
            deadline = time.monotonic() + 120
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"scripted Rasa exited:\n{log_path.read_text()[-3000:]}")
                try:
                    server.received()
                    break
                except httpx.HTTPError:
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"scripted Rasa not up:\n{log_path.read_text()[-3000:]}") from None
                    time.sleep(0.5)
            yield server
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture(scope="session")
def scripted_site(scripted_rasa: ScriptedRasa) -> Iterator[str]:
    """Base URL of a portal whose demo page embeds the widget talking to the scripted bot."""
    with ThreadedServer(widget_app(scripted_rasa.port)) as server:
        yield server.url
