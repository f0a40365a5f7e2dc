"""Activation's safeguards: a worse model needs an override; an unreachable server changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.database import build_engine
from bot.leads import schema
from bot.retraining import runs
from bot.retraining.evaluation import scores, worse_languages
from bot.retraining.models import TrainingRun
from bot.retraining.rasa_server import RasaServer, RasaServerError
from tests.conftest import free_port


@pytest.fixture
def session(tmp_path: Path) -> Session:
    url = f"sqlite:///{tmp_path / 'portal.db'}"
    schema.upgrade(url)
    return sessionmaker(build_engine(url), future=True)()


def ready_run(session: Session, tmp_path: Path, worse: list[str]) -> TrainingRun:
    run = TrainingRun(status="ready", phase="ready", progress=1.0, log_tail="", model_path=str(tmp_path / "m.tar.gz"),
                      evaluation={"candidate": {}, "active": {}, "worse": worse, "active_model": "old.tar.gz"})
    session.add(run)
    session.commit()
    return run


def test_a_model_worse_in_some_language_needs_an_override(session, tmp_path) -> None:
    run = ready_run(session, tmp_path, worse=["pl"])
    closed_port = RasaServer(f"http://127.0.0.1:{free_port()}")
    with pytest.raises(runs.RunError) as refused:
        runs.activate(session, run, None, closed_port, override=False)
    assert refused.value.code == "needs_override"
    with pytest.raises(RasaServerError):  # with the override it goes on, to a server that is down
        runs.activate(session, run, None, closed_port, override=True)
    session.refresh(run)
    assert (run.status, run.activated_at) == ("ready", None)  # nothing changed


def test_only_one_run_at_a_time_and_interrupted_runs_are_failed(session) -> None:
    first = runs.create_run(session, None)
    with pytest.raises(runs.RunError):
        runs.create_run(session, None)
    runs.mark_interrupted(session)
    session.refresh(first)
    assert first.status == "failed" and "interrupted" in first.error
    assert runs.create_run(session, None).status == "queued"


def test_worse_means_lower_accuracy_in_a_language() -> None:
    candidate = {"de": scores(["greet", "bye"], ["greet", "bye"]), "en": scores(["greet", "bye"], ["greet", "greet"])}
    active = {"de": scores(["greet", "bye"], ["greet", "greet"]), "en": scores(["greet", "bye"], ["greet", "bye"])}
    assert candidate["de"]["accuracy"] == 100.0 and candidate["en"]["accuracy"] == 50.0
    assert worse_languages(candidate, active) == ["en"]
    assert worse_languages(active, active) == []


def test_the_progress_bar_has_a_step_per_component_and_policy(tmp_path) -> None:
    config = tmp_path / "config.yml"
    config.write_text("pipeline:\n  - name: WhitespaceTokenizer\n  - name: DIETClassifier\n"
                      "policies:\n  - name: RulePolicy\n", encoding="utf-8")
    assert runs.training_steps(config) == 3
    assert runs.training_steps(Path(__file__).parent / "small_project" / "config.yml") == 6
    config.write_text("", encoding="utf-8")
    assert runs.training_steps(config) == 1
