"""Erase what a conversation stored about the SME (GDPR art. 17), on its request."""

from __future__ import annotations

from typing import List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.services.leads import erase_conversation
from actions.submission import FORM_STATE_SLOTS, PERSONAL_SLOTS, reset
from bot.registration_fields import NAMING_SLOTS


class ActionDeleteMyData(Action):
    """Wipes the conversation's leads and stored events (bot.conversations.erasure); the tracker
    store then stores only what followed this action (bot/tracker_store.py)."""

    def name(self) -> str:
        return "action_delete_my_data"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        # The slots too: training data may name the SME although no lead was stored yet.
        named = [tracker.get_slot(slot) for slot in NAMING_SLOTS]
        erased = erase_conversation(tracker.sender_id, also_named=[
            value for value in named if isinstance(value, str)])
        had_details = any(tracker.get_slot(slot) not in (None, []) for slot in PERSONAL_SLOTS)
        dispatcher.utter_message(response="utter_data_deleted" if erased or had_details
                                 else "utter_no_data_to_delete")
        return [ActiveLoop(None)] + reset(PERSONAL_SLOTS + FORM_STATE_SLOTS) + [SlotSet("consent", None)]
