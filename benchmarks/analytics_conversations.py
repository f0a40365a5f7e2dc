"""Conversations whose funnel is known in advance, stored as Rasa 3.6 stores them, with their leads.

Each conversation follows a script (`Script`): which step of the funnel it reaches, which
registration question it needs asked twice, where it leaves the form. The events are Rasa's own
classes (UserUttered, SlotSet, ActiveLoop, BotUttered, ActionExecuted) in the order a turn of
the registration form produces them, serialised into the `events` table exactly as Rasa's
SQLTrackerStore.save does (tests/portal/test_analytics.py checks both give the same rows).
Used by the analytics tests (a small set, exact counts) and `benchmarks/analytics.py` (10,000).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Iterable, Sequence

from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.conversations.events import EVENTS
from bot.leads.models import Lead, LeadRecipient, LeadStatusChange, OutboxMessage

FORM = "registration_form"
ANSWERS: dict[str, Any] = {
    "consent": True, "company_name": "Medisens", "contact_name": "Claire Martin", "email": "claire@medisens.example",
    "country": "FR", "employees": 40.0, "sector": "medical_devices", "interests": ["partnering", "events"],
    "target_regions": ["biopmed"], "event_id": "example-brokerage-lyon", "registration_confirmed": True,
}
QUESTIONS = tuple(ANSWERS)
SMES = [("Medisens SAS", "Claire Martin"), ("Alpenmed GmbH", "Julia Hartmann"), ("Meditalia Srl", "Marco Rossi"),
        ("MedSilTech sp. z o.o.", "Anna Nowak"), ("Namur Digital Health SPRL", "Julie Lambert"),
        ("Torino BioSense S.r.l.", "Giulia Bianchi"), ("Oxford Wearables Ltd", "Emma Clarke")]
COUNTRY_OF = {"lyonbiopole": "FR", "biowin": "BE", "medsilesia": "PL", "biopmed": "IT", "bioregio_stern": "DE"}

# Steps a script can end at, in funnel order (bot.portal.analytics.STAGES).
GREETING, QUESTION, CONSENT_REFUSED, LEFT_FORM, REGISTERED, QUALIFIED, HANDED_OFF, CONTACTED = (
    "greeting", "question", "consent_refused", "left_form", "registered", "qualified", "handed_off", "contacted")


@dataclass(frozen=True)
class Script:
    """One conversation's course; everything the analytics count follows from these fields."""

    sender_id: str
    language: str = "en"
    outcome: str = HANDED_OFF
    faq_topics: tuple[str, ...] = ()  # asked (and understood) before anything else
    unrecognised: int = 0  # messages the NLU's fallback caught, before anything else
    reasked: tuple[str, ...] = ()  # form questions whose first answer is rejected
    digression_at: str | None = None  # a FAQ question asked while this form question waits
    left_at: str = "email"  # for LEFT_FORM: the question the SME never answers
    cluster: str = "lyonbiopole"  # the SME's country is this cluster's
    start: datetime = datetime(2026, 11, 3, 9, tzinfo=UTC)
    lead_questions: Sequence[str] = field(default=QUESTIONS)


@dataclass
class _Writer:
    clock: float
    events: list[Event] = field(default_factory=list)

    def add(self, *events: Event) -> None:
        for event in events:
            self.clock += 1.5
            event.timestamp = self.clock
            self.events.append(event)

    def user(self, text: str, intent: str, confidence: float, language: str, faq: str | None = None) -> None:
        parsed = {"name": intent, "confidence": confidence}
        parse_data: dict[str, Any] = {"intent": parsed, "entities": [], "text": text,
                                      "language_detection": {"language": language, "reliable": True}}
        if faq:
            parse_data["response_selector"] = {"faq": {"response": {"intent_response_key": faq, "confidence": 0.9}}}
        self.add(UserUttered(text, intent=parsed, parse_data=parse_data))

    def reply(self, action: str, *extra: Event) -> None:
        self.add(ActionExecuted(action), *extra, BotUttered("...", metadata={"utter_action": action}),
                 ActionExecuted("action_listen"))

    def ask(self, question: str | None, *before: Event) -> None:
        """One run of the form: its slot events, then the next question (or nothing)."""
        self.add(ActionExecuted(FORM), *before)
        if question is None:
            return
        self.add(SlotSet("requested_slot", question),
                 BotUttered("...", metadata={"utter_action": f"utter_ask_{question}"}), ActionExecuted("action_listen"))


def conversation_events(script: Script) -> list[Event]:
    """The events Rasa would store for the conversation of `script`."""
    lang = script.language
    write = _Writer(script.start.timestamp())
    write.add(ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen"))
    write.user("hello", "greet", 0.98, lang)
    write.reply("utter_greet", SlotSet("language", lang))
    for _ in range(script.unrecognised):
        write.user("blorp zzz", "nlu_fallback", 0.31, lang)
        write.reply("action_default_fallback")
    for topic in script.faq_topics:
        write.user(f"question about {topic}", "faq", 0.93, lang, faq=topic)
        write.reply(f"utter_{topic}")
    if script.outcome in (GREETING, QUESTION):
        write.user("bye", "goodbye", 0.97, lang)
        write.reply("utter_goodbye")
        return write.events

    write.user("we would like to register", "register_interest", 0.95, lang)
    write.ask("consent", ActiveLoop(FORM), SlotSet("registration_kind", "registration"))
    answers = dict(ANSWERS, country=COUNTRY_OF[script.cluster],
                   employees=400.0 if script.outcome == REGISTERED else 40.0)
    questions = [q for q in script.lead_questions if q in QUESTIONS]
    for position, question in enumerate(questions):
        if script.outcome == CONSENT_REFUSED:
            write.user("no", "deny", 0.96, lang)
            write.ask(None, SlotSet("consent", False), SlotSet("requested_slot", None), ActiveLoop(None))
            write.reply("action_submit_registration")
            return write.events
        if question == script.digression_at:
            write.user("does it cost anything?", "faq", 0.94, lang, faq="faq/cost")
            write.add(ActionExecuted("utter_faq"), BotUttered("...", metadata={"utter_action": "utter_faq/cost"}))
            write.ask(question)
        if question in script.reasked:
            write.user("hmm, not sure", "inform", 0.52, lang)
            write.ask(question, SlotSet(question, None), SlotSet("failed_attempts", 1.0),
                      BotUttered("...", metadata={"utter_action": f"utter_invalid_{question}"}))
        if script.outcome == LEFT_FORM and question == script.left_at:
            return write.events  # the SME never answers
        write.user(str(answers[question]), "inform", 0.88, lang)
        following = questions[position + 1] if position + 1 < len(questions) else None
        done = (ActiveLoop(None),) if following is None else ()
        write.ask(following, SlotSet(question, answers[question]), SlotSet("failed_attempts", None),
                  *((SlotSet("requested_slot", None),) if following is None else ()), *done)
    write.reply("action_submit_registration")
    return write.events


def event_rows(sender_id: str, events: Iterable[Event]) -> list[dict[str, Any]]:
    """The rows Rasa's SQLTrackerStore.save writes for these events."""
    rows = []
    for event in events:
        data = event.as_dict()
        rows.append({"sender_id": sender_id, "type_name": event.type_name, "timestamp": data.get("timestamp"),
                     "intent_name": data.get("parse_data", {}).get("intent", {}).get("name"),
                     "action_name": data.get("name"), "data": json.dumps(data)})
    return rows


def store_conversations(engine: Engine, scripts: Iterable[Script], batch: int = 20_000) -> int:
    """Insert the scripts' events; returns how many rows were written."""
    EVENTS.create(engine, checkfirst=True)
    written, pending = 0, []
    with engine.begin() as connection:
        for script in scripts:
            pending += event_rows(script.sender_id, conversation_events(script))
            if len(pending) >= batch:
                connection.execute(EVENTS.insert(), pending)
                written, pending = written + len(pending), []
        if pending:
            connection.execute(EVENTS.insert(), pending)
            written += len(pending)
    return written


def store_leads(session: Session, scripts: Iterable[Script]) -> int:
    """The leads the scripts that registered leave, with their hand-off and contact as the outcome says."""
    count = 0
    for script in scripts:
        if script.outcome not in (REGISTERED, QUALIFIED, HANDED_OFF, CONTACTED):
            continue
        company, contact = SMES[count % len(SMES)]
        saved_at = script.start + timedelta(minutes=5)
        copies = [code for code in ANSWERS["target_regions"] if code != script.cluster]
        lead = Lead(conversation_id=script.sender_id, language=script.language, company_name=company,
                    contact_name=contact, email=f"{contact.split()[0].lower()}@{company.split()[0].lower()}.example",
                    country=COUNTRY_OF[script.cluster],
                    employees=400.0 if script.outcome == REGISTERED else 40.0, sector="medical_devices",
                    interests=ANSWERS["interests"], target_regions=ANSWERS["target_regions"],
                    event_id=ANSWERS["event_id"], qualified=script.outcome != REGISTERED,
                    qualification_reasons=["generated"], cluster=script.cluster, cc_clusters=copies,
                    routing_reason="generated", created_at=saved_at,
                    status="contacted" if script.outcome == CONTACTED else "new")
        lead.recipients = [LeadRecipient(cluster=script.cluster, role="owner")] + [
            LeadRecipient(cluster=code, role="copy") for code in copies]
        if script.outcome != REGISTERED:
            lead.notifications = [OutboxMessage(channel="email", recipient=f"leads@{script.cluster}.example",
                                                cluster=script.cluster, body="...", created_at=saved_at,
                                                status="pending" if script.outcome == QUALIFIED else "sent")]
        lead.status_changes = [LeadStatusChange(status="new", changed_at=saved_at)] + (
            [LeadStatusChange(status="contacted", changed_at=saved_at + timedelta(days=1))]
            if script.outcome == CONTACTED else [])
        session.add(lead)
        count += 1
    session.commit()
    return count


def random_scripts(count: int, seed: int = 22, start: datetime = datetime(2026, 11, 1, tzinfo=UTC),
                   days: int = 30) -> list[Script]:
    """`count` conversations spread over `days`, in the proportions a month of traffic might show."""
    rng = random.Random(seed)
    outcomes = [GREETING] * 20 + [QUESTION] * 30 + [CONSENT_REFUSED] * 8 + [LEFT_FORM] * 12 + [REGISTERED] * 5 + \
        [QUALIFIED] * 5 + [HANDED_OFF] * 12 + [CONTACTED] * 8
    topics = ["faq/what_is_s3martmed", "faq/partners", "faq/cost", "faq/eligibility", "faq/privacy", "faq/contact"]
    scripts = []
    for number in range(count):
        channel = rng.choice(["telegram-", "widget-", "widget-", ""])
        scripts.append(Script(
            sender_id=f"{channel}gen{number:06d}", language=rng.choice(["en", "de", "fr", "it", "pl"]),
            outcome=rng.choice(outcomes), faq_topics=tuple(rng.sample(topics, rng.randint(0, 2))),
            unrecognised=rng.choice([0, 0, 0, 1]), reasked=tuple(rng.sample(["email", "sector", "country"],
                                                                            rng.randint(0, 1))),
            left_at=rng.choice(["company_name", "email", "employees", "sector", "interests"]),
            cluster=rng.choice(list(COUNTRY_OF)),
            start=start + timedelta(seconds=rng.randint(0, days * 86_400 - 3_600))))
    return scripts
