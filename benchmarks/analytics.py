"""How long the portal's analytics take on 10,000 conversations in PostgreSQL, and what they cost the assistant.

Generates a month of conversations (benchmarks/analytics_conversations.py: greetings, FAQ
questions, refusals, abandoned and completed registrations, about 40 events each) into a
scratch database, then times the analytics page's queries (all clusters, one cluster, one
language, one channel, the monthly report) and the query Rasa's tracker store runs for every
message (one conversation's events), alone and while another process computes the analytics.
The portal keeps conversation summaries between requests (bot.portal.funnel.ConversationCache):
the first page after a start reads every conversation ("cold"), later ones only a look at the
table ("warm") or the conversations with new events ("after 100 new conversations").

    python -m benchmarks.analytics [--conversations 10000] [--rounds 5] [--server URL]

Writes results/analytics.json; docs/portal.md quotes a run.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import statistics
import time
from datetime import UTC, date, datetime
from typing import Any, Callable

from sqlalchemy import bindparam, select, text
from sqlalchemy.orm import Session, sessionmaker

from benchmarks.analytics_conversations import Script, random_scripts, store_conversations, store_leads
from bot.config import PROJECT_ROOT
from bot.conversations.events import EVENTS
from bot.database import build_engine, create_scratch_database, drop_scratch_database
from bot.leads import schema
from bot.leads.clusters import load_clusters
from bot.portal.analytics import AnalyticsFilters, analyse, monthly_report
from bot.portal.funnel import ConversationCache

SERVER = os.environ.get("S3M_TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test")
MONTH = AnalyticsFilters(since=datetime(2026, 11, 1, tzinfo=UTC), until=datetime(2026, 12, 1, tzinfo=UTC))
THRESHOLD = 0.6
# What Rasa's SQLTrackerStore reads for each message (bot/tracker_store.py: the events' JSON only).
TRACKER_QUERY = select(EVENTS.c.data).where(EVENTS.c.sender_id == bindparam("sender_id")).order_by(EVENTS.c.id)


def timed(action: Callable[[], Any], rounds: int) -> dict[str, float]:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return {"median_s": round(statistics.median(times), 3), "max_s": round(max(times), 3)}


def _analytics_forever(url: str, started: Any, stop: Any) -> None:
    """The worst case for the assistant: every page computed from scratch, without the cache."""
    engine = build_engine(url)
    sessions = sessionmaker(engine, future=True)
    started.set()
    while not stop.is_set():
        with sessions() as session:
            analyse(session, MONTH, ConversationCache(THRESHOLD), load_clusters())
    engine.dispose()


def tracker_latency(url: str, senders: list[str], reads: int) -> dict[str, float]:
    """Milliseconds per tracker read (p50, p95) of randomly chosen conversations."""
    engine = build_engine(url)
    rng, times = random.Random(1), []
    with engine.connect() as connection:
        for _ in range(reads):
            started = time.perf_counter()
            connection.execute(TRACKER_QUERY, {"sender_id": rng.choice(senders)}).all()
            times.append(1000 * (time.perf_counter() - started))
    engine.dispose()
    times.sort()
    return {"p50_ms": round(times[len(times) // 2], 2), "p95_ms": round(times[int(len(times) * 0.95)], 2)}


def run(conversations: int, rounds: int, server: str, keep: bool) -> dict[str, Any]:
    url = create_scratch_database(server, "s3m_bench_analytics")
    try:
        schema.upgrade(url)
        engine = build_engine(url)
        scripts = random_scripts(conversations)
        started = time.perf_counter()
        rows = store_conversations(engine, scripts)
        with Session(engine) as session:
            leads = store_leads(session, scripts)
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))
        generated = time.perf_counter() - started
        clusters = load_clusters()
        sessions = sessionmaker(engine, future=True)

        cache = ConversationCache(THRESHOLD)

        def page(filters: AnalyticsFilters, fresh: bool = False) -> Callable[[], Any]:
            def compute() -> Any:
                with sessions() as session:
                    return analyse(session, filters, ConversationCache(THRESHOLD) if fresh else cache, clusters)
            return compute

        def report() -> Any:
            with sessions() as session:
                return monthly_report(session, date(2026, 11, 1), AnalyticsFilters(), cache, clusters)

        def new_conversations() -> None:
            more = [Script(f"widget-new{len(scripts) + number}", start=datetime(2026, 11, 30, 12, tzinfo=UTC))
                    for number in range(100)]
            scripts.extend(more)
            store_conversations(engine, more)

        def page_after_new_conversations() -> None:
            new_conversations()
            started = time.perf_counter()
            page(MONTH)()
            incremental.append(time.perf_counter() - started)

        cold = timed(page(MONTH, fresh=True), rounds)
        page(MONTH)()  # fills the cache
        incremental: list[float] = []
        for _ in range(rounds):
            page_after_new_conversations()
        with sessions() as session:
            stages = analyse(session, MONTH, cache, clusters).stages
        results: dict[str, Any] = {
            "conversations": conversations, "added_during_run": len(scripts) - conversations,
            "event_rows": rows, "leads": leads,
            "generation_s": round(generated, 1), "funnel": dict(stages),
            "queries": {
                "cold: all clusters, a month": cold,
                "warm: all clusters, a month": timed(page(MONTH), rounds),
                "after 100 new conversations": {"median_s": round(statistics.median(incremental), 3),
                                                "max_s": round(max(incremental), 3)},
                "warm: one cluster (biowin)": timed(page(AnalyticsFilters(cluster="biowin", since=MONTH.since,
                                                                          until=MONTH.until)), rounds),
                "warm: one language (de)": timed(page(AnalyticsFilters(language="de", since=MONTH.since,
                                                                       until=MONTH.until)), rounds),
                "warm: one channel (telegram)": timed(page(AnalyticsFilters(channel="telegram", since=MONTH.since,
                                                                            until=MONTH.until)), rounds),
                "warm: monthly report": timed(report, rounds),
            },
        }
        engine.dispose()
        senders = [script.sender_id for script in scripts]
        results["tracker_read_alone"] = tracker_latency(url, senders, 500)
        started, stop = multiprocessing.Event(), multiprocessing.Event()
        load = multiprocessing.Process(target=_analytics_forever, args=(url, started, stop))
        load.start()
        try:
            started.wait(timeout=120)
            results["tracker_read_during_analytics"] = tracker_latency(url, senders, 500)
        finally:
            stop.set()
            load.join(timeout=120)
        return results
    finally:
        if not keep:
            drop_scratch_database(url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--server", default=SERVER, help="PostgreSQL server URL (a scratch database is made there)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    arguments = parser.parse_args()
    results = run(arguments.conversations, arguments.rounds, arguments.server, arguments.keep)
    print(f"{results['conversations']} conversations (+{results['added_during_run']} during the run), {results['event_rows']} event rows, {results['leads']} leads "
          f"(generated in {results['generation_s']} s)")
    print("funnel:", ", ".join(f"{stage} {count}" for stage, count in results["funnel"].items()))
    for name, figures in results["queries"].items():
        print(f"{name:32} median {figures['median_s']:6.3f} s   max {figures['max_s']:6.3f} s")
    for name in ("tracker_read_alone", "tracker_read_during_analytics"):
        figures = results[name]
        print(f"{name:32} p50 {figures['p50_ms']:6.2f} ms   p95 {figures['p95_ms']:6.2f} ms")
    out = PROJECT_ROOT / "results" / "analytics.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
