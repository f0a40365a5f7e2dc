"""Secrets never reach a log line: libraries log what carries them.

httpx logs every request URL at INFO, and the Telegram Bot API puts the bot token in every
URL; Rasa's HTTP API takes its token in the query string. Rather than hunt each logger,
`hide_in_logs` wraps the log-record factory, so every record of the process is redacted
when it is made, whichever logger or handler it goes to.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Iterable

PLACEHOLDER = "[redacted]"
_secrets: set[str] = set()


def conversation_hash(conversation_id: str) -> str:
    """A short, stable stand-in for a conversation id in logs: a Telegram one holds the chat id,
    which identifies a person, and a REST sender may be anything the client chose."""
    return hashlib.sha256(conversation_id.encode("utf-8")).hexdigest()[:12]


def redact(text: str, secrets: Iterable[str | None] = ()) -> str:
    """`text` without any of the secrets (those given, and those hidden in this process's logs)."""
    for secret in sorted({s for s in secrets if s} | _secrets, key=len, reverse=True):
        text = text.replace(secret, PLACEHOLDER)
    return text


def hide_in_logs(*secrets: str | None) -> None:
    """Redact these secrets from every log record of this process from now on."""
    new = {secret for secret in secrets if secret and len(secret) >= 4} - _secrets
    if not new:
        return
    if not _secrets:
        logging.setLogRecordFactory(_redacting(logging.getLogRecordFactory()))
    _secrets.update(new)


def _redacting(make_record):
    def factory(*args, **kwargs) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is the logging module's error to report
            return record
        if any(secret in message for secret in _secrets):
            record.msg, record.args = redact(message), ()
        return record
    return factory
