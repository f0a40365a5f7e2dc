"""Confirm explicit language changes (the `language` slot itself is set by the NLU)."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.definitions import LanguageReport


class ActionChangeLanguage(Action):
    """Confirm a switch the user asked for, or list the languages we speak."""

    def name(self) -> str:
        return "action_change_language"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[str, Any]]:
        if LanguageReport.of(tracker.latest_message).requested:
            dispatcher.utter_message(response="utter_language_changed")
        else:
            dispatcher.utter_message(response="utter_language_options")
        return []
