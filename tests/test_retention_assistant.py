"""Personal data retention in the running assistant: a registration whose conversation ended longer ago
than S3M_RETENTION_DAYS is erased by the retention purge an operator runs (`python -m bot.conversations.retention`,
as the outbox worker does at start and daily) against the assistant's database, and the outside world
sees it: the lead API shows the lead without personal details, Rasa's tracker API has nothing left of
the conversation, the cluster that received the lead is told. A recent conversation is left alone.

The registration is made old by moving its stored times back: the events' timestamps (the column
the purge reads, and the JSON Rasa's tracker is rebuilt from) and the lead's creation time.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from bot.config import PROJECT_ROOT
from bot.conversations.events import EVENTS
from bot.database import build_engine
from bot.leads.clusters import load_clusters
from bot.leads.models import Lead
from tests.conftest import Assistant, wait_until
from tests.test_registration import REGISTRATIONS, converse

RETENTION_DAYS = 365  # S3M_RETENTION_DAYS's default: the session's assistant runs with it
AGE = timedelta(days=RETENTION_DAYS + 10)

CONTACT_REQUEST = [
    ("Can someone from the cluster call me back?", "consent"), ("yes", "company_name"),
    ("Cardiotech", "contact_name"), ("Piotr Zielinski", "email"),
    ("piotr@cardiotech.pl", "country"), ("Gliwice", "registration_confirmed"), ("yes", None),
]


def age_conversation(database_url: str, sender: str, age: timedelta) -> None:
    """Move every stored time of the conversation and of its lead `age` into the past."""
    engine = build_engine(database_url)
    try:
        with engine.begin() as connection:
            rows = connection.execute(select(EVENTS.c.id, EVENTS.c.data).where(EVENTS.c.sender_id == sender)).all()
            for event_id, data in rows:
                event = json.loads(data)
                event["timestamp"] -= age.total_seconds()
                connection.execute(update(EVENTS).where(EVENTS.c.id == event_id)
                                   .values(data=json.dumps(event), timestamp=event["timestamp"]))
            created = connection.execute(update(Lead).where(Lead.conversation_id == sender)
                                         .values(created_at=datetime.now(UTC) - age))
        assert rows and created.rowcount == 1
    finally:
        engine.dispose()


def user_texts(assistant: Assistant, sender: str) -> list[str]:
    return [event["text"] for event in assistant.tracker(sender)["events"] if event["event"] == "user"]


def test_an_aged_registration_is_erased_and_a_recent_one_kept(assistant):
    steps, _ = REGISTRATIONS["de"]
    old, recent = assistant.new_sender(), assistant.new_sender()
    converse(assistant, old, steps)
    converse(assistant, recent, CONTACT_REQUEST)
    [old_lead], [recent_lead] = assistant.leads_of(old), assistant.leads_of(recent)
    owner = load_clusters()[old_lead["cluster"]].contact_email
    # Mails that name this lead (by its link: other tests on the shared assistant register the same
    # company, and /leads/12 must not match /leads/123). The first is the hand-off.
    link = re.compile(rf"/leads/{old_lead['id']}\b")

    def naming_the_lead(since: int) -> list:
        return [m["message"] for m in assistant.mail.messages[since:]
                if owner in m["to"] and link.search(m["message"].get_body(("plain",)).get_content())]

    wait_until(lambda: naming_the_lead(0), 60, "the hand-off was never delivered")

    age_conversation(assistant.database_url, old, AGE)
    cutoff = time.time() - timedelta(days=RETENTION_DAYS).total_seconds()
    assert max(event["timestamp"] for event in assistant.tracker(old)["events"]) < cutoff  # Rasa sees it old

    mail_before = len(assistant.mail.messages)
    purge = subprocess.run([sys.executable, "-m", "bot.conversations.retention"], cwd=PROJECT_ROOT,
                           env=assistant.environment, capture_output=True, text=True, timeout=120)
    assert purge.returncode == 0, purge.stderr
    assert "erased the personal details of 1 lead(s)" in purge.stdout and "of 1 conversation(s)" in purge.stdout

    [erased] = assistant.leads_of(old)
    assert erased["id"] == old_lead["id"] and erased["status"] == "erased"
    assert (erased["company_name"], erased["contact_name"], erased["email"], erased["employees"]) == (None,) * 4
    assert (erased["country"], erased["cluster"]) == (old_lead["country"], old_lead["cluster"])  # counts stay true

    tracker = assistant.tracker(old)
    assert not [event for event in tracker["events"] if event["timestamp"] < cutoff]
    assert user_texts(assistant, old) == []
    assert tracker["slots"]["email"] is None and tracker["slots"]["company_name"] is None
    assert old_lead["email"] not in json.dumps(tracker)

    # The owning cluster is asked to erase its copy: a notice naming the lead's number, no personal detail.
    [notice] = wait_until(lambda: naming_the_lead(mail_before), 60, "the cluster was not told of the erasure")
    notice = notice.get_body(("plain",)).get_content()
    assert not any(detail in notice for detail in (old_lead["company_name"], old_lead["contact_name"],
                                                   old_lead["email"]))

    [kept] = assistant.leads_of(recent)
    assert kept == recent_lead and kept["company_name"] == "Cardiotech"
    assert user_texts(assistant, recent) == [message for message, _ in CONTACT_REQUEST]
