"""A retraining run: validate the data, train a candidate, evaluate it against the active model.

Runs in a background thread of the caller (the portal) and writes its progress to its
`training_runs` row, which the Retrain page shows; the heavy work happens in child
processes (`rasa data validate`, `rasa train`, a parse worker), so the portal stays
responsive. Activation is a separate, explicit step (:func:`activate`).
"""

from __future__ import annotations

import logging
import re
import subprocess
import sys
import threading
import time
from collections import deque
from pathlib import Path
from typing import Callable

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.config import PROJECT_ROOT
from bot.orm import utcnow
from bot.portal.models import User
from bot.retraining.evaluation import evaluate, load_holdout, parse_with_model_file, worse_languages
from bot.retraining.models import TrainingRun
from bot.retraining.rasa_server import RasaServer
from bot.retraining.workspace import Workspace
from bot.training import model_path, rasa_environment, train_command

log = logging.getLogger(__name__)

RUNNING = ("queued", "validating", "training", "evaluating")
STATUSES = (*RUNNING, "ready", "failed", "activated")
# Share of the progress bar each step fills (validation, training, evaluation).
VALIDATE_END, TRAIN_END = 0.05, 0.85

_STARTED_COMPONENT = re.compile(r"Starting to train component '(\w+)'")
_FINISHED_COMPONENT = re.compile(r"Finished training component '(\w+)'")
_RESTORED_COMPONENT = re.compile(r"Restored component '(\w+)' from cache")
_EPOCHS = re.compile(r"Epochs:\s+(\d+)%")


class RunError(RuntimeError):
    """A run cannot be started or activated; `code` names why (an i18n key on the portal)."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(detail or code)
        self.code = code


def current_run(session: Session) -> TrainingRun | None:
    return session.scalars(select(TrainingRun).where(TrainingRun.status.in_(RUNNING))).first()


def create_run(session: Session, user: User | None) -> TrainingRun:
    """A queued run; refused while another one is going (they would train the same data twice)."""
    if current_run(session) is not None:
        raise RunError("run_in_progress")
    run = TrainingRun(status="queued", phase="queued", progress=0.0, started_by=user.id if user else None,
                      log_tail="")
    session.add(run)
    session.commit()
    return run


def mark_interrupted(session: Session) -> None:
    """Runs left unfinished by a process that stopped are failed, so a new one may start."""
    for run in session.scalars(select(TrainingRun).where(TrainingRun.status.in_(RUNNING))):
        run.status, run.error, run.finished_at = "failed", "interrupted: the portal stopped during the run", utcnow()
    session.commit()


def start_in_background(sessions: sessionmaker, run_id: int, workspace: Workspace, server: RasaServer) -> threading.Thread:
    thread = threading.Thread(target=execute, args=(sessions, run_id, workspace, server),
                              name=f"retraining-{run_id}", daemon=True)
    thread.start()
    return thread


class _Progress:
    """Writes the run's status to its row, at most every second unless forced."""

    def __init__(self, sessions: sessionmaker, run_id: int) -> None:
        self._sessions, self._run_id = sessions, run_id
        self._log: deque[str] = deque(maxlen=40)
        self._written = 0.0

    def line(self, text: str) -> None:
        self._log.append(text[:300])

    def update(self, force: bool = True, **fields) -> None:
        if not force and time.monotonic() - self._written < 1.0:
            return
        with self._sessions() as session:
            run = session.get(TrainingRun, self._run_id)
            for name, value in fields.items():
                setattr(run, name, value)
            run.log_tail = "\n".join(self._log)
            session.commit()
        self._written = time.monotonic()


def execute(sessions: sessionmaker, run_id: int, workspace: Workspace, server: RasaServer) -> None:
    """The whole run; any failure ends it as "failed" with the reason shown to the admin."""
    progress = _Progress(sessions, run_id)
    try:
        progress.update(status="validating", phase="validating the training data", progress=0.0)
        _validate(workspace, progress)
        progress.update(status="training", phase="training", progress=VALIDATE_END)
        model = _train(workspace, progress)
        progress.update(status="evaluating", phase="evaluating on the held-out messages", progress=TRAIN_END,
                        model_path=str(model))
        evaluation = compare(workspace, model, server)
        progress.update(status="ready", phase="ready", progress=1.0, evaluation=evaluation, finished_at=utcnow())
    except Exception as error:  # noqa: BLE001 - whatever went wrong, the admin must see it, not a stuck run
        log.exception("retraining run %s failed", run_id)
        progress.update(status="failed", phase="failed", error=str(error)[-2000:], finished_at=utcnow())


def _run_streaming(command: list[str], on_line: Callable[[str], None]) -> None:
    """Run a child process, passing each line (or progress-bar redraw) of its output to `on_line`."""
    process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=rasa_environment(), stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
    buffer = b""
    assert process.stdout is not None
    while chunk := process.stdout.read1(4096):
        buffer += chunk
        *lines, buffer = re.split(rb"[\r\n]", buffer)
        for line in lines:
            if line.strip():
                on_line(line.decode("utf-8", "replace").rstrip())
    if buffer.strip():
        on_line(buffer.decode("utf-8", "replace"))
    if process.wait():
        raise RuntimeError(f"{' '.join(command[2:4])} failed (exit code {process.returncode})")


def _validate(workspace: Workspace, progress: _Progress) -> None:
    command = [sys.executable, "-m", "rasa", "data", "validate", "--config", str(workspace.config), "--domain", str(workspace.domain),
               "--data", *map(str, workspace.training_data)]
    _run_streaming(command, progress.line)


def training_steps(config: Path) -> int:
    """The progress bar's steps: every component and policy of the config (Rasa trains the
    trainable ones and restores unchanged ones from its cache; a component with epochs also
    shows its epochs' progress)."""
    content = yaml.safe_load(config.read_text(encoding="utf-8")) or {}
    return max(1, len(content.get("pipeline") or []) + len(content.get("policies") or []))


def _train(workspace: Workspace, progress: _Progress) -> Path:
    """Train the model of the current data, unless it exists; Rasa's cache skips unchanged parts."""
    output = model_path(workspace.models_dir, workspace.root)
    if output.exists():
        progress.line(f"{output.name} exists already: the data has not changed since it was trained")
        return output
    total = training_steps(workspace.config)
    state = {"done": 0, "component": ""}

    def show(percent: int) -> None:
        share = min(1.0, (state["done"] + percent / 100) / total)
        progress.update(force=False, progress=VALIDATE_END + share * (TRAIN_END - VALIDATE_END),
                        phase=f"training {state['component'] or 'model'}: {percent} %")

    def on_line(line: str) -> None:
        started = _STARTED_COMPONENT.search(line)
        if started:
            state["component"] = started.group(1)
            show(0)
        if _FINISHED_COMPONENT.search(line) or _RESTORED_COMPONENT.search(line):
            state["done"] += 1
            show(0)
        epochs = _EPOCHS.search(line)
        if epochs is None:
            progress.line(line)
        elif int(epochs.group(1)) < 100:
            show(int(epochs.group(1)))

    _run_streaming(train_command(output, workspace.config, workspace.training_data, workspace.domain), on_line)
    return output


def compare(workspace: Workspace, candidate: Path, server: RasaServer) -> dict:
    """Scores of the candidate (loaded in a child process) and of the model the server runs now."""
    holdout = load_holdout(workspace.holdout)
    if not holdout:
        raise RuntimeError(f"no held-out messages in {workspace.holdout}")
    candidate_scores = evaluate(holdout, lambda tests: parse_with_model_file(candidate, tests)["labels"])
    active_scores = evaluate(holdout, server.parse)
    return {
        "candidate": candidate_scores,
        "active": active_scores,
        "active_model": server.active_model(),
        "worse": worse_languages(candidate_scores, active_scores),
    }


def activate(session: Session, run: TrainingRun, user: User | None, server: RasaServer, override: bool) -> None:
    """Put the run's model on the Rasa server; a model worse in any language needs `override`."""
    if run.status != "ready" or not run.model_path:
        raise RunError("not_ready")
    worse = (run.evaluation or {}).get("worse") or []
    if worse and not override:
        raise RunError("needs_override")
    server.replace_model(Path(run.model_path))
    run.status, run.activated_at, run.activated_by, run.overridden = "activated", utcnow(), user.id if user else None, bool(worse)
    session.commit()
