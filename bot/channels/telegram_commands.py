"""Telegram's slash commands, turned into input for the assistant's existing intents.

Telegram clients send `/start` when a user opens the bot, and list the bot's
commands in a menu. Each command maps to an intent the assistant already has:

| command | intent / handling |
| --- | --- |
| `/start [param]` | `greet`; a deep-link parameter goes to metadata `telegram_start_param` |
| `/help` | `help` |
| `/privacy` | `faq`, with the response selector's answer fixed to `faq/privacy` |
| `/delete_my_data` | `delete_my_data` |
| `/language [xx]` | sent as typed: the LanguageDetector reads `/language xx` itself |

Why the commands come with their parse result instead of a text payload such as
`/help`: Rasa's RegexMessageHandler turns a payload into an intent but drops
every other part of the parse, including the LanguageDetector's report with the
channel's language hint. `/start` is the first message of every Telegram
conversation; sent as `/greet`, it would greet a German user in English. The
parse result built here carries that hint (a report shaped like the detector's,
see `bot.definitions.LanguageReport`); `/start`'s also carries the user's Telegram
language as the `language` entity, which sets the conversation's language as the
LanguageDetector does for a first message. The other commands keep the language
the conversation has. `/privacy` has no payload form at all: a
retrieval intent's answer is read from the response selector's output, which a
`/faq` payload does not have, so the output names `faq/privacy` here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Dict

from rasa.nlu.constants import (
    RESPONSE_SELECTOR_PREDICTION_KEY,
    RESPONSE_SELECTOR_RANKING_KEY,
    RESPONSE_SELECTOR_RETRIEVAL_INTENTS,
    RESPONSE_SELECTOR_UTTER_ACTION_KEY,
)
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    FULL_RETRIEVAL_INTENT_NAME_KEY,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    INTENT_RESPONSE_KEY,
    PREDICTED_CONFIDENCE_KEY,
    RESPONSE_SELECTOR,
    TEXT,
)

from bot.definitions import DETECTION_KEY, LANGUAGES, LanguageReport
from bot.language import LANGUAGE_ENTITY, normalize_code

START_PARAM_KEY = "telegram_start_param"
"""Metadata key of a deep link's parameter (`https://t.me/<bot>?start=<param>`)."""

PRIVACY_ANSWER = "faq/privacy"

_COMMAND = re.compile(
    r"^/(?P<name>[A-Za-z0-9_]{1,32})(?:@[A-Za-z0-9_]+)?(?:\s+(?P<argument>.*))?$", re.DOTALL
)
_DEEP_LINK_PARAMETER = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_INTENT_COMMANDS = {"help": "help", "delete_my_data": "delete_my_data"}
_LANGUAGE_COMMANDS = {"language", "lang"}


@dataclass(frozen=True)
class RasaInput:
    """What one Telegram text becomes for Rasa: its text, maybe its parse result, extra metadata."""

    text: str
    parse_data: Dict[str, Any] | None = None
    metadata: Dict[str, Any] = field(default_factory=dict)


def rasa_input_for_text(text: str, language_hint: str | None) -> RasaInput:
    """Translate a text message, handling the bot's commands (see module docstring).

    Args:
        text: the message as the user sent it.
        language_hint: the user's Telegram language (`de`), or None.
    """
    match = _COMMAND.match(text.strip())
    if not match:
        return RasaInput(text)
    name = match.group("name").lower()
    argument = (match.group("argument") or "").strip()
    if name == "start":
        metadata = {START_PARAM_KEY: argument} if _DEEP_LINK_PARAMETER.match(argument) else {}
        parse_data = intent_parse_data("/greet", "greet", language_hint)
        language = normalize_code(language_hint, LANGUAGES)
        if language:
            parse_data[ENTITIES] = [{ENTITY_ATTRIBUTE_TYPE: LANGUAGE_ENTITY, ENTITY_ATTRIBUTE_VALUE: language}]
        return RasaInput("/greet", parse_data, metadata)
    if name in _INTENT_COMMANDS:
        payload = f"/{_INTENT_COMMANDS[name]}"
        return RasaInput(payload, intent_parse_data(payload, _INTENT_COMMANDS[name], language_hint))
    if name == "privacy":
        return RasaInput("/privacy", retrieval_parse_data("/privacy", PRIVACY_ANSWER, language_hint))
    if name in _LANGUAGE_COMMANDS:
        return RasaInput(f"/language {argument}".strip())
    return RasaInput(text)  # anything else, e.g. "/inform{...}", is Rasa's to read


def intent_parse_data(text: str, intent: str, language_hint: str | None) -> Dict[str, Any]:
    """A parse result for a known intent, with the language report the NLU pipeline would add."""
    return {
        TEXT: text,
        INTENT: {INTENT_NAME_KEY: intent, PREDICTED_CONFIDENCE_KEY: 1.0},
        INTENT_RANKING_KEY: [{INTENT_NAME_KEY: intent, PREDICTED_CONFIDENCE_KEY: 1.0}],
        ENTITIES: [],
        DETECTION_KEY: hint_only_report(language_hint),
    }


def retrieval_parse_data(text: str, intent_response_key: str, language_hint: str | None) -> Dict[str, Any]:
    """A parse result for one answer of a retrieval intent, as the ResponseSelector reports it."""
    retrieval_intent = intent_response_key.split("/", 1)[0]
    parse_data = intent_parse_data(text, retrieval_intent, language_hint)
    parse_data[INTENT][FULL_RETRIEVAL_INTENT_NAME_KEY] = intent_response_key
    parse_data[RESPONSE_SELECTOR] = {
        RESPONSE_SELECTOR_RETRIEVAL_INTENTS: [retrieval_intent],
        retrieval_intent: {
            RESPONSE_SELECTOR_PREDICTION_KEY: {
                PREDICTED_CONFIDENCE_KEY: 1.0,
                INTENT_RESPONSE_KEY: intent_response_key,
                RESPONSE_SELECTOR_UTTER_ACTION_KEY: f"utter_{intent_response_key}",
            },
            RESPONSE_SELECTOR_RANKING_KEY: [],
        },
    }
    return parse_data


def hint_only_report(language_hint: str | None) -> Dict[str, Any]:
    """The LanguageDetector's report for a message that says nothing about its language itself."""
    return LanguageReport(hint=language_hint).to_dict()
