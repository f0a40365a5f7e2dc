"""Faults the assistant survives: the action server down, the Rasa server restarted.

Driven over REST against the real model and action server; the SME's conversation is
checked in Rasa's tracker, which lives in the database and outlives both processes.
"""

from __future__ import annotations

from actions.services.responses import response_text
from tests.faults.conftest import Processes


def requested_slot(processes: Processes, sender: str) -> str | None:
    return processes.tracker(sender)["slots"].get("requested_slot")


def test_with_the_action_server_down_the_sme_gets_an_apology_and_later_goes_on(processes, domain) -> None:
    sender = "fault-actions-de"
    processes.say(sender, "Guten Tag, wir möchten unser Unternehmen anmelden")
    assert requested_slot(processes, sender) == "consent"
    events_before = len(processes.tracker(sender)["events"])

    processes.stop("actions")
    try:
        reply = processes.say(sender, "Ja, einverstanden")
        assert reply == [response_text(domain, "utter_actions_unavailable", "de")]
        assert len(processes.tracker(sender)["events"]) == events_before  # the conversation is untouched
    finally:
        processes.start("actions")

    processes.say(sender, "Ja, einverstanden")
    assert requested_slot(processes, sender) == "company_name"  # resumed where it was
    assert processes.tracker(sender)["slots"]["consent"] is True


def test_a_restarted_rasa_server_continues_the_conversation_from_the_database(processes) -> None:
    sender = "fault-restart-it"
    processes.say(sender, "Buongiorno, vorremmo registrare la nostra azienda")
    processes.say(sender, "Sì, acconsento")
    assert requested_slot(processes, sender) == "company_name"

    processes.stop("rasa")
    processes.start("rasa")

    reply = processes.say(sender, "Ortomed S.r.l.")
    slots = processes.tracker(sender)["slots"]
    assert (slots["requested_slot"], slots["company_name"], slots["language"]) == ("contact_name", "Ortomed S.r.l.", "it")
    assert reply and all(text for text in reply)
