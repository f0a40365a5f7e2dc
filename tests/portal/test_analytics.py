"""The analytics against conversations whose funnel is known in advance, on SQLite and PostgreSQL.

Nine conversations in November 2026, each stopping at a different step, plus one outside the
month and one without a user message. Every expected figure below is counted by hand from
the scripts, not by the code under test.
"""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from benchmarks.analytics_conversations import (
    CONSENT_REFUSED,
    CONTACTED,
    GREETING,
    HANDED_OFF,
    LEFT_FORM,
    QUALIFIED,
    QUESTION,
    REGISTERED,
    Script,
    conversation_events,
    event_rows,
    store_conversations,
    store_leads,
)
from bot.conversations.events import EVENTS, delete_conversation
from bot.leads.clusters import load_clusters
from bot.leads.models import Lead
from bot.portal.analytics import AnalyticsFilters, QuestionFigures, analyse, monthly_report
from bot.portal.funnel import ConversationCache, read_conversations

THRESHOLD = 0.6
NOVEMBER = AnalyticsFilters(since=datetime(2026, 11, 1, tzinfo=UTC), until=datetime(2026, 12, 1, tzinfo=UTC))


def day(number: int, hour: int = 10) -> datetime:
    return datetime(2026, 11, number, hour, tzinfo=UTC)


SCRIPTS = [
    Script("greet-only", "en", GREETING, start=day(2)),
    Script("widget-asks", "de", QUESTION, faq_topics=("faq/cost", "faq/partners"), unrecognised=1, start=day(3)),
    Script("telegram-asks", "fr", QUESTION, faq_topics=("faq/cost",), start=day(4)),
    Script("widget-refuses", "it", CONSENT_REFUSED, start=day(5)),
    Script("leaves-at-email", "pl", LEFT_FORM, left_at="email", reasked=("email",), start=day(6)),
    Script("telegram-too-big", "en", REGISTERED, cluster="biowin", start=day(7)),
    Script("widget-pending", "de", QUALIFIED, cluster="medsilesia", reasked=("sector",), start=day(8)),
    Script("handed-off", "fr", HANDED_OFF, cluster="lyonbiopole", digression_at="company_name", start=day(9)),
    Script("telegram-contacted", "en", CONTACTED, cluster="bioregio_stern", start=day(10)),
    Script("october", "en", QUESTION, faq_topics=("faq/cost",), start=datetime(2026, 10, 20, tzinfo=UTC)),
]
ALL_QUESTIONS = ("consent", "company_name", "contact_name", "email", "country", "employees", "sector", "interests",
                 "target_regions", "event_id", "registration_confirmed")


@pytest.fixture
def conversations(engine: Engine, session: Session) -> Session:
    store_conversations(engine, SCRIPTS)
    with engine.begin() as connection:  # a widget opened and closed without a word
        connection.execute(EVENTS.insert(), event_rows("widget-silent", [
            ActionExecuted("action_session_start", timestamp=day(11).timestamp()),
            SessionStarted(timestamp=day(11).timestamp() + 1)]))
    store_leads(session, SCRIPTS)
    return session


def figures(session: Session, **filters):
    return analyse(session, AnalyticsFilters(since=NOVEMBER.since, until=NOVEMBER.until, **filters),
                   ConversationCache(THRESHOLD), load_clusters())


def test_the_funnel_counts_each_conversation_up_to_the_step_it_reached(conversations: Session) -> None:
    assert figures(conversations).stages == [
        ("conversations", 9), ("questions_answered", 8), ("consent_asked", 6), ("consent_given", 5),
        ("registered", 4), ("qualified", 3), ("handed_off", 2), ("contacted", 1)]
    drop_off = {stage: lost for stage, _, lost, _ in figures(conversations).drop_off}
    assert drop_off["questions_answered"] == 1 and drop_off["consent_asked"] == 2


def test_each_form_question_asked_answered_reasked_or_left(conversations: Session) -> None:
    questions = {row.question: row for row in figures(conversations).questions}

    assert list(questions) == list(ALL_QUESTIONS)
    assert questions["consent"] == QuestionFigures("consent", 6, 6, 0, 0)  # a refusal is an answer
    # The FAQ question asked while the company name was awaited is no failed answer.
    assert questions["company_name"] == QuestionFigures("company_name", 5, 5, 0, 0)
    assert questions["email"] == QuestionFigures("email", 5, 4, 0, 1)
    assert questions["sector"] == QuestionFigures("sector", 4, 3, 1, 0)
    assert questions["registration_confirmed"] == QuestionFigures("registration_confirmed", 4, 4, 0, 0)


def test_faq_topics_and_unrecognised_messages_per_language(conversations: Session) -> None:
    result = figures(conversations)

    assert result.faq_topics == [("faq/cost", 3, 3), ("faq/partners", 1, 1)]
    # Typed messages outside the free-text answers (company, name, e-mail): hand-counted per script.
    assert [(row.language, row.messages, row.unrecognised) for row in result.languages] == [
        ("en", 22, 0), ("de", 16, 2), ("fr", 13, 0), ("it", 3, 0), ("pl", 3, 0)]
    assert result.languages[1].share == pytest.approx(2 / 16)


def test_filters_by_language_channel_period_and_cluster(conversations: Session) -> None:
    def counts(**filters) -> list[int]:
        return [count for _, count in figures(conversations, **filters).stages]

    assert counts(language="de") == [2, 2, 1, 1, 1, 1, 0, 0]
    assert counts(channel="telegram") == [3, 3, 2, 2, 2, 1, 1, 1]
    assert counts(channel="widget") == [3, 3, 2, 1, 1, 1, 0, 0]
    assert counts(channel="rest") == [3, 2, 2, 2, 1, 1, 1, 0]
    # BioWin received one lead; conversations without a lead go where routing would send them.
    assert counts(cluster="biowin") == [1, 1, 1, 1, 1, 0, 0, 0]
    # BioPmed gets a copy of every lead (all name Piedmont) and the Italian conversation.
    assert counts(cluster="biopmed") == [5, 5, 5, 4, 4, 3, 2, 1]
    since, until = datetime(2026, 11, 5, tzinfo=UTC), datetime(2026, 11, 8, tzinfo=UTC)
    period = analyse(conversations, AnalyticsFilters(since=since, until=until), ConversationCache(THRESHOLD),
                     load_clusters())
    assert [count for _, count in period.stages] == [3, 3, 3, 2, 1, 0, 0, 0]


def test_the_monthly_report_counts_each_conversation_once_per_region_and_language(conversations: Session) -> None:
    rows, month = monthly_report(conversations, date(2026, 11, 1), AnalyticsFilters(), ConversationCache(THRESHOLD),
                                 load_clusters())

    assert {(row.cluster, row.language): row.stages for row in rows} == {
        ("lyonbiopole", "fr"): [2, 2, 1, 1, 1, 1, 1, 0],
        ("biowin", "en"): [1, 1, 1, 1, 1, 0, 0, 0],
        ("medsilesia", "pl"): [1, 1, 1, 1, 0, 0, 0, 0],
        ("medsilesia", "de"): [1, 1, 1, 1, 1, 1, 0, 0],
        ("biopmed", "it"): [1, 1, 1, 0, 0, 0, 0, 0],
        ("bioregio_stern", "en"): [2, 1, 1, 1, 1, 1, 1, 1],
        ("bioregio_stern", "de"): [1, 1, 0, 0, 0, 0, 0, 0],
    }
    assert [(row.cluster, row.language) for row in rows][:4] == [  # clusters as in the contract, then languages
        ("lyonbiopole", "fr"), ("biowin", "en"), ("medsilesia", "de"), ("medsilesia", "pl")]
    assert [count for _, count in month.stages] == [9, 8, 6, 5, 4, 3, 2, 1]
    october, _ = monthly_report(conversations, date(2026, 10, 1), AnalyticsFilters(), ConversationCache(THRESHOLD),
                                load_clusters())
    assert [(row.cluster, row.language, row.stages[:2]) for row in october] == [("bioregio_stern", "en", [1, 1])]


def test_only_the_needed_event_types_are_read(conversations: Session) -> None:
    """The replay reads user, slot and active-loop events; bot replies and actions stay in the database."""
    connection = conversations.connection()
    stored = connection.execute(text("SELECT count(*) FROM events")).scalar_one()
    needed = connection.execute(
        text("SELECT count(*) FROM events WHERE type_name IN ('user', 'slot', 'active_loop')")).scalar_one()
    assert needed < stored / 2
    assert len(list(read_conversations(connection, THRESHOLD))) == 10  # and the silent one has no summary
    assert [s.sender_id for s in read_conversations(connection, THRESHOLD, ["october", "widget-silent"])] == ["october"]


def test_the_cache_reads_new_conversations_and_forgets_erased_ones(engine: Engine, conversations: Session) -> None:
    cache = ConversationCache(THRESHOLD)
    assert len(cache.summaries(conversations.connection())) == 10
    conversations.commit()

    late = Script("telegram-late", "pl", QUESTION, faq_topics=("faq/duration",), start=day(20))
    store_conversations(engine, [late])
    with engine.begin() as connection:  # a conversation goes on: only its events are new
        connection.execute(EVENTS.insert(), event_rows("greet-only", [
            UserUttered("what does it cost?", intent={"name": "faq", "confidence": 0.9},
                        parse_data={"intent": {"name": "faq", "confidence": 0.9}, "text": "what does it cost?",
                                    "response_selector": {"faq": {"response": {"intent_response_key": "faq/cost"}}}},
                        timestamp=day(21).timestamp())]))
    result = analyse(conversations, NOVEMBER, cache, load_clusters())
    assert result.stages[:2] == [("conversations", 10), ("questions_answered", 10)]
    assert ("faq/duration", 1, 1) in result.faq_topics and ("faq/cost", 4, 4) in result.faq_topics
    conversations.commit()

    with engine.begin() as connection:  # the retention purge deletes a silent conversation's events
        delete_conversation(connection, "telegram-late")
    assert [count for _, count in analyse(conversations, NOVEMBER, cache, load_clusters()).stages][:2] == [9, 9]


def test_generated_rows_are_those_rasas_tracker_store_writes(tmp_path) -> None:
    script = Script("widget-compare", "de", HANDED_OFF, reasked=("sector",), digression_at="email")
    database = tmp_path / "rasa.db"
    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(database))
    events = conversation_events(script)
    asyncio.run(store.save(DialogueStateTracker.from_events(script.sender_id, events)))
    with store.session_scope() as session:
        stored = [(row.sender_id, row.type_name, row.timestamp, row.intent_name, row.action_name, row.data)
                  for row in session.query(store.SQLEvent).order_by(store.SQLEvent.id)]
    ours = [tuple(row.values()) for row in event_rows(script.sender_id, events)]
    assert stored == ours


# --- The pages ---------------------------------------------------------------------------------

NOVEMBER_QUERY = "since=2026-11-01&until=2026-11-30"


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_staff_see_their_clusters_figures_whatever_they_ask(conversations: Session,
                                                            staff_browser: TestClient) -> None:
    page = staff_browser.get(f"/analytics?{NOVEMBER_QUERY}&cluster=biopmed")
    assert page.status_code == 200
    assert '<tr data-stage="conversations"><td>Conversations</td><td class="count">1</td>' in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert "script-src" not in staff_browser.get("/leads").headers["content-security-policy"]

    rows = _csv(staff_browser.get(f"/analytics.csv?table=funnel&{NOVEMBER_QUERY}&cluster=biopmed"))
    assert rows[0] == ["stage", "conversations", "lost_since_previous_step", "share_of_conversations"]
    assert [row[:2] for row in rows[1:]] == [["conversations", "1"], ["questions_answered", "1"],
                                            ["consent_asked", "1"], ["consent_given", "1"], ["registered", "1"],
                                            ["qualified", "0"], ["handed_off", "0"], ["contacted", "0"]]


def test_admins_export_every_table_and_the_monthly_report(conversations: Session, admin_browser: TestClient) -> None:
    questions = _csv(admin_browser.get(f"/analytics.csv?table=questions&{NOVEMBER_QUERY}"))
    assert ["email", "5", "4", "0", "1"] in questions
    faq = _csv(admin_browser.get(f"/analytics.csv?table=faq&{NOVEMBER_QUERY}&channel=telegram"))
    assert faq[1:] == [["faq/cost", "1", "1"]]
    languages = _csv(admin_browser.get(f"/analytics.csv?table=languages&{NOVEMBER_QUERY}&language=de"))
    assert languages[1:] == [["de", "16", "2", "0.125"]]
    assert admin_browser.get(f"/analytics.csv?table=leads&{NOVEMBER_QUERY}").status_code == 404

    report = admin_browser.get("/analytics/report?month=2026-11")
    assert report.status_code == 200
    assert 'data-cluster="medsilesia" data-language="pl"' in report.text
    assert "Upper Silesia, PL (GAPR-Medsilesia)" in report.text
    rows = _csv(admin_browser.get("/analytics/report.csv?month=2026-11"))
    assert rows[0][:4] == ["cluster", "region", "country", "language"]
    assert ["medsilesia", "Upper Silesia", "PL", "pl", "1", "1", "1", "1", "0", "0", "0", "0"] in rows
    assert rows[-1] == ["all", "", "", "", "9", "8", "6", "5", "4", "3", "2", "1"]


def test_event_lists_show_the_leads_the_reader_may_see_and_count_the_rest(
        conversations: Session, staff_browser: TestClient, admin_browser: TestClient) -> None:
    event_leads = conversations.scalars(select(Lead).where(Lead.event_id == "example-brokerage-lyon")).all()
    assert len(event_leads) == 4  # every registration of the scripts chose the Lyon brokerage event

    staff_page = staff_browser.get("/events")
    assert staff_page.status_code == 200
    assert "More interested SMEs whose leads went to other clusters: 3" in staff_page.text
    rows = _csv(staff_browser.get("/events/example-brokerage-lyon.csv"))
    assert [row[rows[0].index("conversation_id")] for row in rows[1:]] == ["telegram-too-big"]

    admin_rows = _csv(admin_browser.get("/events/example-brokerage-lyon.csv"))
    assert len(admin_rows) == 5
    assert admin_browser.get("/events/no-such-event.csv").status_code == 404
