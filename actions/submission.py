"""End of the registration form: save and hand off the lead, or respect a refusal or a stop."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.registration import CONTACT_REQUEST, REGISTRATION
from actions.services.leads import lead_store, notice_version
from bot.definitions import FALLBACK_LANGUAGE
from bot.leads.clusters import load_clusters
from bot.leads.store import CONSENT_REFUSED, Registration
from bot.registration_fields import STORED_FIELDS

PERSONAL_SLOTS = tuple(field.slot for field in STORED_FIELDS)
"""The SME's details: forgotten when it refuses consent, stops or has its data erased."""
FORM_STATE_SLOTS = ("registration_kind", "registration_confirmed", "failed_attempts", "choice_options",
                    "requested_slot")


def reset(slots: tuple[str, ...]) -> List[EventType]:
    return [SlotSet(slot, None) for slot in slots]


def given_details(tracker: Tracker) -> Dict[str, Any]:
    """The SME's details as its slots hold them, a list slot always as a list."""
    return {field.slot: list(tracker.get_slot(field.slot) or []) if field.many else tracker.get_slot(field.slot)
            for field in STORED_FIELDS}


def lead_source(tracker: Tracker) -> str | None:
    """Where the SME came from: a Telegram deep-link parameter (/start <param>), else the channel."""
    for event in tracker.events:
        parameter = (event.get("metadata") or {}).get("telegram_start_param") if event.get("event") == "user" else None
        if parameter:
            return f"telegram:{parameter}"
    return tracker.get_latest_input_channel()


class ActionSubmitRegistration(Action):
    """Runs when the form is done: consent refused, or details confirmed."""

    def name(self) -> str:
        return "action_submit_registration"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        language = tracker.get_slot("language") or FALLBACK_LANGUAGE
        if tracker.get_slot("consent") is not True:
            lead_store().count_anonymously(language, CONSENT_REFUSED)
            dispatcher.utter_message(response="utter_no_consent")
            return reset(PERSONAL_SLOTS + FORM_STATE_SLOTS)  # `consent` stays False: nothing stored
        if tracker.get_slot("registration_confirmed") is not True:
            return reset(FORM_STATE_SLOTS)
        kind = tracker.get_slot("registration_kind") or REGISTRATION
        lead = lead_store().save(Registration(
            conversation_id=tracker.sender_id,
            language=language,
            kind=kind,
            **given_details(tracker),
            source=lead_source(tracker),
            notice_version=notice_version(),
        ))
        self._confirm(dispatcher, lead, kind, language)
        return reset(FORM_STATE_SLOTS)

    @staticmethod
    def _confirm(dispatcher: CollectingDispatcher, lead: Any, kind: str, language: str) -> None:
        clusters = load_clusters()
        owner = clusters[lead.cluster]
        values: Dict[str, Any] = {"company_name": lead.company_name, "email": lead.email,
                                  "cluster_name": owner.name, "reply_time": owner.reply_time_in(language)}
        if kind == CONTACT_REQUEST:
            dispatcher.utter_message(response="utter_contact_request_saved", **values)
        elif lead.qualified:
            dispatcher.utter_message(response="utter_registration_saved", **values)
            if lead.cc_clusters:
                names = ", ".join(clusters[code].name for code in lead.cc_clusters)
                dispatcher.utter_message(response="utter_registration_saved_cc", cc_names=names)
        else:
            dispatcher.utter_message(response="utter_registration_saved_unqualified")


class ActionCancelRegistration(Action):
    """"Stop" during the form: forget what was given, keep only an anonymous count."""

    def name(self) -> str:
        return "action_cancel_registration"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        lead_store().count_anonymously(tracker.get_slot("language") or FALLBACK_LANGUAGE, "registration_cancelled")
        dispatcher.utter_message(response="utter_registration_cancelled")
        return [ActiveLoop(None)] + reset(PERSONAL_SLOTS + FORM_STATE_SLOTS) + [SlotSet("consent", None)]
