"""Start the whole assistant as one supervised group (`make run`).

Rasa server, action server, staff portal and the outbox worker that hands
qualified leads to the clusters (plus, when no SMTP server is configured, the
development mailbox that receives its e-mails) run as child processes under
honcho: their logs are prefixed with the process name, the death of one is
reported and stops the others, and Ctrl-C shuts all of them down.
"""

from __future__ import annotations

import os
import secrets
import shlex
import sys

from honcho.manager import Manager

from bot.config import PROJECT_ROOT, Settings, load_settings
from bot.leads import schema
from bot.training import ensure_model, rasa_environment, training_environment

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def rasa_interface(settings: Settings) -> str:
    """Where Rasa listens: its HTTP API (conversations, model replacement) is open to the
    outside only behind S3M_RASA_TOKEN; without one it stays on localhost."""
    if settings.rasa_bind:
        if settings.rasa_bind not in LOOPBACK and not settings.rasa_token:
            raise SystemExit(f"S3M_RASA_BIND={settings.rasa_bind} would open Rasa's HTTP API to the network "
                             "without a token: set S3M_RASA_TOKEN as well.")
        return settings.rasa_bind
    return "0.0.0.0" if settings.rasa_token else "127.0.0.1"


def process_commands(settings: Settings, model: str) -> dict[str, str]:
    """Command line of each process of the group."""
    python = shlex.quote(sys.executable)
    rasa = [
        python, "-m", "rasa", "run", "--enable-api", "--interface", rasa_interface(settings),
        "--port", str(settings.rasa_port), "--model", shlex.quote(model),
        "--endpoints", "endpoints.yml", "--credentials", "credentials.yml",
        # Only the pages embedding the widget may call Rasa from a browser; never '*'.
        "--cors", *(shlex.quote(origin) for origin in settings.widget_origins),
        # Always a token (process_environment makes one when none is set), so that no web page
        # and no other local user can read conversations or replace the model. Joined by "=":
        # a token starting with "-" (one random token in 64) would be taken for an option.
        "--auth-token=\"$S3M_RASA_TOKEN\"",
    ]
    threads = shlex.quote(training_environment()["S3M_ENCODER_THREADS"])  # every core, as a training has
    warm_up = f"OMP_NUM_THREADS={threads} S3M_ENCODER_THREADS={threads}"
    commands = {
        "rasa": " ".join(rasa),
        # The form's phrases are embedded first, on every core while Rasa loads its model (seconds
        # when var/cache has them): else the first form answer would wait a minute for them.
        # rasa-sdk 3.6 reads its interface from SANIC_HOST only (default: all interfaces).
        "actions": f"{warm_up} {python} -m actions.services.meaning && "
                   f"SANIC_HOST={shlex.quote(settings.action_bind)} {python} -m rasa_sdk --actions actions"
                   f" --port {settings.action_port}",
        "portal": (
            # --ws none: Rasa pins websockets 10, older than uvicorn supports; the portal needs none.
            f"{python} -m uvicorn bot.portal.app:create_app --factory --ws none"
            f" --host 0.0.0.0 --port {settings.portal_port}"
        ),
        "outbox": f"{python} -m bot.leads.outbox",
    }
    if settings.local_mailbox:
        commands["mailbox"] = f"{python} -m bot.leads.mailbox"
    return commands


def process_environment(settings: Settings) -> dict[str, str]:
    """Environment shared by the group; endpoints.yml reads S3M_ACTION_URL from it.

    Without S3M_RASA_TOKEN a random one is made for this start and given to every process
    (Rasa, and the portal's retraining, which replaces the model): Rasa's HTTP API then answers
    nobody else, not even a script of a page open in the operator's browser. Rasa still listens
    on localhost only, as the interface is chosen from the operator's settings.
    """
    env = rasa_environment()
    env.setdefault("S3M_ACTION_URL", settings.action_server_url)
    # The sentence encoder's OpenMP threads (Rasa and the actions each embed messages): OpenMP reads
    # these once, when the first library that uses it loads, so they are set before the processes
    # start. Idle threads sleep instead of spinning on the cores the other processes need.
    env.setdefault("OMP_NUM_THREADS", str(settings.encoder_threads))
    env.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    if not settings.rasa_token:
        env["S3M_RASA_TOKEN"] = secrets.token_urlsafe(32)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")]))
    return env


def main() -> None:
    settings = load_settings()
    rasa_interface(settings)  # refuse an unprotected public Rasa API before training anything
    model = ensure_model(settings.models_dir)
    schema.upgrade(settings.database_url)  # the one migration step, before the processes start
    manager = Manager()
    env = process_environment(settings)
    for name, command in process_commands(settings, str(model)).items():
        manager.add_process(name, command, cwd=str(PROJECT_ROOT), env=env)
    mailbox = f", staff e-mails kept in var/mailbox/ (SMTP :{settings.smtp_port})" if settings.local_mailbox else ""
    print(
        f"S3martMed: Rasa on :{settings.rasa_port}, actions on :{settings.action_port},"
        f" portal on :{settings.portal_port}{mailbox}. Ctrl-C stops all.",
        file=sys.stderr,
    )
    manager.loop()
    sys.exit(manager.returncode)


if __name__ == "__main__":
    main()
