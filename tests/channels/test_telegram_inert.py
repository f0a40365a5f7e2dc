"""Without TELEGRAM_BOT_TOKEN the channel in credentials.yml is inert: no network, no error."""

from __future__ import annotations

import httpx
import pytest
from rasa.core.run import configure_app, create_http_input_channels

from bot.channels.telegram import TelegramInput
from bot.channels.telegram_settings import TelegramConfigurationError
from bot.config import PROJECT_ROOT
from tests.channels.conftest import serving
from tests.conftest import free_port


async def test_credentials_yml_without_token_mounts_an_inert_channel(monkeypatch, standin):
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", standin.base_url)  # would be used if it were active
    channels = create_http_input_channels(None, str(PROJECT_ROOT / "credentials.yml"))
    [telegram] = [channel for channel in channels if isinstance(channel, TelegramInput)]
    assert not telegram.enabled

    app = configure_app(channels, enable_api=False, port=free_port())  # Rasa's own app and route
    port = free_port()
    async with serving(app, port), httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
        status = await client.get("/webhooks/telegram/")
        webhook = await client.post("/webhooks/telegram/webhook", json={"update_id": 1})
    assert status.json() == {"status": "disabled"}
    assert webhook.status_code == 404
    assert telegram.get_output_channel() is None
    assert standin.calls == []


def test_values_in_credentials_yml_are_refused():
    with pytest.raises(TelegramConfigurationError, match="environment"):
        TelegramInput.from_credentials({"access_token": "123:abc"})


def test_token_from_the_environment_enables_polling_by_default(monkeypatch):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:abc")
    monkeypatch.delenv("TELEGRAM_MODE", raising=False)
    channel = TelegramInput.from_credentials(None)
    assert channel.enabled and channel.settings.mode == "polling"
    assert channel.settings.api_base_url == "https://api.telegram.org/bot"
    assert "123:abc" not in repr(channel.settings)


@pytest.mark.parametrize(
    "environment, problem",
    [
        ({"TELEGRAM_MODE": "push"}, "TELEGRAM_MODE"),
        ({"TELEGRAM_MODE": "webhook", "TELEGRAM_WEBHOOK_SECRET": "abc"}, "TELEGRAM_WEBHOOK_URL"),
        ({"TELEGRAM_MODE": "webhook", "TELEGRAM_WEBHOOK_URL": "https://x.example/hook"}, "TELEGRAM_WEBHOOK_SECRET"),
        ({"TELEGRAM_MODE": "webhook", "TELEGRAM_WEBHOOK_URL": "https://x.example/hook",
          "TELEGRAM_WEBHOOK_SECRET": "not allowed!"}, "TELEGRAM_WEBHOOK_SECRET"),
    ],
)
def test_incomplete_settings_fail_before_the_server_starts(monkeypatch, environment, problem):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:abc")
    for name in ("TELEGRAM_MODE", "TELEGRAM_WEBHOOK_URL", "TELEGRAM_WEBHOOK_SECRET"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(TelegramConfigurationError, match=problem):
        TelegramInput.from_credentials(None)
