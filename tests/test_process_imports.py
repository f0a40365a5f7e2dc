"""Processes that do not run Rasa do not load it: TensorFlow alone holds about 400 MB.

The portal once held 543 MB after start-up instead of 140 because one of its imports went
through `bot.channels`, whose package installs our changes to Rasa's server (and so imported
Rasa and TensorFlow). Checked in a fresh interpreter: the test session itself has Rasa loaded.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot.config import PROJECT_ROOT
from bot.leads import schema

PROCESSES = {
    "portal": "import bot.portal.app as app; app.create_app()",
    "outbox": "import bot.leads.outbox",
}


@pytest.mark.parametrize("process", sorted(PROCESSES))
def test_a_process_without_rasa_does_not_load_tensorflow(process: str, tmp_path) -> None:
    database = f"sqlite:///{tmp_path / 'assistant.db'}"
    schema.upgrade(database)  # the launcher's step before its processes start
    code = PROCESSES[process] + "; import sys; print(sorted(m for m in ('tensorflow', 'rasa.core') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True,
                            timeout=600, env={"RASA_TELEMETRY_ENABLED": "false", "PATH": "/usr/bin:/bin",
                                              "S3M_DATABASE_URL": database})
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "[]"
