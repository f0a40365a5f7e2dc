"""Start, measure and stop the two servers `make bench` compares.

Ours is started exactly as `make run` starts it (`python -m bot.launcher`), on free
ports, with a fresh SQLite file and a local SMTP sink of the benchmark's own, so the
outbox worker delivers its e-mails for real without writing under var/. The reference
is Rasa's own `rasa init` bot of the same Rasa version, served by `rasa run`.
Both are stopped by SIGINT to their process group, as Ctrl-C stops them.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import httpx

from benchmarks.load import RASA_TOKEN
from bot.config import PROJECT_ROOT
from bot.database import create_scratch_database, drop_scratch_database
from bot.free_ports import free_ports
from bot.training import model_path, rasa_environment

START_TIMEOUT = 900  # loading our model takes 1-3 min on 2 busy cores
# The project machines' servers, for the production set-up (`--rasa-processes 2`).
POSTGRES_URL = os.environ.get("S3M_BENCH_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("S3M_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")


@dataclass
class Server:
    """A started server: where it answers, its process group and how long it took to start."""

    name: str
    url: str
    process: subprocess.Popen
    log_path: Path
    startup_seconds: float = 0.0
    extra: dict = field(default_factory=dict)


def wait_until_up(url: str, process: subprocess.Popen, log_path: Path, timeout: float = START_TIMEOUT,
                  model_loaded: bool = False) -> None:
    """Poll `url` until it answers 200 (and, for Rasa's /status, names a loaded model)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args} exited early:\n{log_path.read_text()[-4000:]}")
        try:
            response = httpx.get(url, timeout=2)
            if response.status_code == 200 and (not model_loaded or response.json().get("model_file")):
                return
        except (httpx.HTTPError, ValueError):
            pass
        time.sleep(0.25)
    raise RuntimeError(f"{url} not up after {timeout} s:\n{log_path.read_text()[-4000:]}")


def stop(process: subprocess.Popen) -> None:
    """Ctrl-C for the whole group; SIGKILL if it does not end within 60 s."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def models_dir_with(model: Path, work: Path) -> Path:
    """A models folder where `bot.launcher` finds `model` as the model of the current data."""
    folder = work / "models"
    folder.mkdir()
    model_path(folder).symlink_to(model.resolve())
    return folder


class SmtpSink:
    """Accepts and drops the outbox worker's e-mails."""

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        return "250 OK"


def our_environment(work: Path, ports: dict[str, int], models_dir: Path | None = None) -> dict[str, str]:
    """`make run`'s environment on free ports and a fresh database, without channels to the outside;
    Rasa's HTTP API behind RASA_TOKEN, on localhost."""
    env = rasa_environment()
    for name in ("S3M_ACTION_URL", "S3M_RASA_TOKEN", "S3M_RASA_BIND", "S3M_RASA_URL", "S3M_PORTAL_URL",
                 "TELEGRAM_BOT_TOKEN", "S3M_WEBHOOK_URL", "S3M_TEST_ASSISTANT_DATABASE_URL"):
        env.pop(name, None)
    env.update({name: str(port) for name, port in ports.items()})
    env.update(S3M_DATABASE_URL=f"sqlite:///{work / 'bench.db'}", S3M_SMTP_HOST="127.0.0.1",
               S3M_ADMIN_TOKEN="bench-admin-token", S3M_RASA_TOKEN=RASA_TOKEN, S3M_RASA_BIND="127.0.0.1")
    if models_dir:
        env["S3M_MODELS_DIR"] = str(models_dir)
    return env


@contextmanager
def our_stack(work: Path, models_dir: Path | None = None, rasa_processes: int = 1) -> Iterator[Server]:
    """The whole assistant, started by `bot.launcher`; start-up counts until Rasa (model loaded),
    the action server and the portal all answer.

    With `rasa_processes` > 1 it is the production set-up of docs/production.md instead:
    PostgreSQL and Redis locks, the launcher's group plus more `rasa run` processes sharing
    them. `Server.extra["urls"]` lists every Rasa process; the load pins each simulated user
    to one of them, as the proxy's hash on the sender would.
    """
    from aiosmtpd.controller import Controller

    names = ("S3M_RASA_PORT", "S3M_ACTION_PORT", "S3M_PORTAL_PORT", "S3M_SMTP_PORT")
    chosen = free_ports(len(names) + rasa_processes - 1)
    ports, extra_ports = dict(zip(names, chosen, strict=False)), chosen[len(names):]
    env = our_environment(work, ports, models_dir)
    with ExitStack() as stack:
        smtp = Controller(SmtpSink(), hostname="127.0.0.1", port=ports["S3M_SMTP_PORT"])
        smtp.start()
        stack.callback(smtp.stop)
        if rasa_processes > 1:
            database_url = create_scratch_database(POSTGRES_URL, "s3m_bench")
            stack.callback(drop_scratch_database, database_url)
            env.update(S3M_DATABASE_URL=database_url, S3M_REDIS_URL=REDIS_URL)
        log_path = work / "ours.log"
        started = time.monotonic()
        log = stack.enter_context(log_path.open("w"))
        process = subprocess.Popen([sys.executable, "-m", "bot.launcher"], cwd=PROJECT_ROOT, env=env, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
        stack.callback(stop, process)
        server = Server("ours", f"http://127.0.0.1:{ports['S3M_RASA_PORT']}", process, log_path)
        extra = [_extra_rasa(port, env, work / f"ours-rasa-{port}.log", models_dir) for port in extra_ports]
        for rasa in extra:
            stack.callback(stop, rasa.process)
        wait_until_up(f"{server.url}/status?token={RASA_TOKEN}", process, log_path, model_loaded=True)
        wait_until_up(f"http://127.0.0.1:{ports['S3M_ACTION_PORT']}/health", process, log_path)
        wait_until_up(f"http://127.0.0.1:{ports['S3M_PORTAL_PORT']}/health", process, log_path)
        for rasa in extra:
            wait_until_up(f"{rasa.url}/status?token={RASA_TOKEN}", rasa.process, rasa.log_path, model_loaded=True)
        server.startup_seconds = round(time.monotonic() - started, 1)
        server.extra = {"urls": [server.url] + [rasa.url for rasa in extra], "processes": [r.process for r in extra]}
        yield server


def _extra_rasa(port: int, env: dict[str, str], log_path: Path, models_dir: Path | None) -> Server:
    """One more `rasa run` of the current model, as the launcher starts its own (same endpoints)."""
    from bot.config import load_settings

    model = model_path(models_dir or load_settings().models_dir)
    command = [sys.executable, "-m", "rasa", "run", "--enable-api", "--interface", "127.0.0.1", "--port", str(port),
               "--model", str(model), "--endpoints", "endpoints.yml", "--credentials", "credentials.yml",
               "--auth-token", RASA_TOKEN]
    env = dict(env, S3M_ACTION_URL=f"http://127.0.0.1:{env['S3M_ACTION_PORT']}/webhook")
    with log_path.open("w") as log:
        process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    return Server(f"rasa:{port}", f"http://127.0.0.1:{port}", process, log_path)


def init_reference(work: Path) -> tuple[Path, float]:
    """`rasa init --no-prompt` in `work/reference` (which trains its model); returns the
    project folder and the seconds it took, most of them training."""
    project = work / "reference"
    project.mkdir()
    started = time.monotonic()
    with (work / "reference-init.log").open("w") as log:
        subprocess.run([sys.executable, "-m", "rasa", "init", "--no-prompt", "--init-dir", str(project)],
                       cwd=work, env=rasa_environment(), stdout=log, stderr=subprocess.STDOUT, check=True)
    return project, round(time.monotonic() - started, 1)


@contextmanager
def reference_server(project: Path, work: Path) -> Iterator[Server]:
    """`rasa run --enable-api` of the init bot (it has no custom action, so no action server)."""
    [port] = free_ports(1)
    log_path = work / "reference.log"
    started = time.monotonic()
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "rasa", "run", "--enable-api", "--port", str(port),
             "--interface", "127.0.0.1", "--model", "models"],
            cwd=project, env=rasa_environment(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        server = Server("reference", f"http://127.0.0.1:{port}", process, log_path)
        try:
            wait_until_up(f"{server.url}/status", process, log_path, model_loaded=True)
            server.startup_seconds = round(time.monotonic() - started, 1)
            yield server
        finally:
            stop(process)
