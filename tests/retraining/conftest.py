"""A small assistant of its own for the retraining tests: copied to a temporary folder,
trained once (about a minute), served by a real Rasa server whose tracker store is the
test's SQLite database, so that the portal finds real unrecognised messages there."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import httpx
import pytest

from bot.config import PROJECT_ROOT
from bot.leads import schema
from bot.retraining.workspace import Workspace
from bot.training import model_path, rasa_environment, train
from tests.conftest import free_port, wait_until_up

LOW_CONFIDENCE = 0.95  # the small model is sure of itself; list whatever it is not quite sure of
SMALL_PROJECT = Path(__file__).parent / "small_project"


def copy_small_project(folder: Path) -> Workspace:
    shutil.copytree(SMALL_PROJECT, folder)
    return Workspace(root=folder, models_dir=folder / "models")


@dataclass
class SmallAssistant:
    workspace: Workspace
    database_url: str
    rasa_url: str
    process: subprocess.Popen
    env: dict[str, str]

    def say(self, sender: str, text: str) -> list[dict]:
        response = httpx.post(f"{self.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": text},
                              timeout=60)
        response.raise_for_status()
        return response.json()

    def parse(self, text: str) -> dict:
        return httpx.post(f"{self.rasa_url}/model/parse", json={"text": text}, timeout=60).raise_for_status().json()


@pytest.fixture(scope="module")
def small_assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SmallAssistant]:
    work = tmp_path_factory.mktemp("retraining")
    workspace = copy_small_project(work / "project")
    model = train(model_path(workspace.models_dir, workspace.root), workspace.config,
                  workspace.training_data, workspace.domain)
    database_url = f"sqlite:///{work / 'assistant.db'}"
    schema.upgrade(database_url)
    port = free_port()
    env = dict(rasa_environment(), S3M_DATABASE_URL=database_url,
               PYTHONPATH=os.pathsep.join(filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")])))
    log_path = work / "rasa.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "rasa", "run", "--enable-api", "--port", str(port), "--model", str(model),
             "--endpoints", str(workspace.root / "endpoints.yml")],
            cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        rasa_url = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(f"{rasa_url}/status", process, log_path, timeout=300)
            portal_env = dict(env, S3M_TRAINING_DIR=str(workspace.root), S3M_MODELS_DIR=str(workspace.models_dir),
                              S3M_RASA_URL=rasa_url, S3M_UNRECOGNISED_CONFIDENCE=str(LOW_CONFIDENCE))
            yield SmallAssistant(workspace, database_url, rasa_url, process, portal_env)
        finally:
            process.terminate()
            process.wait(timeout=60)
