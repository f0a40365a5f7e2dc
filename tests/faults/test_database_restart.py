"""PostgreSQL restarted halfway through a registration: nothing is lost, the conversation goes on.

The whole assistant (`running_assistant`: Rasa, actions, portal, outbox) keeps conversations
and leads in a PostgreSQL server of the test's own (tests/private_servers.py), which is
stopped while an SME is in the middle of the registration form and then started again.
While the database is down the SME is told, in words, to send the message again (the
documented answer, docs/production.md "When PostgreSQL or Redis is down"); afterwards the
form goes on from where it was, and the registration ends with one lead.
"""

from __future__ import annotations

from typing import Iterator

import pytest

from actions.services.responses import response_text
from bot.database import create_scratch_database
from tests.conftest import Assistant, running_assistant
from tests.private_servers import PrivatePostgres, private_postgres
from tests.test_registration import REGISTRATIONS, converse


@pytest.fixture(scope="module")
def postgres() -> Iterator[PrivatePostgres]:
    with private_postgres() as server:
        yield server


@pytest.fixture(scope="module")
def assistant_on_postgres(postgres: PrivatePostgres, trained_model,
                          tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    database_url = create_scratch_database(postgres.url, "s3m_fault")
    with running_assistant(tmp_path_factory.mktemp("database_restart"), S3M_DATABASE_URL=database_url,
                           S3M_RATE_LIMIT_PER_MINUTE="6000", S3M_RATE_LIMIT_BURST="1000") as started:
        yield started


def user_texts(tracker: dict) -> list[str]:
    return [event["text"] for event in tracker["events"] if event["event"] == "user"]


def test_a_registration_survives_a_postgresql_restart(postgres: PrivatePostgres,
                                                      assistant_on_postgres: Assistant, domain) -> None:
    assistant = assistant_on_postgres
    steps, expected = REGISTRATIONS["en"]
    before_outage, (outage_step, *after_outage) = steps[:4], steps[4:]
    sender = assistant.new_sender()
    converse(assistant, sender, before_outage)  # the form now asks for the e-mail address
    stored = assistant.tracker(sender)

    postgres.stop()
    try:
        reply = assistant.say(sender, outage_step[0])
    finally:
        postgres.start()

    # One answer, saying what happened: not a new conversation's greeting, not silence.
    assert [message["text"] for message in reply] == [response_text(domain, "utter_actions_unavailable", "en")]
    assert assistant.tracker(sender)["events"] == stored["events"]  # the refused message left no trace

    # The same message again, on connections the restart had broken: the form goes on at once.
    converse(assistant, sender, [outage_step, *after_outage])
    tracker = assistant.tracker(sender)
    assert user_texts(tracker) == [text for text, _ in steps]
    assert tracker["slots"]["company_name"] == "Medisens" and tracker["slots"]["contact_name"] == "Claire Martin"
    [lead] = assistant.leads_of(sender)
    assert (lead["company_name"], lead["email"], lead["cluster"]) == (
        "Medisens", "claire.martin@medisens.fr", expected["cluster"])
    assert lead["qualified"] is True, lead["qualification_reasons"]


def test_a_restart_between_two_messages_goes_unnoticed(postgres: PrivatePostgres,
                                                       assistant_on_postgres: Assistant) -> None:
    """Every pooled connection dies with the server: each is tested before use, not found dead by a message."""
    assistant = assistant_on_postgres
    steps, expected = REGISTRATIONS["en"]
    sender = assistant.new_sender()
    converse(assistant, sender, steps[:-1])  # the SME is asked to confirm its details

    postgres.stop()
    postgres.start()

    converse(assistant, sender, steps[-1:])  # confirmed: the lead is saved, the form is over
    [lead] = assistant.leads_of(sender)
    assert (lead["company_name"], lead["cluster"]) == ("Medisens", expected["cluster"])
