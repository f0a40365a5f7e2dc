"""Funnel and drop-off figures: conversations (bot.portal.funnel) joined with the lead tables.

The steps, each a subset of the one before (a conversation that got further counts on
every earlier step too):

    conversations -> questions answered -> consent asked -> consent given
    -> registration completed -> qualified -> handed off -> contacted

The first four come from Rasa's events, the last four from the leads stored in the same
period: completed = a lead was saved; handed off = a qualified lead with a notification sent
(contact requests are handed off unqualified and stop at "completed" here); contacted = its
status went to contacted, in progress or converted.

A cluster's figures (staff) count the conversations whose lead it received, owned or copied,
as its inbox does; a conversation without a lead belongs where the contract's routing would
send it (country, target regions, language). The monthly report counts each conversation once,
in its owning cluster's region, so that the regions add up to the whole.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Iterable

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from bot.leads.clusters import LANGUAGE_CODES, ClusterTable
from bot.leads.models import Lead, LeadStatusChange, OutboxMessage
from bot.leads.routing import route
from bot.leads.serialize import as_utc
from bot.portal.funnel import FIRST_TRY, QUESTIONS, ConversationCache, ConversationSummary

STAGES = ("conversations", "questions_answered", "consent_asked", "consent_given", "registered", "qualified",
          "handed_off", "contacted")
CONTACTED_STATUSES = ("contacted", "in_progress", "converted")


@dataclass(frozen=True)
class AnalyticsFilters:
    """None means "any"; `cluster` is forced to the staff member's own by the routes.

    A conversation belongs to the period in which its first message was written.
    """

    cluster: str | None = None
    language: str | None = None
    channel: str | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class LeadOutcome:
    """What became of the lead(s) a conversation left."""

    qualified: bool
    handed_off: bool
    contacted: bool
    owner: str
    clusters: frozenset[str]  # owner and copies


@dataclass(frozen=True)
class QuestionFigures:
    question: str
    asked: int
    first_try: int
    after_reask: int
    left: int


@dataclass(frozen=True)
class LanguageFigures:
    language: str
    messages: int
    unrecognised: int

    @property
    def share(self) -> float | None:
        return self.unrecognised / self.messages if self.messages else None


@dataclass
class Analytics:
    stages: list[tuple[str, int]]
    questions: list[QuestionFigures]
    faq_topics: list[tuple[str, int, int]]  # topic, times asked, conversations; most first
    languages: list[LanguageFigures]

    @property
    def drop_off(self) -> list[tuple[str, int, int, float | None]]:
        """Each step with its count, how many of the step before did not reach it, and its share of the first."""
        first = self.stages[0][1] if self.stages else 0
        rows, before = [], None
        for stage, count in self.stages:
            rows.append((stage, count, (before - count) if before is not None else 0,
                         count / first if first else None))
            before = count
        return rows


@dataclass
class ReportRow:
    cluster: str
    language: str
    stages: list[int] = field(default_factory=lambda: [0] * len(STAGES))


def stage_reached(summary: ConversationSummary, outcome: LeadOutcome | None) -> int:
    """Index in STAGES of the furthest step the conversation reached."""
    reached = [True, summary.engaged, summary.consent_asked, summary.consent_given, outcome is not None,
               bool(outcome and outcome.qualified), bool(outcome and outcome.handed_off),
               bool(outcome and outcome.contacted)]
    return max(index for index, done in enumerate(reached) if done)


def conversation_clusters(summary: ConversationSummary, outcome: LeadOutcome | None,
                          clusters: ClusterTable) -> tuple[str, frozenset[str]]:
    """The owning cluster and every cluster that sees the conversation."""
    if outcome is not None:
        return outcome.owner, outcome.clusters
    routed = route(country=summary.country, target_regions=summary.target_regions, language=summary.language,
                   clusters=clusters)
    return routed.cluster, frozenset([routed.cluster, *routed.cc_clusters])


def compute_analytics(
    summaries: Iterable[ConversationSummary],
    outcomes: dict[str, LeadOutcome],
    filters: AnalyticsFilters,
    clusters: ClusterTable,
) -> Analytics:
    """The figures of the conversations that pass the filters."""
    reached: Counter = Counter()
    asked, first_try, after_reask, left = Counter(), Counter(), Counter(), Counter()
    faq_asked, faq_conversations = Counter(), Counter()
    messages, unrecognised = Counter(), Counter()
    for summary in _selected(summaries, outcomes, filters, clusters):
        reached[stage_reached(summary, outcomes.get(summary.sender_id))] += 1
        for question in summary.asked:
            asked[question] += 1
            outcome = summary.answered.get(question)
            (first_try if outcome == FIRST_TRY else after_reask if outcome else left)[question] += 1
        faq_asked.update(summary.faq_topics)
        faq_conversations.update(summary.faq_topics.keys())
        messages.update(summary.messages)
        unrecognised.update(summary.unrecognised)
    return Analytics(
        stages=[(stage, sum(count for index, count in reached.items() if index >= position))
                for position, stage in enumerate(STAGES)],
        questions=[QuestionFigures(question, asked[question], first_try[question], after_reask[question],
                                   left[question]) for question in QUESTIONS if asked[question]],
        faq_topics=[(topic, count, faq_conversations[topic])
                    for topic, count in sorted(faq_asked.items(), key=lambda item: (-item[1], item[0]))],
        languages=[LanguageFigures(language, messages[language], unrecognised[language])
                   for language in (*LANGUAGE_CODES, *sorted(set(messages) - set(LANGUAGE_CODES)))
                   if messages[language]],
    )


def compute_report(
    summaries: Iterable[ConversationSummary],
    outcomes: dict[str, LeadOutcome],
    filters: AnalyticsFilters,
    clusters: ClusterTable,
) -> list[ReportRow]:
    """Steps reached per owning cluster (region) and language, for the monthly report."""
    rows: dict[tuple[str, str], ReportRow] = {}
    for summary in summaries:
        outcome = outcomes.get(summary.sender_id)
        owner, _ = conversation_clusters(summary, outcome, clusters)
        if filters.cluster and owner != filters.cluster or not _in_scope(summary, filters):
            continue
        row = rows.setdefault((owner, summary.language), ReportRow(owner, summary.language))
        for index in range(stage_reached(summary, outcome) + 1):
            row.stages[index] += 1
    order = {code: position for position, code in enumerate(clusters.codes)}
    languages = {code: position for position, code in enumerate(LANGUAGE_CODES)}
    return sorted(rows.values(), key=lambda row: (order.get(row.cluster, 99), languages.get(row.language, 99),
                                                  row.language))


def _selected(summaries: Iterable[ConversationSummary], outcomes: dict[str, LeadOutcome],
              filters: AnalyticsFilters, clusters: ClusterTable) -> Iterable[ConversationSummary]:
    for summary in summaries:
        if not _in_scope(summary, filters):
            continue
        if filters.cluster and filters.cluster not in conversation_clusters(
                summary, outcomes.get(summary.sender_id), clusters)[1]:
            continue
        yield summary


def _in_scope(summary: ConversationSummary, filters: AnalyticsFilters) -> bool:
    return (not filters.language or summary.language == filters.language) and \
        (not filters.channel or summary.channel == filters.channel) and \
        (filters.since is None or summary.started_at >= filters.since.timestamp()) and \
        (filters.until is None or summary.started_at < filters.until.timestamp())


def read_lead_outcomes(session: Session, since: datetime | None) -> dict[str, LeadOutcome]:
    """Per conversation id, what became of its leads saved since `since` (a lead follows its conversation's start;
    one begun on the last evening of a period may register after midnight, so there is no upper bound)."""
    sent = exists().where(OutboxMessage.lead_id == Lead.id, OutboxMessage.status == "sent")
    contacted = exists().where(LeadStatusChange.lead_id == Lead.id,
                               LeadStatusChange.status.in_(CONTACTED_STATUSES))
    query = select(Lead.conversation_id, Lead.qualified, Lead.status, Lead.cluster, Lead.cc_clusters,
                   sent.label("sent"), contacted.label("contacted")).order_by(Lead.id)
    if since is not None:
        query = query.where(Lead.created_at >= as_utc(since))
    outcomes: dict[str, LeadOutcome] = {}
    for conversation_id, qualified, status, owner, copies, was_sent, was_contacted in session.execute(query):
        handed_off = bool(qualified and was_sent)
        outcome = LeadOutcome(
            qualified=bool(qualified), handed_off=handed_off,
            contacted=handed_off and (bool(was_contacted) or status in CONTACTED_STATUSES),
            owner=owner, clusters=frozenset([owner, *(copies or [])]))
        earlier = outcomes.get(conversation_id)
        outcomes[conversation_id] = outcome if earlier is None else _furthest(earlier, outcome)
    return outcomes


def _furthest(first: LeadOutcome, second: LeadOutcome) -> LeadOutcome:
    """A conversation that registered twice counts by the lead that got further (the later one on a tie)."""
    def progress(outcome: LeadOutcome) -> tuple[bool, bool, bool]:
        return outcome.qualified, outcome.handed_off, outcome.contacted
    return first if progress(first) > progress(second) else second


def analyse(session: Session, filters: AnalyticsFilters, conversations: ConversationCache,
            clusters: ClusterTable) -> Analytics:
    summaries = conversations.summaries(session.connection())
    outcomes = read_lead_outcomes(session, filters.since)
    return compute_analytics(summaries, outcomes, filters, clusters)


def monthly_report(session: Session, month: date, filters: AnalyticsFilters, conversations: ConversationCache,
                   clusters: ClusterTable) -> tuple[list[ReportRow], Analytics]:
    """The report of one calendar month (UTC): rows per region and language, and the month's figures."""
    since, until = month_bounds(month)
    filters = AnalyticsFilters(cluster=filters.cluster, language=filters.language, channel=filters.channel,
                               since=since, until=until)
    summaries = conversations.summaries(session.connection())
    outcomes = read_lead_outcomes(session, since)
    return (compute_report(summaries, outcomes, filters, clusters),
            compute_analytics(summaries, outcomes, filters, clusters))


def month_bounds(month: date) -> tuple[datetime, datetime]:
    start = datetime.combine(month.replace(day=1), time(), UTC)
    following = (start + timedelta(days=32)).replace(day=1)
    return start, following


def report_totals(rows: Iterable[ReportRow]) -> list[int]:
    totals = [0] * len(STAGES)
    for row in rows:
        totals = [total + value for total, value in zip(totals, row.stages, strict=True)]
    return totals
