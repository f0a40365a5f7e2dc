"""What the Telegram channel needs from the deployment settings, checked once at start-up.

The values come from `bot.config` (environment variables `TELEGRAM_*`, see
README.md), never from `credentials.yml`, which holds no secrets. Without
`TELEGRAM_BOT_TOKEN` the channel is off; a token with an incomplete webhook
configuration is a mistake, reported before the server starts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rasa.shared.exceptions import RasaException

from bot.config import Settings

POLLING = "polling"
WEBHOOK = "webhook"

_SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
"""Characters and length Telegram allows for a webhook's `secret_token`."""


class TelegramConfigurationError(RasaException):
    """The TELEGRAM_* settings do not describe a working channel."""


@dataclass(frozen=True)
class TelegramChannelSettings:
    """Settings of an enabled Telegram channel."""

    bot_token: str = field(repr=False)
    mode: str
    api_base_url: str
    webhook_url: str | None = None
    webhook_secret: str | None = field(default=None, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> TelegramChannelSettings | None:
        """The channel's settings, or None when no bot token is set (channel off).

        Raises:
            TelegramConfigurationError: unknown mode, or webhook mode without URL or a valid secret.
        """
        if not settings.telegram_bot_token:
            return None
        mode = settings.telegram_mode.strip().lower()
        if mode not in (POLLING, WEBHOOK):
            raise TelegramConfigurationError(
                f"TELEGRAM_MODE must be '{POLLING}' or '{WEBHOOK}', not '{settings.telegram_mode}'."
            )
        if mode == WEBHOOK:
            if not settings.telegram_webhook_url:
                raise TelegramConfigurationError(
                    "TELEGRAM_MODE=webhook needs TELEGRAM_WEBHOOK_URL, the public HTTPS address of "
                    "/webhooks/telegram/webhook."
                )
            if not _SECRET_TOKEN.match(settings.telegram_webhook_secret or ""):
                raise TelegramConfigurationError(
                    "TELEGRAM_MODE=webhook needs TELEGRAM_WEBHOOK_SECRET: 1 to 256 characters "
                    "of A-Z, a-z, 0-9, _ and -."
                )
        return cls(
            bot_token=settings.telegram_bot_token,
            mode=mode,
            api_base_url=settings.telegram_api_base_url,
            webhook_url=settings.telegram_webhook_url if mode == WEBHOOK else None,
            webhook_secret=settings.telegram_webhook_secret if mode == WEBHOOK else None,
        )
