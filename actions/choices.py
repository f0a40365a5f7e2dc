"""Ask a multiple-choice question of the registration: with all its options, or the two nearest.

When the form could not place an answer, `choice_options` holds the two values nearest to what
the SME wrote (actions/registration.py); the question then names just those two ("Medical
devices or diagnostics?") instead of repeating itself.
"""

from __future__ import annotations

import json
from typing import Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.services.details import NO_EVENT
from actions.services.responses import response_buttons, response_text
from bot.event_catalogue import upcoming_events
from bot.leads.clusters import load_clusters


def button_value(button: Dict[str, str]) -> str | None:
    """The slot value a button gives: a code, or "none" for the "no preference" buttons."""
    payload = button.get("payload") or ""
    if payload == "/deny":
        return NO_EVENT
    if not payload.startswith("/inform{"):
        return None
    (entity, value), = json.loads(payload[len("/inform"):]).items()
    if entity == "location":
        cluster = load_clusters().by_country(value)
        return cluster.code if cluster else None
    return value


class AskChoice(Action):
    """`action_ask_<slot>` of one multiple-choice slot."""

    slot = ""

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    def buttons(self, domain: DomainDict, language: str | None) -> List[Dict[str, str]]:
        return response_buttons(domain, f"utter_ask_{self.slot}", language)

    def ask_all(self, dispatcher: CollectingDispatcher, domain: DomainDict, language: str | None) -> None:
        dispatcher.utter_message(response=f"utter_ask_{self.slot}")

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        language = tracker.get_slot("language")
        buttons = self.buttons(domain, language)
        nearest = [button for value in tracker.get_slot("choice_options") or []
                   for button in buttons if button_value(button) == value]
        if len(nearest) == 2:
            dispatcher.utter_message(response="utter_ask_which_of_two", first=nearest[0]["title"],
                                     second=nearest[1]["title"], buttons=nearest)
        else:
            self.ask_all(dispatcher, domain, language)
        return []


class ActionAskSector(AskChoice):
    slot = "sector"


class ActionAskInterests(AskChoice):
    slot = "interests"


class ActionAskTargetRegions(AskChoice):
    slot = "target_regions"


class ActionAskEventId(AskChoice):
    """The upcoming events of the catalogue as buttons, and "none in particular"."""

    slot = "event_id"

    def buttons(self, domain: DomainDict, language: str | None) -> List[Dict[str, str]]:
        buttons = [{"title": f"{event.date.isoformat()} {event.title_in(language)}",
                    "payload": json.dumps({"event_id": event.id}).join(["/inform", ""])}
                   for event in upcoming_events()]
        buttons.append({"title": response_text(domain, "utter_label_no_event", language) or NO_EVENT,
                        "payload": "/deny"})
        return buttons

    def ask_all(self, dispatcher: CollectingDispatcher, domain: DomainDict, language: str | None) -> None:
        dispatcher.utter_message(response="utter_ask_event_id", buttons=self.buttons(domain, language))
