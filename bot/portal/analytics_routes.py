"""/analytics: the funnel, the form's questions, FAQ topics and unrecognised messages; the monthly report.

Staff see their cluster's figures, admins all clusters' or one's. Every table is also a CSV
(`/analytics.csv?table=...` with the same filters) and the report of a month can be printed
or downloaded (`/analytics/report`, `/analytics/report.csv`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Mapping, Sequence
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from bot.leads.clusters import CLUSTER_CODES, LANGUAGE_CODES, load_clusters
from bot.portal import audit
from bot.portal.analytics import (
    STAGES,
    Analytics,
    AnalyticsFilters,
    ReportRow,
    analyse,
    monthly_report,
    report_totals,
)
from bot.portal.csv_export import table_csv
from bot.portal.funnel import ALL_CHANNELS
from bot.portal.i18n import Translator
from bot.portal.models import User
from bot.portal.templating import render
from bot.portal.web_session import CurrentUser, DbSession, PageNotFound, verify_csrf

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)

DEFAULT_DAYS = 30
TABLES = ("funnel", "questions", "faq", "languages")


@dataclass(frozen=True)
class AnalyticsForm:
    """The filters as the page shows them (dates inclusive), and as the queries use them."""

    cluster: str
    language: str
    channel: str
    since: date
    until: date  # inclusive

    @property
    def filters(self) -> AnalyticsFilters:
        return AnalyticsFilters(
            cluster=self.cluster or None, language=self.language or None, channel=self.channel or None,
            since=datetime(self.since.year, self.since.month, self.since.day, tzinfo=UTC),
            until=datetime(self.until.year, self.until.month, self.until.day, tzinfo=UTC) + timedelta(days=1))

    @property
    def query(self) -> dict[str, str]:
        return {"cluster": self.cluster, "language": self.language, "channel": self.channel,
                "since": self.since.isoformat(), "until": self.until.isoformat()}


def read_form(params: Mapping[str, str], user: User, today: date | None = None) -> AnalyticsForm:
    """Unknown values fall back to "all" (and the last 30 days); staff always get their own cluster."""
    today = today or datetime.now(UTC).date()
    until = _date(params.get("until")) or today
    since = _date(params.get("since")) or until - timedelta(days=DEFAULT_DAYS - 1)
    if since > until:
        since, until = until, since
    cluster = params.get("cluster", "") if user.is_admin else user.cluster
    return AnalyticsForm(
        cluster=cluster if cluster in CLUSTER_CODES else "",
        language=params.get("language", "") if params.get("language") in LANGUAGE_CODES else "",
        channel=params.get("channel", "") if params.get("channel") in ALL_CHANNELS else "",
        since=since, until=until)


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _month(value: str | None, today: date) -> date:
    """The month asked for (YYYY-MM), else the last complete month."""
    try:
        return datetime.strptime(value or "", "%Y-%m").date()
    except ValueError:
        return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


def chart_data(analytics: Analytics, t: Translator) -> dict[str, Any]:
    """What analytics.js draws, with the labels already in the reader's language."""
    return {
        "funnel": {"labels": [t.label("stage", stage) for stage, _ in analytics.stages],
                   "values": [count for _, count in analytics.stages], "series": t("analytics.conversations")},
        "questions": {"labels": [t.label("question", row.question) for row in analytics.questions],
                      "series": [{"label": t("analytics.first_try"), "values": [r.first_try for r in analytics.questions]},
                                 {"label": t("analytics.after_reask"),
                                  "values": [r.after_reask for r in analytics.questions]},
                                 {"label": t("analytics.left"), "values": [r.left for r in analytics.questions]}]},
        "faq": {"labels": [t.label("faq", topic.split("/")[-1]) for topic, _, _ in analytics.faq_topics],
                "values": [count for _, count, _ in analytics.faq_topics], "series": t("analytics.times_asked")},
        "languages": {"labels": [t.label("lang", row.language) for row in analytics.languages],
                      "values": [round(100 * (row.share or 0), 1) for row in analytics.languages],
                      "series": t("analytics.unrecognised_share")},
    }


def table_rows(analytics: Analytics, table: str) -> tuple[Sequence[str], list[Sequence[Any]]]:
    """One table of the page as CSV header and rows (codes, not labels: for spreadsheets and scripts)."""
    if table == "funnel":
        return (("stage", "conversations", "lost_since_previous_step", "share_of_conversations"),
                [(stage, count, lost, _share(share)) for stage, count, lost, share in analytics.drop_off])
    if table == "questions":
        return (("question", "asked", "answered_first_try", "answered_after_reask", "left_there"),
                [(r.question, r.asked, r.first_try, r.after_reask, r.left) for r in analytics.questions])
    if table == "faq":
        return ("topic", "times_asked", "conversations"), [list(row) for row in analytics.faq_topics]
    return (("language", "messages", "unrecognised", "share_unrecognised"),
            [(r.language, r.messages, r.unrecognised, _share(r.share)) for r in analytics.languages])


def report_table(rows: Sequence[ReportRow]) -> tuple[Sequence[str], list[Sequence[Any]]]:
    clusters = load_clusters()
    header = ("cluster", "region", "country", "language", *STAGES)
    body: list[Sequence[Any]] = [(row.cluster, clusters[row.cluster].region, clusters[row.cluster].country,
                                  row.language, *row.stages) for row in rows]
    body.append(("all", "", "", "", *report_totals(rows)))
    return header, body


def _share(value: float | None) -> float | str:
    return round(value, 4) if value is not None else ""


def _csv_response(content: str, filename: str) -> Response:
    return Response(content.encode("utf-8"), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})


@router.get("/analytics")
def analytics_page(request: Request, user: CurrentUser, session: DbSession) -> Response:
    form = read_form(request.query_params, user)
    analytics = analyse(session, form.filters, request.app.state.conversations, load_clusters())
    return render(request, "analytics.html", user, {
        "form": form, "analytics": analytics, "charts": chart_data(analytics, Translator(user.language)),
        "channels": ALL_CHANNELS, "query": urlencode(form.query),
        "month": _month(None, datetime.now(UTC).date()).strftime("%Y-%m"),
    }, scripts=True)


@router.get("/analytics.csv")
def analytics_csv(request: Request, user: CurrentUser, session: DbSession, table: str = "funnel") -> Response:
    if table not in TABLES:
        raise PageNotFound()
    form = read_form(request.query_params, user)
    analytics = analyse(session, form.filters, request.app.state.conversations, load_clusters())
    header, rows = table_rows(analytics, table)
    name = f"analytics-{table}-{form.since.isoformat()}-{form.until.isoformat()}.csv"
    return _csv_response(table_csv(header, rows, user.language), name)


@router.get("/analytics/report")
def report_page(request: Request, user: CurrentUser, session: DbSession) -> Response:
    form = read_form(request.query_params, user)
    month = _month(request.query_params.get("month"), datetime.now(UTC).date())
    rows, analytics = monthly_report(session, month, form.filters, request.app.state.conversations,
                                     load_clusters())
    return render(request, "analytics_report.html", user, {
        "form": form, "month": month, "rows": rows, "totals": report_totals(rows), "analytics": analytics,
        "stages": STAGES, "generated_at": datetime.now(UTC), "channels": ALL_CHANNELS, "clusters": load_clusters(),
        "query": urlencode({"month": f"{month:%Y-%m}", "cluster": form.cluster, "language": form.language,
                            "channel": form.channel}),
    })


@router.get("/analytics/report.csv")
def report_csv(request: Request, user: CurrentUser, session: DbSession) -> Response:
    form = read_form(request.query_params, user)
    month = _month(request.query_params.get("month"), datetime.now(UTC).date())
    rows, _ = monthly_report(session, month, form.filters, request.app.state.conversations, load_clusters())
    audit.record(session, "exported", user, report=month.strftime("%Y-%m"), cluster=form.cluster or None)
    session.commit()
    header, body = report_table(rows)
    return _csv_response(table_csv(header, body, user.language), f"s3martmed-report-{month:%Y-%m}.csv")
