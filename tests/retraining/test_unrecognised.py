"""Unrecognised messages, read from conversations stored by Rasa's own SQL tracker store."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActiveLoop, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.orm import Session, sessionmaker

from bot.database import build_engine
from bot.leads import schema
from bot.retraining.models import TrainingAnnotation
from bot.retraining.unrecognised import find_unrecognised, normalise, text_key

THRESHOLD = 0.6
A_MONTH_AGO = datetime.now(UTC) - timedelta(days=30)


def said(text: str, intent: str, confidence: float) -> UserUttered:
    parsed = {"name": intent, "confidence": confidence}
    return UserUttered(text, intent=parsed, parse_data={"intent": parsed, "entities": [], "text": text})


@pytest.fixture
def store_and_session(tmp_path: Path) -> tuple[SQLTrackerStore, Session]:
    database = tmp_path / "conversations.db"
    schema.upgrade(f"sqlite:///{database}")
    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(database))
    session = sessionmaker(build_engine(f"sqlite:///{database}"), future=True)()
    return store, session


def save(store: SQLTrackerStore, sender: str, *events) -> None:
    asyncio.run(store.save(DialogueStateTracker.from_events(sender, list(events))))


def test_fallbacks_and_low_confidence_are_grouped_by_text(store_and_session) -> None:
    store, session = store_and_session
    save(store, "a", said("Hello", "greet", 0.99), said("Servus beinand!", "nlu_fallback", 0.4),
         SlotSet("language", "de"))
    save(store, "b", said("servus  BEINAND", "greet", 0.55), SlotSet("language", "de"),
         said("qu'est-ce que la S3", "faq", 0.35), SlotSet("language", "fr"))
    save(store, "c", said("/greet", "greet", 0.1))  # a button's payload

    found = {m.text: m for m in find_unrecognised(session, THRESHOLD, A_MONTH_AGO)}

    assert set(found) == {"Servus beinand!", "qu'est-ce que la S3"}
    servus = found["Servus beinand!"]
    assert (servus.count, sorted(servus.conversations), servus.language) == (2, ["a", "b"], "de")
    assert found["qu'est-ce que la S3"].language == "fr"
    assert found["qu'est-ce que la S3"].predicted == "faq"


def test_free_text_answers_in_the_registration_form_are_left_out(store_and_session) -> None:
    store, session = store_and_session
    save(store, "form", ActiveLoop("registration_form"), SlotSet("requested_slot", "company_name"),
         said("Medisens Sàrl", "inform", 0.3), SlotSet("requested_slot", "sector"),
         said("we make hearing aids, sort of", "inform", 0.3), ActiveLoop(None),
         said("Acme Inc", "inform", 0.3))

    texts = [m.text for m in find_unrecognised(session, THRESHOLD, A_MONTH_AGO)]

    assert sorted(texts) == ["Acme Inc", "we make hearing aids, sort of"]  # not "Medisens Sàrl"


def test_judged_messages_and_old_ones_are_not_listed(store_and_session) -> None:
    store, session = store_and_session
    save(store, "a", said("servus", "nlu_fallback", 0.2), said("pfiat di", "nlu_fallback", 0.2))
    session.add(TrainingAnnotation(text_key=text_key("Servus!"), text="servus", language="de", label="greet"))
    session.commit()

    assert [m.text for m in find_unrecognised(session, THRESHOLD, A_MONTH_AGO)] == ["pfiat di"]
    assert find_unrecognised(session, THRESHOLD, datetime.now(UTC) + timedelta(minutes=1)) == []


def test_a_database_without_conversations_has_none(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    schema.upgrade(url)
    with sessionmaker(build_engine(url), future=True)() as session:
        assert find_unrecognised(session, THRESHOLD, A_MONTH_AGO) == []


def test_normalising_keeps_words_and_drops_case_spacing_and_end_punctuation() -> None:
    assert normalise("  Servus   BEINAND!! ") == normalise("servus beinand") == "servus beinand"
    assert normalise("Ça coûte ?") == "ça coûte"
    assert text_key("servus") != text_key("servas")
