"""An admin's verdict becomes a masked training example that Rasa loads."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.shared.nlu.training_data.loading import load_data
from sqlalchemy.orm import Session, sessionmaker

from bot.database import build_engine
from bot.leads import schema
from bot.retraining.annotations import AnnotationError, annotate
from bot.retraining.masking import mask_personal_data
from bot.retraining.models import TrainingAnnotation
from bot.retraining.workspace import IGNORE, Workspace
from tests.retraining.conftest import copy_small_project


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    return copy_small_project(tmp_path / "project")


@pytest.fixture
def session(tmp_path: Path) -> Session:
    url = f"sqlite:///{tmp_path / 'portal.db'}"
    schema.upgrade(url)
    return sessionmaker(build_engine(url), future=True)()


def examples_of(workspace: Workspace, language: str) -> list[tuple[str, str]]:
    data = load_data(str(workspace.nlu_data / language))
    return [(m.get("text"), m.get("intent")) for m in data.intent_examples]


def test_a_labelled_message_is_a_training_example_with_its_personal_data_masked(workspace, session) -> None:
    annotate(session, workspace, "servus, schreibt an anna.huber@medtech.de oder +49 711 123456",
             "de", "greet", None)
    annotate(session, workspace, "ade, bis moin", "de", "goodbye", None)
    session.commit()

    examples = examples_of(workspace, "de")
    assert ("servus, schreibt an name@example.com oder +00 000 000 000", "greet") in examples
    assert ("ade, bis moin", "goodbye") in examples
    assert "anna.huber" not in workspace.user_examples("de").read_text(encoding="utf-8")
    assert session.query(TrainingAnnotation).count() == 2


def test_ignored_messages_are_remembered_but_not_trained_on(workspace, session) -> None:
    annotate(session, workspace, "asdf test 123", "en", IGNORE, None)
    session.commit()
    assert not workspace.user_examples("en").exists()
    with pytest.raises(AnnotationError) as judged:
        annotate(session, workspace, "ASDF test 123!", "en", "greet", None)
    assert judged.value.code == "already_judged"


def test_a_held_out_message_may_be_ignored_but_not_trained_on(workspace, session) -> None:
    """nlu_holdout/ measures every candidate model; a copy of one of its messages in the
    training data would flatter the next candidate."""
    with pytest.raises(AnnotationError) as refused:
        annotate(session, workspace, "Pfiat eich!", "de", "goodbye", None)
    assert refused.value.code == "held_out"
    session.rollback()
    annotate(session, workspace, "Pfiat eich!", "de", IGNORE, None)
    session.commit()
    assert not workspace.user_examples("de").exists()
    assert session.query(TrainingAnnotation).count() == 1


@pytest.mark.parametrize(("text", "language", "label", "code"), [
    ("servus", "de", "no_such_intent", "unknown_label"),
    ("servus", "es", "greet", "unknown_language"),
    ("   ", "de", "greet", "empty"),
])
def test_bad_verdicts_are_refused(workspace, session, text, language, label, code) -> None:
    with pytest.raises(AnnotationError) as refused:
        annotate(session, workspace, text, language, label, None)
    assert refused.value.code == code


def test_square_brackets_cannot_smuggle_in_entity_annotations(workspace, session) -> None:
    annotate(session, workspace, "hello [Acme](company_name)", "en", "greet", None)
    data = load_data(str(workspace.user_examples("en")))
    assert [(m.get("text"), m.get("entities") or []) for m in data.intent_examples] == [
        ("hello (Acme)(company_name)", [])]


def test_the_labels_are_the_domains_intents_and_faq_topics(tmp_path: Path) -> None:
    from bot.config import PROJECT_ROOT

    labels = Workspace(root=PROJECT_ROOT, models_dir=tmp_path).labels()
    assert {"greet", "inform", "out_of_scope", "faq/cost", "faq/privacy", IGNORE} <= set(labels)
    assert "faq" not in labels


@pytest.mark.parametrize(("text", "masked"), [
    ("mail jan.kowalski@medtech.pl please", "mail name@example.com please"),
    ("call +48 601-234-567 today", "call +00 000 000 000 today"),
    ("we are 40 people since 2019", "we are 40 people since 2019"),
    ("see https://portal.example/a?token=secret", "see https://portal.example/a"),
])
def test_masking(text: str, masked: str) -> None:
    assert mask_personal_data(text) == masked


def test_control_characters_cannot_break_the_training_data(workspace, session) -> None:
    """One annotated message with a DEL or a NUL must not make every later `rasa train` fail."""
    annotate(session, workspace, "hallo\x7f\x00 zusammen\u200b\x1b[31m", "de", "greet", None)
    annotate(session, workspace, "servus beinand", "de", "greet", None)
    examples = examples_of(workspace, "de")
    assert ("hallo zusammen(31m", "greet") in examples and ("servus beinand", "greet") in examples
