"""The right of access in the chat (action_show_my_data), on a real database, in five languages."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from rasa_sdk import Tracker

from actions.access import ActionShowMyData
from actions.services.leads import erase_conversation, lead_store
from actions.services.responses import response_text
from bot.definitions import LANGUAGES
from bot.leads.store import Registration
from tests.actions.conftest import make_tracker

ASK = {"text": "what data do you have about me?", "intent": {"name": "ask_my_data", "confidence": 0.97},
       "entities": []}


def save(conversation_id: str = "test", **changes: Any) -> None:
    values: dict[str, Any] = dict(
        conversation_id=conversation_id, language="en", notice_version="2026-11-23",
        company_name="Herzwerk Medizintechnik GmbH", contact_name="Anna Keller", email="anna.keller@herzwerk.example",
        country="DE", employees=40.0, sector="diagnostics", interests=["partnering", "events"],
        target_regions=["biowin"],
    )
    lead_store().save(Registration(**{**values, **changes}))


def said(dispatcher, domain, language: str) -> list[str]:
    """What the SME reads: each response in its language, filled in as Rasa fills it."""
    return [response_text(domain, m["response"], language).format(**m) for m in dispatcher.messages]


async def ask(dispatcher, domain, language: str, slots: dict | None = None) -> list[str]:
    tracker: Tracker = make_tracker(ASK, {"language": language, **(slots or {})})
    assert await ActionShowMyData().run(dispatcher, tracker, domain) == []
    return said(dispatcher, domain, language)


# Per language: the country, sector, interests and regions as the SME reads them.
SHOWN = {
    "en": ["Country: Germany", "Sector: diagnostics", "Interests: partners, events", "Regions: BioWin"],
    "de": ["Land: Deutschland", "Branche: Diagnostik", "Interessen: Partner, Veranstaltungen", "Regionen: BioWin"],
    "fr": ["Pays : Allemagne", "Secteur : diagnostic", "Centres d'intérêt : partenaires, événements",
           "Régions : BioWin"],
    "it": ["Paese: Germania", "Settore: diagnostica", "Interessi: partner, eventi", "Regioni: BioWin"],
    "pl": ["Kraj: Niemcy", "Branża: diagnostyka", "Zainteresowania: partnerzy, wydarzenia", "Regiony: BioWin"],
}
ERASURE_HINT = {"en": '"delete my data"', "de": "„Meine Daten löschen“", "fr": "« supprimer mes données »",
                "it": "«cancella i miei dati»", "pl": "„usuń moje dane”"}


@pytest.mark.parametrize("language", LANGUAGES)
async def test_the_sme_reads_what_this_conversation_stored_in_its_language(
    language, lead_database, dispatcher, domain
) -> None:
    save(language=language)
    save("someone-else", company_name="Otherco Srl", contact_name="Marco Rossi", email="marco@otherco.example")

    summary, erasure = await ask(dispatcher, domain, language)

    assert [m["response"] for m in dispatcher.messages] == ["utter_my_data_registration", "utter_my_data_erasure"]
    for stored in ("Herzwerk Medizintechnik GmbH", "Anna Keller", "anna.keller@herzwerk.example", "40",
                   "BioRegio STERN", *SHOWN[language]):
        assert stored in summary, (language, stored, summary)
    assert str(datetime.now(UTC).year) in summary  # the day it was stored, written out
    assert ERASURE_HINT[language] in erasure
    assert "Otherco" not in summary and "Marco" not in summary and "otherco" not in summary


async def test_a_contact_request_is_shown_with_what_it_asked(lead_database, dispatcher, domain) -> None:
    save(kind="contact_request", language="it", country="IT", employees=None, sector=None, interests=[],
         target_regions=[])
    summary, _ = await ask(dispatcher, domain, "it")
    assert dispatcher.messages[0]["response"] == "utter_my_data_contact_request"
    assert "richiesta di contatto" in summary and "Paese: Italia" in summary and "BioPmed" in summary


async def test_every_registration_of_the_conversation_is_shown(lead_database, dispatcher, domain) -> None:
    save(company_name="First GmbH")
    save(company_name="Second GmbH")
    first, second, _ = await ask(dispatcher, domain, "de")
    assert "First GmbH" in first and "Second GmbH" in second


@pytest.mark.parametrize("language", LANGUAGES)
async def test_without_a_stored_registration_it_says_there_is_none(language, lead_database, dispatcher,
                                                                    domain) -> None:
    save("someone-else")
    [answer] = await ask(dispatcher, domain, language)
    assert dispatcher.messages[0]["response"] == "utter_no_data_stored"
    assert "Herzwerk" not in answer


async def test_after_erasure_nothing_is_shown(lead_database, dispatcher, domain) -> None:
    save()
    erase_conversation("test")
    await ask(dispatcher, domain, "fr")
    assert [m["response"] for m in dispatcher.messages] == ["utter_no_data_stored"]


async def test_during_a_registration_it_says_nothing_is_stored_before_the_summary_is_confirmed(
    lead_database, dispatcher, domain
) -> None:
    await ask(dispatcher, domain, "pl", {"consent": True, "company_name": "MedSilTech"})
    assert [m["response"] for m in dispatcher.messages] == ["utter_no_data_stored_yet"]


def test_every_access_response_exists_in_five_languages(domain) -> None:
    for name in ("utter_my_data_registration", "utter_my_data_contact_request", "utter_my_data_erasure",
                 "utter_no_data_stored", "utter_no_data_stored_yet"):
        variations = domain["responses"][name]
        languages = {c["value"] for v in variations for c in v.get("condition") or []}
        assert languages == {"de", "fr", "it", "pl"} and sum(not v.get("condition") for v in variations) == 1, name
        texts = [v["text"] for v in variations]
        assert len(set(texts)) == 5, name
