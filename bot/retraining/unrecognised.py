"""Messages the assistant did not understand, read from Rasa's tracker store (bot.conversations.events).

A user message is unrecognised when the NLU's fallback caught it (`nlu_fallback`) or its
intent came with less confidence than a threshold. Answers typed into the registration
form's free-text questions (company, name, e-mail) are left out: they are understood
by the form whatever the intent says, and they are personal data.

The same message written by many users is shown once, with how often and in how many
conversations it came; messages an admin has already judged are left out.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.conversations.events import replay_rows
from bot.definitions import FALLBACK_LANGUAGE, LanguageReport
from bot.registration_fields import NAMING_SLOTS
from bot.retraining.models import TrainingAnnotation

FALLBACK_INTENT = "nlu_fallback"
FORM = "registration_form"
FREE_TEXT_SLOTS = frozenset(NAMING_SLOTS)

_SPACES = re.compile(r"\s+")


def normalise(message: str) -> str:
    """What two writings of the same message share: case, spacing and end punctuation aside."""
    folded = unicodedata.normalize("NFKC", message).casefold()
    return _SPACES.sub(" ", folded).strip(" \t\n.!?¿¡…,;:")


def text_key(message: str) -> str:
    return hashlib.sha256(normalise(message).encode()).hexdigest()


@dataclass
class UnrecognisedMessage:
    """One normalised text, and where and how it was (mis)understood."""

    key: str
    text: str  # as first written
    language: str
    predicted: str  # the NLU's intent (`nlu_fallback` when it gave up)
    confidence: float
    count: int = 0
    last_seen: datetime | None = None
    conversations: list[str] = field(default_factory=list)


@dataclass
class _Conversation:
    language: str | None = None
    loop: str | None = None
    requested_slot: str | None = None


def find_unrecognised(
    session: Session, threshold: float, since: datetime, limit: int = 200
) -> list[UnrecognisedMessage]:
    """Unjudged unrecognised messages since `since`, most frequent first, then newest."""
    judged = set(session.scalars(select(TrainingAnnotation.text_key)))
    groups: dict[str, UnrecognisedMessage] = {}
    rows = replay_rows(session.connection(), since=since)
    for sender_id, timestamp, event, language in _user_messages(rows):
        parse = event.get("parse_data") or {}
        intent = parse.get("intent") or {}
        predicted, confidence = intent.get("name") or FALLBACK_INTENT, float(intent.get("confidence") or 0.0)
        said = str(event.get("text") or "").strip()
        if not said or said.startswith("/") or (predicted != FALLBACK_INTENT and confidence >= threshold):
            continue  # understood, or a button's payload
        key = text_key(said)
        if key in judged:
            continue
        group = groups.setdefault(key, UnrecognisedMessage(key, said, language, predicted, confidence))
        group.count += 1
        group.last_seen = datetime.fromtimestamp(timestamp, UTC)
        if sender_id not in group.conversations:
            group.conversations.append(sender_id)
    ranked = sorted(groups.values(), key=lambda g: (-g.count, -(g.last_seen or since).timestamp()))
    return ranked[:limit]


def _user_messages(rows: Iterable[Any]) -> Iterable[tuple[str, float, dict, str]]:
    """Replay each conversation; yield its user messages that were not free-text form answers.

    A message's language is the `language` slot chosen in its own turn (the slot event
    follows the message), else the conversation's language so far, else the detector's guess.
    """
    states: dict[str, _Conversation] = {}
    pending: tuple[str, float, dict] | None = None
    for sender_id, type_name, timestamp, data in rows:
        try:
            event = json.loads(data or "{}")
        except ValueError:
            continue
        state = states.setdefault(sender_id, _Conversation())
        if pending and (type_name == "user" or pending[0] != sender_id):
            yield _with_language(pending, states[pending[0]])
            pending = None
        if type_name == "slot" and event.get("name") == "language" and event.get("value"):
            state.language = event["value"]
        elif type_name == "slot" and event.get("name") == "requested_slot":
            state.requested_slot = event.get("value")
        elif type_name == "active_loop":
            state.loop = event.get("name")
            state.requested_slot = None if state.loop is None else state.requested_slot
        elif type_name == "user":
            in_free_text_answer = state.loop == FORM and state.requested_slot in FREE_TEXT_SLOTS
            if not in_free_text_answer:
                pending = (sender_id, timestamp, event)
    if pending:
        yield _with_language(pending, states[pending[0]])


def _with_language(pending: tuple[str, float, dict], state: _Conversation) -> tuple[str, float, dict, str]:
    sender_id, timestamp, event = pending
    detected = LanguageReport.of(event.get("parse_data")).language
    return sender_id, timestamp, event, state.language or detected or FALLBACK_LANGUAGE
