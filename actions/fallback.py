"""Answer messages the NLU did not understand well enough (`nlu_fallback`)."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.services.responses import response_text
from bot.definitions import LanguageReport

FAQ_INTENT = "faq"
BUTTON_COUNT = 2


def likely_topics(parse_data: Dict[str, Any], domain: DomainDict) -> List[str]:
    """The likeliest topics of a message, as intent keys that have a topic title.

    The `faq` retrieval intent is replaced by the response selector's best FAQ.
    """
    topics: List[str] = []
    faq_ranking = (parse_data.get("response_selector", {}).get(FAQ_INTENT, {}) or {}).get("ranking") or []
    for entry in parse_data.get("intent_ranking") or []:
        name = entry.get("name")
        if name == FAQ_INTENT and faq_ranking:
            name = faq_ranking[0].get("intent_response_key")
        if name and _topic_response(name) in domain.get("responses", {}) and name not in topics:
            topics.append(name)
    return topics[:BUTTON_COUNT]


def _topic_response(intent_key: str) -> str:
    return "utter_topic_" + intent_key.replace("/", "_")


def _button(intent_key: str, domain: DomainDict, language: str | None) -> Dict[str, str]:
    title = response_text(domain, _topic_response(intent_key), language) or intent_key
    # Rasa's "/intent" payloads cannot name a retrieval intent's answer, so an FAQ
    # button sends its title, a question the NLU understands.
    payload = title if intent_key.startswith(FAQ_INTENT + "/") else f"/{intent_key}"
    return {"title": title, "payload": payload}


class ActionRephrase(Action):
    """Ask to rephrase with the two likeliest topics, or list our languages."""

    def name(self) -> str:
        return "action_rephrase"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[str, Any]]:
        if LanguageReport.of(tracker.latest_message).in_unsupported_language:
            dispatcher.utter_message(response="utter_language_options")
            return []
        language = tracker.get_slot("language")
        buttons = [_button(t, domain, language) for t in likely_topics(tracker.latest_message, domain)]
        if buttons:
            dispatcher.utter_message(response="utter_ask_rephrase", buttons=buttons)
        else:
            dispatcher.utter_message(response="utter_default")
        return []
