"""The registration form: consent first, then only what is still missing.

Nothing personal is taken before the SME consents. Details it gave up front
("We are Medisens, 40 people in Lyon, we'd like to register") are read back from
the registration's earlier messages at the moment it consents.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions.services import details
from actions.services.meaning import answer_meanings
from actions.services.places import known_countries
from actions.services.responses import response_text
from bot.definitions import DIGRESSION_CONFIDENCE, FORM_DIGRESSIONS
from bot.event_catalogue import upcoming_events
from bot.leads.clusters import ClusterTable, load_clusters
from bot.leads.email_address import is_valid_email
from bot.registration_fields import (
    CLUSTERS,
    CONTACT_REQUEST_SLOTS,
    COUNTRY,
    HEAD_COUNT,
    LABELLED,
    SHOWN_FIELDS,
    RegistrationField,
    written_fields,
)

FORM = "registration_form"
CONTACT_REQUEST = "contact_request"
REGISTRATION = "registration"
YES_NO_SLOTS = ("consent", "registration_confirmed")
POLITE_INTENTS = ("thank", "greet")
SHORT_ANSWER_WORDS = 2
TRIES_BEFORE_WAY_OUT = 3
MAX_EMPLOYEES = 1_000_000
BOOKKEEPING_SLOTS = ("registration_kind",)


def registration_messages(tracker: Tracker) -> List[Dict[str, Any]]:
    """Parse data of the user messages of the current registration, the one that started it first."""
    events = tracker.events
    start = next((i for i in range(len(events) - 1, -1, -1)
                  if events[i].get("event") == "active_loop" and events[i].get("name") == FORM), None)
    if start is None:
        return [tracker.latest_message]
    first_user = next((i for i in range(start - 1, -1, -1) if events[i].get("event") == "user"), start)
    return [e.get("parse_data") or {} for e in events[first_user:] if e.get("event") == "user"]


def fits_question(message: Dict[str, Any], requested: str, language: str | None, clusters) -> bool:
    """Whether the message clearly answers the question asked ("the webinars", asked for interests;
    "correct, thanks", asked to confirm; "Spagna", asked for the country), whatever else the NLU
    took it for. A question of the SME's own ("is Poland part of it?") is not an answer."""
    text = (message.get("text") or "").strip()
    if not text or text.startswith("/"):
        return False
    intent = (message.get("intent") or {}).get("name") or ""
    if requested == "email":
        return bool(details.EMAIL_IN_TEXT.search(text))
    if requested == "employees":
        return not text.endswith("?") and details.names_a_head_count(text, language)
    if requested == "country":
        return not text.endswith("?") and details.from_answer(message, requested, language, clusters) not in (None, text)
    if requested in YES_NO_SLOTS:  # "yes, thanks" is a yes; "ok, but who sees my data?" is a question
        meanings = answer_meanings()  # "ok, as long as it stays with the cluster" is a yes
        return meanings.understand("yes_no", text, off_question=True) is not None or \
            "?" not in text and (meanings.understand_first("yes_no", text, language, off_question=True) or
                                 meanings.plain_yes_or_no(text, language)) is not None or \
            intent in POLITE_INTENTS and len(meanings.understand_several("yes_no", text, language, off_question=True)) == 1
    return requested in details.CHOICE_SLOTS and \
        details.understood_choice(text, intent, requested, clusters, off_question=True, language=language) is not None


def is_digression(message: Dict[str, Any], requested: str | None = None) -> bool:
    """Whether the form should leave the message to the rules.

    Asked for a name, a word or two is the name, whatever it resembles ("Erasemed").
    """
    intent = message.get("intent") or {}
    if requested in details.NAME_SLOTS and len((message.get("text") or "").split()) <= SHORT_ANSWER_WORDS:
        return intent.get("name") == "stop"
    return intent.get("name") in FORM_DIGRESSIONS and (intent.get("confidence") or 0) >= DIGRESSION_CONFIDENCE


class ValidateRegistrationForm(FormValidationAction):
    """Extracts and checks the registration's slots (`validate_registration_form`)."""

    def name(self) -> str:
        return "validate_registration_form"

    async def required_slots(self, domain_slots: List[str], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> List[str]:
        if tracker.get_slot("consent") is False:
            return ["consent"]  # filled: ends the form; action_submit_registration takes over
        kind = tracker.get_slot("registration_kind") or self._kind(registration_messages(tracker))
        slots = list(CONTACT_REQUEST_SLOTS if kind == CONTACT_REQUEST else domain_slots)
        interests = tracker.get_slot("interests") or []
        if "event_id" in slots and ("events" not in interests or not upcoming_events()):
            slots.remove("event_id")
        return slots

    @staticmethod
    def _kind(messages: List[Dict[str, Any]]) -> str:
        first = messages[0]
        return CONTACT_REQUEST if (first.get("intent") or {}).get("name") == "request_human" else REGISTRATION

    async def get_extraction_events(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> List[EventType]:
        """All slot candidates of the latest message; nothing personal before consent."""
        found = self._candidates(tracker)
        tracker.slots.update(found)
        return [SlotSet(slot, value) for slot, value in found.items()]

    async def get_validation_events(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> List[EventType]:
        """The validated form slots, plus the form's own bookkeeping (which rasa-sdk would drop)."""
        events = await super().get_validation_events(dispatcher, tracker, domain)
        recent = tracker.slots_to_validate()
        validated = {event["name"] for event in events}
        return events + [SlotSet(slot, recent[slot]) for slot in BOOKKEEPING_SLOTS
                         if slot in recent and slot not in validated]

    def _candidates(self, tracker: Tracker) -> Dict[str, Any]:
        clusters = load_clusters()
        language = tracker.get_slot("language")
        requested = tracker.get_slot("requested_slot")
        message = tracker.latest_message
        messages = registration_messages(tracker)
        found: Dict[str, Any] = {}
        if tracker.get_slot("registration_kind") is None:
            found["registration_kind"] = self._kind(messages)
        if requested is None and tracker.get_slot("consent") is False:
            found["consent"] = None  # refused last time: a new registration asks again
        if tracker.get_slot("interests") is None:  # what the SME asked about is not personal
            implied = details.interests_of_intents(  # in the message that started the registration
                (m.get("intent") or {}).get("name") for m in messages[:1])
            if implied:
                found["interests"] = implied
        if requested is None:
            return found
        if is_digression(message, requested) and not fits_question(message, requested, language, clusters):
            return {}
        if requested == "consent":
            consent = details.from_answer(message, "consent", language, clusters)
            found["consent"] = consent
            if consent:
                for earlier in messages[:-1]:
                    for slot, value in details.from_entities(earlier, None, language, clusters).items():
                        found.setdefault(slot, value)
            return found
        if tracker.get_slot("consent") is not True:
            return found
        entities = details.from_entities(message, requested, language, clusters)
        if requested == "registration_confirmed" and entities:
            return {**found, **entities}  # a correction ("actually my e-mail is ..."), not a yes
        # Corrections come at the summary; while another question is asked, an entity for one
        # already answered is a misreading ("ten w kwietniu", the one in April, is not ten people).
        found.update({slot: value for slot, value in entities.items()
                      if slot == requested or tracker.get_slot(slot) is None})
        answer = details.from_answer(message, requested, language, clusters)
        if requested in details.CHOICE_SLOTS and answer not in (None, (message.get("text") or "").strip()):
            found[requested] = answer  # the whole answer, read for the question, beats its entities
        elif requested not in found and answer is not None:
            found[requested] = answer
        if "interests" in found and requested != "interests" and isinstance(found["interests"], list):
            found["interests"] = list(dict.fromkeys((tracker.get_slot("interests") or []) + found["interests"]))
        return found

    # -- validation: a helpful re-ask for the question asked, silence for the rest ------------

    def _reject(self, slot: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> Dict[str, Any]:
        """Re-ask: a multiple-choice question offers the two values nearest to what the SME wrote."""
        if tracker.get_slot("requested_slot") != slot:
            return {slot: None}
        tries = int(tracker.get_slot("failed_attempts") or 0) + 1
        rejected: Dict[str, Any] = {slot: None, "failed_attempts": float(tries)}
        text = (tracker.latest_message.get("text") or "").strip()
        if slot in details.CHOICE_SLOTS and text and not text.startswith("/"):
            rejected["choice_options"] = answer_meanings().rank(slot, text).nearest(2)
        else:
            dispatcher.utter_message(response=f"utter_invalid_{slot}")
        if tries % TRIES_BEFORE_WAY_OUT == 0:
            dispatcher.utter_message(response="utter_way_out")
        return rejected

    @staticmethod
    def _accept(slot: str, value: Any) -> Dict[str, Any]:
        return {slot: value, "failed_attempts": None, "choice_options": None}

    def validate_consent(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                         domain: DomainDict) -> Dict[str, Any]:
        return {"consent": value if isinstance(value, bool) else None}

    def _validate_name(self, slot: str, value: Any, dispatcher: CollectingDispatcher,
                       tracker: Tracker) -> Dict[str, Any]:
        text = str(value or "").strip()
        if not text or len(text) > details.MAX_NAME_LENGTH or "@" in text:
            return {slot: None} if tracker.get_slot("requested_slot") != slot else {slot: None}
        return self._accept(slot, text)

    def validate_company_name(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                              domain: DomainDict) -> Dict[str, Any]:
        return self._validate_name("company_name", value, dispatcher, tracker)

    def validate_contact_name(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                              domain: DomainDict) -> Dict[str, Any]:
        return self._validate_name("contact_name", value, dispatcher, tracker)

    def validate_email(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                       domain: DomainDict) -> Dict[str, Any]:
        address = str(value or "").strip().strip("<>.,;")
        if is_valid_email(address):
            return self._accept("email", address)
        return self._reject("email", dispatcher, tracker)

    def validate_country(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                         domain: DomainDict) -> Dict[str, Any]:
        if isinstance(value, str) and value in known_countries():
            return self._accept("country", value)
        return self._reject("country", dispatcher, tracker)

    def validate_employees(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                           domain: DomainDict) -> Dict[str, Any]:
        if isinstance(value, (int, float)) and 1 <= value <= MAX_EMPLOYEES:
            return self._accept("employees", float(round(value)))
        return self._reject("employees", dispatcher, tracker)

    def validate_sector(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                        domain: DomainDict) -> Dict[str, Any]:
        if value in details.SECTORS:
            return self._accept("sector", value)
        return self._reject("sector", dispatcher, tracker)

    def validate_interests(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                           domain: DomainDict) -> Dict[str, Any]:
        if isinstance(value, list) and value and all(v in details.INTERESTS for v in value):
            return self._accept("interests", value)
        return self._reject("interests", dispatcher, tracker)

    def validate_target_regions(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                domain: DomainDict) -> Dict[str, Any]:
        clusters = load_clusters()
        if isinstance(value, list) and all(v in clusters for v in value):
            return self._accept("target_regions", value)
        return self._reject("target_regions", dispatcher, tracker)

    def validate_event_id(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                          domain: DomainDict) -> Dict[str, Any]:
        if value == details.NO_EVENT or value in {event.id for event in upcoming_events()}:
            return self._accept("event_id", value)
        return self._reject("event_id", dispatcher, tracker)

    def validate_registration_confirmed(self, value: Any, dispatcher: CollectingDispatcher,
                                        tracker: Tracker, domain: DomainDict) -> Dict[str, Any]:
        # "No" keeps the question open: action_ask_registration_confirmed asks what to correct.
        return {"registration_confirmed": True if value is True else None}


class ActionAskRegistrationConfirmed(Action):
    """Show what will be saved and ask for confirmation, or ask what to correct."""

    def name(self) -> str:
        return "action_ask_registration_confirmed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        if said_no_to_summary(tracker) and not corrected_by_latest_message(tracker):
            dispatcher.utter_message(response="utter_ask_correction")
            return []  # "almost, but the country is Belgium" was corrected already: the summary shows it
        language = tracker.get_slot("language")
        summary = "utter_contact_summary" if tracker.get_slot("registration_kind") == CONTACT_REQUEST \
            else "utter_registration_summary"
        dispatcher.utter_message(response=summary, **summary_values(tracker, domain, language))
        return []


def said_no_to_summary(tracker: Tracker) -> bool:
    """Whether the latest message answered the summary's "is this correct?" with a no (a question
    asked instead, "what is S3martMed?", is none: the summary is shown again after the answer)."""
    if question_answered(tracker) != "registration_confirmed":
        return False
    message, language, clusters = tracker.latest_message, tracker.get_slot("language"), load_clusters()
    if is_digression(message, "registration_confirmed") and \
            not fits_question(message, "registration_confirmed", language, clusters):
        return False
    return details.from_answer(message, "registration_confirmed", language, clusters) is False


def corrected_by_latest_message(tracker: Tracker) -> bool:
    """Whether the latest message changed a detail that the summary shows."""
    shown = {field.slot for field in SHOWN_FIELDS}
    events = tracker.events
    latest_user = next((i for i in range(len(events) - 1, -1, -1) if events[i].get("event") == "user"), len(events))
    return any(e.get("event") == "slot" and e.get("name") in shown for e in events[latest_user + 1:])


def question_answered(tracker: Tracker) -> str | None:
    """The slot the form was asking for when the user sent the latest message."""
    events = tracker.events
    latest_user = next((i for i in range(len(events) - 1, -1, -1) if events[i].get("event") == "user"), 0)
    return next((events[i].get("value") for i in range(latest_user - 1, -1, -1)
                 if events[i].get("event") == "slot" and events[i].get("name") == "requested_slot"), None)


def summary_values(tracker: Tracker, domain: DomainDict, language: str | None) -> Dict[str, str]:
    """The slots as the SME reads them: labels in its language, cluster names."""
    return details_as_read(lambda field: tracker.get_slot(field.slot), load_clusters(), domain, language)


def details_as_read(value_of: Callable[[RegistrationField], Any], clusters: ClusterTable, domain: DomainDict,
                    language: str | None, country: Callable[[str], str] = str) -> Dict[str, str]:
    """The shown registration fields (bot.registration_fields) as the SME reads them in the chat.

    Args:
        value_of: a field's value (its slot's, its lead column's).
        country: how a country code reads (default: as the code).
    """

    def word(field: RegistrationField, value: Any) -> str | None:
        if field.shown == HEAD_COUNT:
            return f"{value:g}" if isinstance(value, (int, float)) else None
        if field.shown == LABELLED and field.labels:
            return response_text(domain, field.labels.response.format(code=value), language) or value
        if field.shown == CLUSTERS:
            return clusters[value].name if value in clusters else None
        return country(value) if field.shown == COUNTRY else value

    return written_fields(value_of, word, response_text(domain, "utter_label_none", language) or "-")
