"""Measure what conversations and leads take in PostgreSQL, and a Rasa process's memory.

    python -m tests.production.measure_storage [--conversations 200] [--messages 12] [--model PATH]

Runs the conversations through the small assistant (tests/retraining/small_project) on a
throw-away PostgreSQL database with Redis locks, stores as many qualified leads as
conversations the way the registration form does (LeadStore: lead, recipients, consent,
routing, status, outbox e-mails), and prints the sizes scaled to 10,000 conversations.
The numbers of docs/production.md come from here.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from itertools import cycle, islice
from pathlib import Path

import httpx
from sqlalchemy import text

from bot.config import load_settings
from bot.database import build_engine
from bot.leads import schema
from bot.leads.clusters import load_clusters
from bot.leads.store import LeadStore, Registration
from bot.training import model_path, train
from tests.conftest import free_port, wait_until_up
from tests.postgres import throwaway_postgres_database
from tests.production.conftest import (
    REDIS_URL,
    production_endpoints,
    production_environment,
    start_rasa,
    stop,
)
from tests.retraining.conftest import copy_small_project

MESSAGES = ["hello", "where can we find investors?", "is there funding for SMEs?", "how do we get a grant",
            "thank you very much", "hi there", "can you help us raise money", "great, thanks a lot",
            "what is the weather like in Lyon?", "looking for investment for our start-up", "thanks", "goodbye"]
LEAD_TABLES = ["leads", "lead_recipients", "consent_records", "routing_decisions", "lead_status_changes",
               "outbox_messages"]


def rss_megabytes(pid: int) -> float:
    return int(subprocess.check_output(["ps", "-o", "rss=", "-p", str(pid)])) / 1024


def converse(url: str, sender: str, messages: int) -> None:
    with httpx.Client(timeout=120) as client:
        for message in islice(cycle(MESSAGES), messages):
            client.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": message}).raise_for_status()


def table_bytes(engine, tables: list[str]) -> int:  # noqa: ANN001 - an Engine
    with engine.connect() as connection:
        return sum(connection.scalar(text(f"SELECT pg_total_relation_size('{name}')")) for name in tables)


def measure(conversations: int, messages: int, model: Path | None) -> dict:
    work = Path(tempfile.mkdtemp(prefix="s3m-measure-"))
    if model is None:
        workspace = copy_small_project(work / "project")
        model = train(model_path(workspace.models_dir, workspace.root), workspace.config,
                      workspace.training_data, workspace.domain)
    database = throwaway_postgres_database()  # the database is dropped when this generator closes
    try:
        return measure_on(next(database), model, work, conversations, messages)
    finally:
        database.close()


def measure_on(database_url: str, model: Path, work: Path, conversations: int, messages: int) -> dict:
    schema.upgrade(database_url)
    engine = build_engine(database_url)
    empty_leads = table_bytes(engine, LEAD_TABLES)
    rasa = start_rasa(model, free_port(), production_endpoints(work),
                      production_environment(database_url, REDIS_URL), work / "rasa.log")
    try:
        wait_until_up(f"{rasa.url}/status", rasa.process, rasa.log_path, timeout=600)
        idle_rss = rss_megabytes(rasa.process.pid)
        started = time.monotonic()
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(lambda n: converse(rasa.url, f"measure-{n}", messages), range(conversations)))
        seconds = time.monotonic() - started
        busy_rss = rss_megabytes(rasa.process.pid)
    finally:
        stop([rasa])
    store = LeadStore(engine, load_clusters(), load_settings().copy(update={"webhook_url": None}))
    for n in range(conversations):
        store.save(Registration(
            conversation_id=f"measure-{n}", language="de", notice_version="2026-01",
            company_name=f"Herzwerk Medizintechnik GmbH {n}", contact_name="Anna Keller",
            email=f"anna.keller{n}@herzwerk.example", country="de", employees=40.0, sector="medical_devices",
            interests=["partnering", "events"], target_regions=["biopmed", "bioregio_stern", "lyonbiopole"],
            source="rest"))
    with engine.connect() as connection:
        events = connection.scalar(text("SELECT count(*) FROM events"))
        event_bytes = connection.scalar(text("SELECT pg_total_relation_size('events')"))
        lead_bytes = table_bytes(engine, LEAD_TABLES) - empty_leads
    engine.dispose()
    scale = 10_000 / conversations
    return {
        "conversations": conversations, "messages_per_conversation": messages,
        "events": events, "events_per_message": round(events / (conversations * messages), 2),
        "bytes_per_event": round(event_bytes / events),
        "events_mb_per_10000_conversations": round(event_bytes * scale / 2**20, 1),
        "lead_kb_each": round(lead_bytes / conversations / 1024, 1),
        "leads_mb_per_10000_leads": round(lead_bytes * scale / 2**20, 1),
        "messages_per_second_one_process": round(conversations * messages / seconds, 1),
        "rasa_rss_mb_idle": round(idle_rss), "rasa_rss_mb_after": round(busy_rss),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--conversations", type=int, default=200)
    parser.add_argument("--messages", type=int, default=12)
    parser.add_argument("--model", type=Path, help="a trained model (default: train the small assistant)")
    arguments = parser.parse_args()
    print(json.dumps(measure(arguments.conversations, arguments.messages, arguments.model), indent=2))


if __name__ == "__main__":
    main()
