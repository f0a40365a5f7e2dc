"""Show the SME what this conversation stored about it (GDPR art. 15, right of access), on its request."""

from __future__ import annotations

from typing import Any, Dict, List

from babel import Locale
from babel.dates import format_date
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.registration import CONTACT_REQUEST, details_as_read
from actions.services.leads import lead_store
from actions.submission import PERSONAL_SLOTS
from bot.leads.clusters import ClusterTable, load_clusters
from bot.leads.models import Lead


class ActionShowMyData(Action):
    """Reads the leads of this conversation only: its id is the tracker's, never a value the user typed."""

    def name(self) -> str:
        return "action_show_my_data"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        language = tracker.get_slot("language") or "en"
        leads = lead_store().leads_of_conversation(tracker.sender_id)
        if not leads:
            in_progress = any(tracker.get_slot(slot) not in (None, []) for slot in PERSONAL_SLOTS)
            dispatcher.utter_message(response="utter_no_data_stored_yet" if in_progress else "utter_no_data_stored")
            return []
        clusters = load_clusters()
        for lead in leads:
            response = "utter_my_data_contact_request" if lead.kind == CONTACT_REQUEST else "utter_my_data_registration"
            dispatcher.utter_message(response=response, **stored_details(lead, clusters, domain, language))
        dispatcher.utter_message(response="utter_my_data_erasure")
        return []


def stored_details(lead: Lead, clusters: ClusterTable, domain: DomainDict, language: str) -> Dict[str, Any]:
    """A stored lead as the SME reads it: labels, country and date in its language, cluster names."""
    territories = Locale.parse(language).territories
    return {
        "stored_on": format_date(lead.created_at, format="long", locale=language),
        **details_as_read(lambda field: getattr(lead, field.lead_column), clusters, domain, language,
                          country=lambda code: territories.get(code, code)),
        "cluster_name": clusters[lead.cluster].name if lead.cluster in clusters else lead.cluster,
    }
