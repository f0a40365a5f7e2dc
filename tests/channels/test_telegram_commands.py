"""Telegram commands reach the assistant's intents, with the user's language.

The parse results built for commands are checked against Rasa's own pieces: the
retrieval action that answers `faq`, the domain, and the language rules."""

from __future__ import annotations

import pytest
from rasa.core.actions.action import ActionRetrieveResponse
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.shared.core.events import BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.channels.telegram_commands import START_PARAM_KEY, rasa_input_for_text
from bot.definitions import DETECTION_KEY


@pytest.mark.parametrize(
    "text, expected_text, intent",
    [
        ("/start", "/greet", "greet"),
        ("/help", "/help", "help"),
        ("/help@s3martmed_bot", "/help", "help"),
        ("/delete_my_data", "/delete_my_data", "delete_my_data"),
        ("/privacy", "/privacy", "faq"),
    ],
)
def test_commands_name_existing_intents(text, expected_text, intent, rasa_domain):
    rasa_input = rasa_input_for_text(text, "de")
    assert rasa_input.text == expected_text
    assert rasa_input.parse_data["intent"] == {"name": intent, "confidence": 1.0, **(
        {"full_retrieval_intent_name": "faq/privacy"} if intent == "faq" else {})}
    assert intent in rasa_domain.intents


def test_start_parameter_goes_to_metadata_only_when_it_is_a_deep_link():
    assert rasa_input_for_text("/start fair_2025-BW", None).metadata == {START_PARAM_KEY: "fair_2025-BW"}
    assert rasa_input_for_text("/start", None).metadata == {}
    assert rasa_input_for_text("/start two words", None).metadata == {}


@pytest.mark.parametrize(
    "text, expected",
    [
        ("/language de", "/language de"),
        ("/language", "/language"),
        ("/lang@s3martmed_bot fr", "/language fr"),
        ("/inform{\"sector\": \"diagnostics\"}", "/inform{\"sector\": \"diagnostics\"}"),
        ("Hallo", "Hallo"),
        ("/unknown", "/unknown"),
    ],
)
def test_other_texts_go_to_the_nlu_as_typed(text, expected):
    rasa_input = rasa_input_for_text(text, "de")
    assert (rasa_input.text, rasa_input.parse_data) == (expected, None)


@pytest.mark.parametrize("hint, entities", [
    ("de", [{"entity": "language", "value": "de"}]),
    ("es", []),  # a language we do not speak: the conversation stays in English
    (None, []),
])
def test_start_sets_the_users_telegram_language(hint, entities):
    """Like the LanguageDetector on a first message: the `language` entity fills the slot."""
    parse_data = rasa_input_for_text("/start", hint).parse_data
    assert parse_data["entities"] == entities
    assert parse_data[DETECTION_KEY]["hint"] == hint


def test_other_commands_keep_the_conversations_language():
    assert rasa_input_for_text("/help", "fr").parse_data["entities"] == []


async def test_privacy_command_is_answered_by_rasas_retrieval_action(agent, rasa_domain):
    """What the rule `faq → utter_faq` runs: the answer must be the domain's faq/privacy, in German."""
    rasa_input = rasa_input_for_text("/privacy", "de")
    tracker = DialogueStateTracker.from_events(
        "chat", [SlotSet("language", "de"),
                 UserUttered(rasa_input.text, rasa_input.parse_data["intent"], [], rasa_input.parse_data)],
        slots=rasa_domain.slots,
    )
    events = await ActionRetrieveResponse("utter_faq").run(
        CollectingOutputChannel(), agent.nlg, tracker, rasa_domain
    )
    [uttered] = [event for event in events if isinstance(event, BotUttered)]
    german = [v["text"] for v in rasa_domain.responses["utter_faq/privacy"]
              if (v.get("condition") or [{}])[0].get("value") == "de"]
    assert [uttered.text] == german
