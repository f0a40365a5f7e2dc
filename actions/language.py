"""Keep the `language` slot right, and confirm explicit language changes."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import ValidationAction
from rasa_sdk.types import DomainDict

from actions.services.responses import supported_languages
from bot.language import DETECTION_KEY, choose_language


def _previous_hint(tracker: Tracker) -> str | None:
    """The channel's language hint that came with the user's message before the latest."""
    user_events = [e for e in tracker.events if e.get("event") == "user"]
    if len(user_events) < 2:
        return None
    report = (user_events[-2].get("parse_data") or {}).get(DETECTION_KEY) or {}
    return report.get("hint")


class ValidateSlotMappings(ValidationAction):
    """Runs after every user message (Rasa's `action_validate_slot_mappings`)."""

    async def extract_language(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Choose the conversation's language (rules in `bot.language.choose_language`)."""
        report = tracker.latest_message.get(DETECTION_KEY)
        if report is None:  # a button payload such as "/find_partner" says nothing new
            return {}
        language = choose_language(
            tracker.get_slot("language"),
            report,
            supported_languages(domain),
            previous_hint=_previous_hint(tracker),
        )
        return {"language": language}


class ActionChangeLanguage(Action):
    """Confirm a switch the user asked for, or list the languages we speak."""

    def name(self) -> str:
        return "action_change_language"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[str, Any]]:
        report = tracker.latest_message.get(DETECTION_KEY) or {}
        if report.get("requested"):
            dispatcher.utter_message(response="utter_language_changed")
        else:
            dispatcher.utter_message(response="utter_language_options")
        return []
