"""The lead pages: the inbox with its filters and CSV export, one lead, and what staff do with it."""

from __future__ import annotations

from datetime import UTC, datetime
from math import ceil
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.conversations.transcript import read_lead_transcript
from bot.leads.clusters import load_clusters
from bot.leads.lifecycle import (
    STATUSES,
    WorkflowError,
    change_status,
    may_change,
    next_statuses,
    reassign,
    reassignment_targets,
)
from bot.leads.models import Lead
from bot.leads.outbox import retry_failed
from bot.leads.qualification import INTEREST_CODES
from bot.portal import audit
from bot.portal.csv_export import leads_csv
from bot.portal.dependencies import get_settings
from bot.portal.inbox_filters import read_inbox_form
from bot.portal.lead_queries import count_leads, find_leads, may_see
from bot.portal.lead_record import lead_record
from bot.portal.models import User
from bot.portal.templating import redirect, render
from bot.portal.web_session import (
    CurrentUser,
    DbSession,
    PageForbidden,
    PageNotFound,
    flash,
    principal_of,
    verify_csrf,
)

PAGE_SIZE = 25
MAX_EXPORT = 10_000

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)

LeadId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.get("/leads")
def inbox(request: Request, user: CurrentUser, session: DbSession, page: int = 1) -> Response:
    form = read_inbox_form(request.query_params)
    principal = principal_of(user)
    total = count_leads(session, principal, form.filters)
    pages = max(1, ceil(total / PAGE_SIZE))
    page = min(max(page, 1), pages)
    leads = find_leads(session, principal, form.filters, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    return render(request, "leads.html", user, {
        "leads": leads, "total": total, "page": page, "pages": pages, "form": form.values,
        "statuses": STATUSES, "interests": INTEREST_CODES,
    })


@router.get("/leads.csv")
def export(request: Request, user: CurrentUser, session: DbSession) -> Response:
    """All leads of the current filtered view (not just the page), as a download."""
    form = read_inbox_form(request.query_params)
    leads = find_leads(session, principal_of(user), form.filters, MAX_EXPORT)
    audit.record(session, "exported", user, count=len(leads), filters=form.active)
    session.commit()
    filename = f"leads-{datetime.now(UTC):%Y%m%d-%H%M}.csv"
    return Response(
        leads_csv(leads, user.language).encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


def visible_lead(session: Session, user: User, lead_id: int) -> Lead:
    """The lead, if the user's cluster received it; a refusal is audited before the 403 page."""
    lead = session.get(Lead, lead_id)
    if lead is None:
        raise PageNotFound()
    if not may_see(session, principal_of(user), lead):
        audit.record(session, "viewed", user, lead.id, allowed=False)
        session.commit()
        raise PageForbidden("other_cluster")
    return lead


def changeable_lead(session: Session, user: User, lead_id: int) -> Lead:
    lead = visible_lead(session, user, lead_id)
    if not may_change(user, lead):
        raise PageForbidden("copy_only")
    return lead


@router.get("/leads/{lead_id}")
def lead_page(request: Request, lead_id: LeadId, user: CurrentUser, session: DbSession) -> Response:
    lead = visible_lead(session, user, lead_id)
    audit.record(session, "viewed", user, lead.id, allowed=True)
    session.commit()
    return render(request, "lead.html", user, {
        "lead": lead,
        "transcript": read_lead_transcript(session, lead),
        "may_change": may_change(user, lead),
        "next_statuses": next_statuses(lead),
        "other_clusters": reassignment_targets(lead, load_clusters()),
        "has_failed": any(message.status == "failed" for message in lead.notifications),
    })


@router.get("/leads/{lead_id}/record.json")
def download_record(lead_id: LeadId, user: CurrentUser, session: DbSession) -> Response:
    """The lead's complete record, for the SME's access request; audited like a view."""
    lead = visible_lead(session, user, lead_id)
    record = lead_record(lead, read_lead_transcript(session, lead))
    audit.record(session, "downloaded", user, lead.id)
    session.commit()
    return JSONResponse(record, headers={
        "Content-Disposition": f'attachment; filename="lead-{lead.id}.json"', "Cache-Control": "no-store",
    })


@router.post("/leads/{lead_id}/status")
def set_status(
    request: Request,
    lead_id: LeadId,
    user: CurrentUser,
    session: DbSession,
    status: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    lead = changeable_lead(session, user, lead_id)
    former = lead.status
    try:
        change_status(session, lead, status, note, user)
    except WorkflowError as error:
        flash(request, f"error.{error.code}", "error")
        return redirect(f"/leads/{lead.id}")
    audit.record(session, "changed", user, lead.id, field="status", old=former, new=status)
    session.commit()
    flash(request, "lead.status_changed")
    return redirect(f"/leads/{lead.id}")


@router.post("/leads/{lead_id}/reassign")
def reassign_lead(
    request: Request,
    lead_id: LeadId,
    user: CurrentUser,
    session: DbSession,
    settings: Annotated[Settings, Depends(get_settings)],
    cluster: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    lead = changeable_lead(session, user, lead_id)
    former = lead.cluster
    try:
        reassign(session, lead, cluster, reason, user, load_clusters(), settings)
    except WorkflowError as error:
        flash(request, f"error.{error.code}", "error")
        return redirect(f"/leads/{lead.id}")
    audit.record(session, "reassigned", user, lead.id, old=former, new=cluster)
    session.commit()
    flash(request, "lead.reassigned")
    # Staff of the former owner no longer see the lead (unless they hold a copy): back to the inbox.
    return redirect(f"/leads/{lead.id}" if may_see(session, principal_of(user), lead) else "/leads")


@router.post("/leads/{lead_id}/retry")
def retry_notifications(request: Request, lead_id: LeadId, user: CurrentUser, session: DbSession) -> Response:
    """Put the lead's failed notifications back in the outbox, for the worker's next pass."""
    lead = changeable_lead(session, user, lead_id)
    count = retry_failed(session, lead.id)
    audit.record(session, "changed", user, lead.id, field="notifications", retried=count)
    session.commit()
    flash(request, "lead.retried")
    return redirect(f"/leads/{lead.id}")
