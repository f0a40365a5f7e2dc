"""What each conversation went through, replayed from Rasa's tracker store, for the analytics.

It reads only the event types the replay needs (`bot.conversations.events.REPLAYED`: the bot's
replies and actions are never loaded) and only the conversations with new events;
`summarise_conversations` is a pure function over those rows, so the figures can be checked on
SQLite and PostgreSQL against conversations whose outcome is known in advance
(tests/portal/test_analytics.py).

`ConversationCache` keeps the summaries between requests and reads only what changed.
A summary holds codes and counts only: no text an SME typed, no slot value but the
country and target regions that route a conversation to a cluster.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any, Collection, Iterable, Iterator

from sqlalchemy.engine import Connection

from bot.conversation_ids import CHANNELS
from bot.conversations.events import replay_rows, senders_between, table_mark
from bot.definitions import DETECTION_KEY, DIGRESSION_CONFIDENCE, FALLBACK_LANGUAGE, FORM_DIGRESSIONS
from bot.registration_fields import NAMING_SLOTS, SLOTS

REST = "rest"
"""Conversations whose id has no channel prefix (bot/conversation_ids.py)."""
ALL_CHANNELS = (*CHANNELS, REST)

FORM = "registration_form"
FALLBACK_INTENT = "nlu_fallback"
FAQ_INTENT = "faq"
QUESTIONS = SLOTS
"""The registration form's questions, in the order it asks them (actions/registration.py)."""
FREE_TEXT_SLOTS = frozenset(NAMING_SLOTS)
"""Answers that are personal data: never counted as (un)recognised messages."""
QUESTION_INTENTS = frozenset({FAQ_INTENT, "help", "bot_challenge", "ask_funding", "ask_events", "find_partner",
                              "register_interest", "request_human"})
"""What an SME asks or asks for: one of them understood puts a conversation on the funnel's second step."""

SENDERS_PER_QUERY = 500

FIRST_TRY = "first_try"
AFTER_REASK = "after_reask"


@dataclass
class ConversationSummary:
    """One conversation in the period, reduced to what the analytics count."""

    sender_id: str
    channel: str
    language: str = FALLBACK_LANGUAGE
    started_at: float = 0.0
    engaged: bool = False  # a question or request of the SME was understood
    consent_asked: bool = False
    consent_given: bool = False
    country: str | None = None
    target_regions: list[str] = field(default_factory=list)
    asked: list[str] = field(default_factory=list)  # form questions, in the order asked
    answered: dict[str, str] = field(default_factory=dict)  # question -> FIRST_TRY or AFTER_REASK
    faq_topics: Counter = field(default_factory=Counter)  # "faq/cost" -> times asked
    messages: Counter = field(default_factory=Counter)  # language -> typed messages
    unrecognised: Counter = field(default_factory=Counter)  # language -> typed messages not understood

    @property
    def left_at(self) -> list[str]:
        """Questions asked and never answered: where the SME left the form."""
        return [question for question in self.asked if question not in self.answered]


def channel_of(sender_id: str) -> str:
    prefix = sender_id.split("-", 1)[0]
    return prefix if prefix in CHANNELS and sender_id.startswith(f"{prefix}-") else REST


def read_conversations(
    connection: Connection, threshold: float, senders: Collection[str] | None = None, up_to_id: int | None = None
) -> Iterator[ConversationSummary]:
    """Summaries of all stored conversations, or of those of `senders`, from their whole history.

    Rows are streamed (a server-side cursor on PostgreSQL), one conversation in memory at a time.
    """
    return summarise_conversations(replay_rows(connection, senders=senders, up_to_id=up_to_id), threshold)


class ConversationCache:
    """Every conversation's summary, kept up to date by reading only the conversations with new events.

    The portal's analytics would otherwise replay the whole `events` table per request (seconds
    for 10,000 conversations, docs/portal.md). A look at the table costs one aggregate query;
    conversations with events past the last one seen are replayed again from their whole
    history. When rows disappeared (an erasure, the retention purge) or appeared below that
    mark (writers committing out of order), everything is read again.
    """

    def __init__(self, threshold: float) -> None:
        self.threshold = threshold
        self._lock = threading.Lock()
        self._summaries: dict[str, ConversationSummary] = {}
        self._last_id = 0
        self._rows = 0

    def summaries(self, connection: Connection) -> list[ConversationSummary]:
        with self._lock:
            self._refresh(connection)
            return list(self._summaries.values())

    def _refresh(self, connection: Connection) -> None:
        rows, last_id, newer = table_mark(connection, self._last_id)
        if rows == self._rows and last_id == self._last_id:
            return
        if rows != self._rows + newer:  # rows deleted, or committed below the mark: read everything again
            self._summaries = {summary.sender_id: summary
                               for summary in read_conversations(connection, self.threshold, up_to_id=last_id)}
        else:
            changed = senders_between(connection, self._last_id, last_id)
            for start in range(0, len(changed), SENDERS_PER_QUERY):
                batch = sorted(changed)[start:start + SENDERS_PER_QUERY]
                fresh = {s.sender_id: s for s in read_conversations(connection, self.threshold, batch, last_id)}
                for sender_id in batch:
                    if sender_id in fresh:
                        self._summaries[sender_id] = fresh[sender_id]
                    else:
                        self._summaries.pop(sender_id, None)
        self._rows, self._last_id = rows, last_id


def summarise_conversations(
    rows: Iterable[tuple[str, str, float | None, str | None]], threshold: float
) -> Iterator[ConversationSummary]:
    """Replay each conversation's events (rows ordered by sender, time and id).

    Conversations without a user message (an opened widget nobody wrote in) are skipped.
    """
    for sender_id, events in groupby(rows, key=lambda row: row[0]):
        summary = _replay(sender_id, [(type_name, timestamp or 0.0, _json(data))
                                      for _, type_name, timestamp, data in events], threshold)
        if summary is not None:
            yield summary


def _json(data: str | None) -> dict[str, Any]:
    try:
        event = json.loads(data or "{}")
    except ValueError:
        return {}
    return event if isinstance(event, dict) else {}


@dataclass
class _State:
    language: str | None = None
    loop: str | None = None
    requested: str | None = None


def _replay(sender_id: str, events: list[tuple[str, float, dict[str, Any]]], threshold: float
            ) -> ConversationSummary | None:
    summary = ConversationSummary(sender_id=sender_id, channel=channel_of(sender_id))
    state = _State()
    failures: Counter = Counter()
    turns = _turns(events)
    first_user = next((index for index, (type_name, _, _) in enumerate(events) if type_name == "user"), None)
    if first_user is None:
        return None
    summary.started_at = events[first_user][1]
    for type_name, _, event in events[:first_user]:
        _apply(type_name, event, state, summary, {})
    for message, following in turns:
        asked_for, in_form = state.requested, state.loop == FORM
        set_now: dict[str, Any] = {}
        for type_name, _, event in following:
            _apply(type_name, event, state, summary, set_now)
        parse = message.get("parse_data") or {}
        intent = parse.get("intent") or {}
        name, confidence = intent.get("name") or FALLBACK_INTENT, float(intent.get("confidence") or 0.0)
        understood = name != FALLBACK_INTENT and confidence >= threshold
        said = str(message.get("text") or "").strip()
        typed = bool(said) and not said.startswith("/")
        language = state.language or (parse.get(DETECTION_KEY) or {}).get("language") or FALLBACK_LANGUAGE
        if understood and name in QUESTION_INTENTS:
            summary.engaged = True
        if understood and name == FAQ_INTENT and (topic := _faq_topic(parse)):
            summary.faq_topics[topic] += 1
        if typed and not (in_form and asked_for in FREE_TEXT_SLOTS):
            summary.messages[language] += 1
            summary.unrecognised[language] += 0 if understood else 1
        if in_form and asked_for in QUESTIONS and asked_for not in summary.answered:
            if set_now.get(asked_for) is not None:
                summary.answered[asked_for] = AFTER_REASK if failures[asked_for] else FIRST_TRY
            elif state.loop == FORM and state.requested == asked_for and not (
                    name in FORM_DIGRESSIONS and confidence >= DIGRESSION_CONFIDENCE):
                failures[asked_for] += 1
    summary.language = state.language or next(iter(summary.messages), FALLBACK_LANGUAGE)
    summary.engaged = summary.engaged or summary.consent_asked
    return summary


def _turns(events: list[tuple[str, float, dict[str, Any]]]) -> list[tuple[dict[str, Any], list]]:
    """Each user message with the events that followed it, up to the next user message."""
    turns: list[tuple[dict[str, Any], list]] = []
    for type_name, timestamp, event in events:
        if type_name == "user":
            turns.append((event, []))
        elif turns:
            turns[-1][1].append((type_name, timestamp, event))
    return turns


def _apply(type_name: str, event: dict[str, Any], state: _State, summary: ConversationSummary,
           set_now: dict[str, Any]) -> None:
    if type_name == "active_loop":
        state.loop = event.get("name")
        if state.loop is None:
            state.requested = None
        return
    if type_name != "slot":
        return
    name, value = event.get("name"), event.get("value")
    set_now[name] = value
    if name == "requested_slot":
        state.requested = value
        if value in QUESTIONS and value not in summary.asked:
            summary.asked.append(value)
        summary.consent_asked = summary.consent_asked or value == "consent"
    elif name == "language" and value:
        state.language = value
    elif name == "consent" and value is True:
        summary.consent_given = True
    elif name == "country" and isinstance(value, str):
        summary.country = value
    elif name == "target_regions" and isinstance(value, list):
        summary.target_regions = [str(code) for code in value]


def _faq_topic(parse: dict[str, Any]) -> str | None:
    """`faq/<topic>`: the response selector's full retrieval intent (the contract's name, README)."""
    for selector in (parse.get("response_selector") or {}).values():
        key = ((selector or {}).get("response") or {}).get("intent_response_key") if isinstance(selector, dict) else None
        if isinstance(key, str) and key.startswith(f"{FAQ_INTENT}/"):
            return key
    return None
