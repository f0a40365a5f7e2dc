"""List the upcoming webinars and brokerage events of the catalogue, in the SME's language."""

from __future__ import annotations

from typing import List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.services.responses import response_text
from bot.event_catalogue import upcoming_events


class ActionListEvents(Action):
    def name(self) -> str:
        return "action_list_events"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        language = tracker.get_slot("language")
        events = upcoming_events()
        if not events:
            dispatcher.utter_message(response="utter_no_events")
            return []
        example = response_text(domain, "utter_label_example", language) or "example"
        lines = [response_text(domain, "utter_events_intro", language) or ""]
        for event in events:
            marker = f" ({example})" if event.example else ""
            lines.append(f"- {event.date.isoformat()}: {event.title_in(language)}{marker}")
        dispatcher.utter_message(text="\n".join(lines))
        return []
