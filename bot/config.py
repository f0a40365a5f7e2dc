"""Deployment settings, read from the environment in this one place.

Every value has a safe default for a developer's machine, so `make run` works
without any configuration; production sets the variables listed in README.md (Configuration).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


def _flag(name: str) -> bool:
    return _env(name, "false").lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    """Settings of one process; build with :func:`load_settings`."""

    database_url: str
    admin_token: str | None = field(repr=False)
    rasa_token: str | None = field(repr=False)
    rasa_port: int
    action_port: int
    portal_port: int
    action_host: str
    telegram_bot_token: str | None = field(repr=False)
    telegram_mode: str
    telegram_webhook_url: str | None
    telegram_webhook_secret: str | None = field(repr=False)
    telegram_api_base_url: str
    models_dir: Path = field(default=PROJECT_ROOT / "models")
    # Hand-off of qualified leads (bot.leads.handoff, bot.leads.outbox, bot.leads.mailbox).
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 8025
    smtp_user: str | None = None
    smtp_password: str | None = field(default=None, repr=False)
    smtp_starttls: bool = False
    local_mailbox: bool = True  # no S3M_SMTP_HOST given: `make run` starts the development mailbox
    mailbox_dir: Path = field(default=PROJECT_ROOT / "var" / "mailbox")  # where it keeps the e-mails
    mail_from: str = "S3martMed assistant <assistant@s3martmed.localhost>"
    webhook_url: str | None = None
    webhook_secret: str | None = field(default=None, repr=False)
    outbox_interval: float = 5.0
    outbox_max_attempts: int = 8
    outbox_backoff: float = 30.0  # seconds before the second attempt, doubling after each failure (to 1 h)
    portal_url: str = "http://127.0.0.1:8000"
    # Where SMEs write to withdraw consent or ask about their data (bot.leads.confirmation).
    privacy_email: str = "privacy@s3martmed.localhost"
    # Staff portal log-in (bot.portal.login_routes, bot.portal.accounts).
    session_cookie_secure: bool = False
    session_hours: float = 8.0
    login_max_failures: int = 5
    login_lockout_minutes: float = 15.0
    # Per-sender rate limit of the REST channel (bot.rate_limit); 0 per minute: no limit.
    rate_limit_per_minute: float = 30.0
    rate_limit_burst: int = 10
    # Interfaces the servers listen on (bot.launcher): localhost unless configured.
    rasa_bind: str | None = None
    action_bind: str = "127.0.0.1"
    # Web pages that may call Rasa from a browser (its CORS origins): the sites embedding the widget.
    widget_origins: tuple[str, ...] = ("http://127.0.0.1:8000", "http://localhost:8000")
    # Retraining from real conversations (bot.retraining).
    rasa_url: str = "http://127.0.0.1:5005"
    training_dir: Path = field(default=PROJECT_ROOT)
    unrecognised_confidence: float = 0.6
    # Personal data retention (bot.conversations.retention); None: never purge.
    retention_days: int | None = 365
    # Conversation locks shared by several Rasa processes (bot.lock_store); None: in memory.
    redis_url: str | None = field(default=None, repr=False)
    # The multilingual sentence encoder (bot.sentence_encoder): OpenMP threads, and which engine
    # (auto: the wheel's AVX2 engine where the CPU has AVX2, else one built from its C source).
    encoder_threads: int = 1
    encoder_engine: str = "auto"

    @property
    def action_server_url(self) -> str:
        return f"http://{self.action_host}:{self.action_port}/webhook"


# Hand-off of qualified leads to the clusters (all optional):
#   S3M_SMTP_HOST            SMTP server of the staff e-mails (default 127.0.0.1; when unset,
#                            `make run` starts the development mailbox, which keeps them in var/mailbox/)
#   S3M_SMTP_PORT            its port (default 8025, the development mailbox's)
#   S3M_MAILBOX_DIR          where the development mailbox keeps the e-mails (default var/mailbox/)
#   S3M_SMTP_USER, S3M_SMTP_PASSWORD   log in with these when the user is set
#   S3M_SMTP_STARTTLS        true: switch to TLS before logging in (default false)
#   S3M_MAIL_FROM            sender of the staff e-mails
#   S3M_WEBHOOK_URL          also POST each handed-off lead as JSON here (default: no webhook)
#   S3M_WEBHOOK_SECRET       key of the X-S3M-Signature HMAC-SHA256 of the webhook body
#   S3M_OUTBOX_INTERVAL      seconds between two runs of the outbox worker (default 5)
#   S3M_OUTBOX_MAX_ATTEMPTS  attempts before a notification is marked failed (default 8)
#   S3M_OUTBOX_BACKOFF       seconds before a failed notification is tried again; the wait doubles
#                            after each failure, up to an hour (default 30)
#   S3M_PORTAL_URL           public root of the staff portal, for links in e-mails
#                            (default http://127.0.0.1:<S3M_PORTAL_PORT>)
#   S3M_PRIVACY_EMAIL        address the SME's confirmation e-mail names for withdrawing consent and
#                            for erasure or access requests (default privacy@s3martmed.localhost:
#                            set the project's real privacy contact in production)

# Staff portal log-in (all optional):
#   S3M_SESSION_COOKIE_SECURE  true: send the session cookie over HTTPS only (set it behind TLS)
#   S3M_SESSION_HOURS        a session ends after this many idle hours (default 8)
#   S3M_LOGIN_MAX_FAILURES   failed log-ins in a row that lock an account (default 5)
#   S3M_LOGIN_LOCKOUT_MINUTES  how long such an account stays locked (default 15)

# Personal data retention (optional):
#   S3M_RETENTION_DAYS       days after a conversation's end before the outbox worker erases its leads'
#                            personal details and deletes its stored events (default 365; empty or 0
#                            means the default; `off` disables the purge)

# Abuse (optional):
#   S3M_RATE_LIMIT_PER_MINUTE  messages a sender may send a minute after a burst (default 30; 0: no limit)
#   S3M_RATE_LIMIT_BURST     messages a sender may send at once (default 10)

# Network exposure (all optional):
#   S3M_RASA_BIND            interface of the Rasa server; default 127.0.0.1, or 0.0.0.0 when
#                            S3M_RASA_TOKEN is set (a non-local interface without a token is refused)
#   S3M_ACTION_BIND          interface of the action server (default 127.0.0.1)
#   S3M_WIDGET_ORIGINS       origins (scheme://host[:port], separated by spaces or commas) of the pages
#                            that embed the chat widget: the only web pages whose scripts may call Rasa
#                            (its CORS origins); default the portal's own, http://127.0.0.1:<port> and
#                            http://localhost:<port>

# Retraining from real conversations (all optional):
#   S3M_RASA_URL             the Rasa server whose model the admins replace (default
#                            http://127.0.0.1:<S3M_RASA_PORT>); its API token is S3M_RASA_TOKEN
#   S3M_TRAINING_DIR         project folder with config.yml, domain.yml, data/, nlu_data/ and
#                            nlu_holdout/ that retraining reads and writes (default: this repository)
#   S3M_UNRECOGNISED_CONFIDENCE  messages understood with less confidence than this are listed
#                            as unrecognised (default 0.6; the fallback's own are always listed)

# Several Rasa processes (optional, docs/production.md):
#   S3M_REDIS_URL            redis://[:password@]host:port/db of the Redis that holds the conversation
#                            locks, so that processes behind one address handle each conversation's
#                            messages one at a time (default: unset, locks in the memory of one process)


def _retention_days() -> int | None:
    value = _env("S3M_RETENTION_DAYS", "365").lower()
    if value == "off":
        return None
    if not value.isdigit():
        raise ValueError(f"S3M_RETENTION_DAYS must be a number of days or 'off', not {value!r}")
    return int(value) or 365


def _encoder_engine() -> str:
    value = _env("S3M_ENCODER_ENGINE", "auto").lower()
    if value not in ("auto", "bundled", "portable"):
        raise ValueError(f"S3M_ENCODER_ENGINE must be auto, bundled or portable, not {value!r}")
    return value


def _widget_origins(portal_port: int) -> tuple[str, ...]:
    value = _env("S3M_WIDGET_ORIGINS", f"http://127.0.0.1:{portal_port} http://localhost:{portal_port}")
    origins = tuple(origin.rstrip("/") for origin in value.replace(",", " ").split())
    for origin in origins:
        if origin == "*" or not origin.startswith(("http://", "https://")):
            raise ValueError(f"S3M_WIDGET_ORIGINS holds origins like https://www.example.org, not {origin!r}")
    return origins


def load_settings() -> Settings:
    """Read the settings from the environment (called at start-up, never at import)."""
    var_dir = PROJECT_ROOT / "var"
    portal_port = int(_env("S3M_PORTAL_PORT", "8000"))
    rasa_port = int(_env("S3M_RASA_PORT", "5005"))
    return Settings(
        database_url=_env("S3M_DATABASE_URL", f"sqlite:///{var_dir / 's3martmed.db'}"),
        admin_token=os.environ.get("S3M_ADMIN_TOKEN") or None,
        rasa_token=os.environ.get("S3M_RASA_TOKEN") or None,
        rasa_port=rasa_port,
        action_port=int(_env("S3M_ACTION_PORT", "5055")),
        portal_port=portal_port,
        action_host=_env("S3M_ACTION_HOST", "127.0.0.1"),
        telegram_bot_token=os.environ.get("TELEGRAM_BOT_TOKEN") or None,
        telegram_mode=_env("TELEGRAM_MODE", "polling"),
        telegram_webhook_url=os.environ.get("TELEGRAM_WEBHOOK_URL") or None,
        telegram_webhook_secret=os.environ.get("TELEGRAM_WEBHOOK_SECRET") or None,
        telegram_api_base_url=_env("TELEGRAM_API_BASE_URL", "https://api.telegram.org/bot"),
        models_dir=Path(_env("S3M_MODELS_DIR", str(PROJECT_ROOT / "models"))),
        smtp_host=_env("S3M_SMTP_HOST", "127.0.0.1"),
        smtp_port=int(_env("S3M_SMTP_PORT", "8025")),
        smtp_user=os.environ.get("S3M_SMTP_USER") or None,
        smtp_password=os.environ.get("S3M_SMTP_PASSWORD") or None,
        smtp_starttls=_flag("S3M_SMTP_STARTTLS"),
        local_mailbox=not os.environ.get("S3M_SMTP_HOST", "").strip(),
        mailbox_dir=Path(_env("S3M_MAILBOX_DIR", str(var_dir / "mailbox"))),
        mail_from=_env("S3M_MAIL_FROM", "S3martMed assistant <assistant@s3martmed.localhost>"),
        webhook_url=os.environ.get("S3M_WEBHOOK_URL") or None,
        webhook_secret=os.environ.get("S3M_WEBHOOK_SECRET") or None,
        outbox_interval=float(_env("S3M_OUTBOX_INTERVAL", "5")),
        outbox_max_attempts=int(_env("S3M_OUTBOX_MAX_ATTEMPTS", "8")),
        outbox_backoff=float(_env("S3M_OUTBOX_BACKOFF", "30")),
        portal_url=_env("S3M_PORTAL_URL", f"http://127.0.0.1:{portal_port}").rstrip("/"),
        privacy_email=_env("S3M_PRIVACY_EMAIL", "privacy@s3martmed.localhost"),
        session_cookie_secure=_flag("S3M_SESSION_COOKIE_SECURE"),
        session_hours=float(_env("S3M_SESSION_HOURS", "8")),
        login_max_failures=int(_env("S3M_LOGIN_MAX_FAILURES", "5")),
        login_lockout_minutes=float(_env("S3M_LOGIN_LOCKOUT_MINUTES", "15")),
        rate_limit_per_minute=float(_env("S3M_RATE_LIMIT_PER_MINUTE", "30")),
        rate_limit_burst=int(_env("S3M_RATE_LIMIT_BURST", "10")),
        rasa_bind=os.environ.get("S3M_RASA_BIND", "").strip() or None,
        action_bind=_env("S3M_ACTION_BIND", "127.0.0.1"),
        widget_origins=_widget_origins(portal_port),
        rasa_url=_env("S3M_RASA_URL", f"http://127.0.0.1:{rasa_port}").rstrip("/"),
        training_dir=Path(_env("S3M_TRAINING_DIR", str(PROJECT_ROOT))),
        unrecognised_confidence=float(_env("S3M_UNRECOGNISED_CONFIDENCE", "0.6")),
        retention_days=_retention_days(),
        redis_url=os.environ.get("S3M_REDIS_URL", "").strip() or None,
        encoder_threads=int(_env("S3M_ENCODER_THREADS", "1")),
        encoder_engine=_encoder_engine(),
    )
