"""Deployment settings, read from the environment in this one place.

Each setting is the variable `S3M_` + its name in capitals (the Telegram channel's: `TELEGRAM_...`),
and has a safe default for a developer's machine, written once below, so `make run` works without
any configuration; README.md (Configuration) says what each means. An empty variable counts as unset.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from pydantic import BaseSettings, Field, ValidationError, root_validator, validator

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = PROJECT_ROOT / "var"

EnvSource = Callable[[BaseSettings], dict[str, Any]]


class Settings(BaseSettings):
    """Settings of one process: `load_settings()` reads them, `settings.copy(update={...})` varies them."""

    database_url: str = f"sqlite:///{VAR_DIR / 's3martmed.db'}"
    admin_token: str | None = Field(None, repr=False)
    rasa_token: str | None = Field(None, repr=False)
    rasa_port: int = 5005
    action_port: int = 5055
    portal_port: int = 8000
    action_host: str = "127.0.0.1"
    # Interfaces the servers listen on (bot.launcher); Rasa: 127.0.0.1, or 0.0.0.0 with a token.
    rasa_bind: str | None = None
    action_bind: str = "127.0.0.1"
    # Web pages that may call Rasa from a browser (its CORS origins), separated by spaces or commas;
    # default: the portal's own, http://127.0.0.1:<portal_port> and http://localhost:<portal_port>.
    widget_origins: tuple[str, ...] = ()
    telegram_bot_token: str | None = Field(None, env="TELEGRAM_BOT_TOKEN", repr=False)
    telegram_mode: str = Field("polling", env="TELEGRAM_MODE")
    telegram_webhook_url: str | None = Field(None, env="TELEGRAM_WEBHOOK_URL")
    telegram_webhook_secret: str | None = Field(None, env="TELEGRAM_WEBHOOK_SECRET", repr=False)
    telegram_api_base_url: str = Field("https://api.telegram.org/bot", env="TELEGRAM_API_BASE_URL")
    models_dir: Path = PROJECT_ROOT / "models"
    # Hand-off of qualified leads (bot.leads.handoff, bot.leads.outbox, bot.leads.mailbox).
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 8025
    smtp_user: str | None = None
    smtp_password: str | None = Field(None, repr=False)
    smtp_starttls: bool = False
    # No S3M_SMTP_HOST given: `make run` starts the development mailbox, keeping the e-mails in mailbox_dir.
    local_mailbox: bool = Field(True, env=())
    mailbox_dir: Path = VAR_DIR / "mailbox"
    mail_from: str = "S3martMed assistant <assistant@s3martmed.localhost>"
    webhook_url: str | None = None
    webhook_secret: str | None = Field(None, repr=False)
    outbox_interval: float = 5.0
    outbox_max_attempts: int = 8
    outbox_backoff: float = 30.0  # seconds before the second attempt, doubling after each failure (to 1 h)
    portal_url: str = ""  # base of the links in e-mails; default http://127.0.0.1:<portal_port>
    # Where SMEs write to withdraw consent or ask about their data (bot.leads.confirmation).
    privacy_email: str = "privacy@s3martmed.localhost"
    # Staff portal log-in (bot.portal.login_routes, bot.portal.accounts).
    session_cookie_secure: bool = False
    session_hours: float = 8.0
    login_max_failures: int = 5
    login_lockout_minutes: float = 15.0
    # Per-sender rate limit of the chat channels (bot.rate_limit); 0 per minute: no limit.
    rate_limit_per_minute: float = 30.0
    rate_limit_burst: int = 10
    # Retraining from real conversations (bot.retraining); rasa_url's default: http://127.0.0.1:<rasa_port>.
    rasa_url: str = ""
    training_dir: Path = PROJECT_ROOT
    unrecognised_confidence: float = 0.6
    # Personal data retention (bot.conversations.retention), in days; `off` (None): never purge; 0: the default.
    retention_days: int | None = 365
    # Conversation locks shared by several Rasa processes (bot.lock_store); None: in memory.
    redis_url: str | None = Field(None, repr=False)
    # The multilingual sentence encoder (bot.sentence_encoder): OpenMP threads, and which engine
    # (auto: the wheel's AVX2 engine where the CPU has AVX2, else one built from its C source).
    encoder_threads: int = 1
    encoder_engine: str = "auto"

    class Config:
        env_prefix = "S3M_"
        frozen = True

        @classmethod
        def customise_sources(
            cls, init_settings: EnvSource, env_settings: EnvSource, file_secret_settings: EnvSource
        ) -> tuple[EnvSource, ...]:
            def set_variables(settings: BaseSettings) -> dict[str, Any]:
                """The variables that hold something (deploy/compose.yml passes unset ones as empty)."""
                values = env_settings(settings).items()
                return {name: value.strip() if isinstance(value, str) else value
                        for name, value in values if not isinstance(value, str) or value.strip()}

            return init_settings, set_variables

        @classmethod
        def parse_env_var(cls, field_name: str, raw_value: str) -> Any:
            if field_name == "widget_origins":
                return raw_value.replace(",", " ").split()
            return cls.json_loads(raw_value)

    @root_validator(pre=True)
    def _mailbox_without_smtp_host(cls, values: dict[str, Any]) -> dict[str, Any]:
        values.setdefault("local_mailbox", not values.get("smtp_host"))
        return values

    @validator("widget_origins")
    def _origins(cls, origins: tuple[str, ...]) -> tuple[str, ...]:
        origins = tuple(origin.rstrip("/") for origin in origins)
        for origin in origins:
            if origin == "*" or not origin.startswith(("http://", "https://")):
                raise ValueError(f"holds origins like https://www.example.org, not {origin!r}")
        return origins

    @validator("retention_days", pre=True)
    def _days_or_off(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        if value.lower() == "off":
            return None
        if not value.isdigit():
            raise ValueError(f"must be a number of days or 'off', not {value!r}")
        return int(value) or 365

    @validator("encoder_engine")
    def _engine(cls, value: str) -> str:
        if value.lower() not in ("auto", "bundled", "portable"):
            raise ValueError(f"must be auto, bundled or portable, not {value!r}")
        return value.lower()

    @root_validator(skip_on_failure=True)
    def _defaults_from_ports(cls, values: dict[str, Any]) -> dict[str, Any]:
        portal, rasa = values["portal_port"], values["rasa_port"]
        values["portal_url"] = (values["portal_url"] or f"http://127.0.0.1:{portal}").rstrip("/")
        values["rasa_url"] = (values["rasa_url"] or f"http://127.0.0.1:{rasa}").rstrip("/")
        values["widget_origins"] = values["widget_origins"] or (
            f"http://127.0.0.1:{portal}", f"http://localhost:{portal}")
        return values

    @property
    def action_server_url(self) -> str:
        return f"http://{self.action_host}:{self.action_port}/webhook"


def load_settings() -> Settings:
    """Read the settings from the environment (called at start-up, never at import).

    Raises:
        ValueError: a variable's value does not fit; the message names each such variable.
    """
    try:
        return Settings()
    except ValidationError as error:
        raise ValueError("; ".join(f"{_variable(str(problem['loc'][0]))}: {problem['msg']}"
                                   for problem in error.errors())) from None


def _variable(field_name: str) -> str:
    field = Settings.__fields__.get(field_name)
    names = sorted(field.field_info.extra.get("env_names", ())) if field else []
    return names[0].upper() if names else field_name
