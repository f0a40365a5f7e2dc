"""Where a message's time goes: our stack under load with cProfile on Rasa and the actions.

The processes are those of `bot.launcher` (same commands, same environment), started
one by one so that the Rasa server and the action server run under `python -m cProfile`.
They are driven without pauses, stopped by SIGINT (cProfile then writes its file), and
the heaviest functions are written to results/profile-{rasa,actions}.txt (raw: .prof, for pstats).
`python -m benchmarks.latency --profile [--duration S]`.
"""

from __future__ import annotations

import asyncio
import io
import os
import pstats
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.conversations import OURS
from benchmarks.load import first_reply_ms, run_phase
from benchmarks.stack import SmtpSink, models_dir_with, our_environment, stop, wait_until_up
from bot.config import PROJECT_ROOT
from bot.free_ports import free_ports

PROFILED = ("rasa", "actions")
USERS = 20
TOP = 45
MESSAGE_PATH = r"processor\.py|graph\.py:\d+\(__call__|nlu/|policies/|tracker_store|actions?/|rasa_sdk|channels|json|sqlalchemy"


def _profiled(command: str, output: Path) -> str:
    python = f"{shlex.quote(sys.executable)} -m "
    return command.replace(python, f"{python}cProfile -o {shlex.quote(str(output))} -m ", 1)


def profile_stack(seconds: float, model: Path | None = None) -> None:
    """Run the stack under cProfile for one saturation phase of `seconds` and print the top costs."""
    from aiosmtpd.controller import Controller

    from bot.config import load_settings
    from bot.launcher import process_commands, process_environment
    from bot.leads import schema
    from bot.training import ensure_model

    results = PROJECT_ROOT / "results"
    results.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="s3m-profile-") as tmp:
        work = Path(tmp)
        names = ("S3M_RASA_PORT", "S3M_ACTION_PORT", "S3M_PORTAL_PORT", "S3M_SMTP_PORT")
        ports = dict(zip(names, free_ports(len(names)), strict=True))
        env = our_environment(work, ports, models_dir_with(model, work) if model else None)
        os.environ.clear()
        os.environ.update(env)  # this process's settings are the stack's
        settings = load_settings()
        model = ensure_model(settings.models_dir)
        schema.upgrade(settings.database_url)
        smtp = Controller(SmtpSink(), hostname="127.0.0.1", port=ports["S3M_SMTP_PORT"])
        smtp.start()
        processes = {}
        process_env = process_environment(settings)
        for name, command in process_commands(settings, str(model)).items():
            if name in PROFILED:
                command = _profiled(command, work / f"{name}.prof")
            log = (work / f"{name}.log").open("w")
            processes[name] = subprocess.Popen(command, shell=True, cwd=PROJECT_ROOT, env=process_env,
                                               stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        url = f"http://127.0.0.1:{ports['S3M_RASA_PORT']}"
        try:
            started = time.monotonic()
            wait_until_up(f"{url}/status", processes["rasa"], work / "rasa.log", model_loaded=True)
            wait_until_up(f"http://127.0.0.1:{ports['S3M_ACTION_PORT']}/health", processes["actions"],
                          work / "actions.log")
            print(f"Profiled stack up in {time.monotonic() - started:.0f} s; first reply "
                  f"{asyncio.run(first_reply_ms(url, 'Hello')):.0f} ms", flush=True)
            asyncio.run(run_phase(url, "warmup", 2, 5, OURS, pauses=False))
            outcome = asyncio.run(run_phase(url, "profile", USERS, seconds, OURS, pauses=False))
            print(outcome.summary(), flush=True)
        finally:
            for process in processes.values():
                stop(process)
            smtp.stop()
        for name in PROFILED:
            if (work / f"{name}.prof").exists():
                shutil.copy(work / f"{name}.prof", results / f"profile-{name}.prof")
            text = _top(results / f"profile-{name}.prof")
            (results / f"profile-{name}.txt").write_text(text)
            print(f"\n===== {name} =====\n{text}")


def _top(path: Path) -> str:
    if not path.exists():
        return f"(no profile written at {path})\n"
    out = io.StringIO()
    stats = pstats.Stats(str(path), stream=out)
    # Loading the model dominates the whole run; these restrict the view to the message path.
    stats.sort_stats("cumulative").print_stats(MESSAGE_PATH, TOP)
    stats.sort_stats("tottime").print_stats(TOP)
    return out.getvalue()
