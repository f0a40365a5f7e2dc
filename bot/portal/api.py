"""The contract's JSON lead API (README.md, Registration and hand-off): `GET /api/leads` and one lead by id."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Sequence

from fastapi import APIRouter, Depends, HTTPException, Path, Query
from fastapi import status as http_status
from sqlalchemy.orm import Session

from bot.leads.clusters import CLUSTER_CODES, LANGUAGE_CODES
from bot.leads.erasure import ERASED
from bot.leads.lifecycle import STATUSES
from bot.leads.models import Lead
from bot.leads.qualification import INTEREST_CODES
from bot.leads.serialize import as_utc, lead_to_dict
from bot.portal.auth import Principal, authenticate
from bot.portal.dependencies import get_session
from bot.portal.lead_queries import LeadFilters, find_leads, may_see

MAX_PAGE = 1000
MAX_ID = 2**31 - 1  # the databases' INTEGER: a larger id or offset is a 422, not an overflow
STATUS_CODES = (*STATUSES, ERASED)

Caller = Annotated[Principal, Depends(authenticate)]
DbSession = Annotated[Session, Depends(get_session)]

router = APIRouter(prefix="/api", tags=["leads"])


def _bad_query_value(name: str, message: str) -> HTTPException:
    """422 in the shape FastAPI uses for its own validation errors, so clients parse one format."""
    return HTTPException(
        http_status.HTTP_422_UNPROCESSABLE_ENTITY,
        detail=[{"loc": ["query", name], "msg": message, "type": "value_error"}],
    )


def _one_of(name: str, value: str | None, allowed: Sequence[str]) -> str | None:
    if value is not None and value not in allowed:
        raise _bad_query_value(name, f"{value!r} is not one of {', '.join(allowed)}")
    return value


def _parse_since(value: str | None) -> datetime | None:
    """An ISO 8601 date or date-time; without an offset it is read as UTC."""
    if value is None:
        return None
    try:
        return as_utc(datetime.fromisoformat(value))
    except (ValueError, OverflowError):  # OverflowError: e.g. 0001-01-01T00:00+14:00 is before year 1 in UTC
        raise _bad_query_value(
            "since", f"{value!r} is not an ISO 8601 date or date-time (e.g. 2025-03-01 or 2025-03-01T08:00:00Z)"
        ) from None


def lead_filters(
    status: Annotated[str | None, Query(description=f"one of {', '.join(STATUS_CODES)}")] = None,
    qualified: bool | None = None,
    language: Annotated[str | None, Query(description=f"one of {', '.join(LANGUAGE_CODES)}")] = None,
    interest: Annotated[str | None, Query(description=f"leads naming it; one of {', '.join(INTEREST_CODES)}")] = None,
    cluster: Annotated[str | None, Query(description=f"owning cluster; one of {', '.join(CLUSTER_CODES)}")] = None,
    since: Annotated[str | None, Query(description="created at or after, ISO 8601 date or date-time")] = None,
) -> LeadFilters:
    return LeadFilters(
        status=_one_of("status", status, STATUS_CODES),
        qualified=qualified,
        language=_one_of("language", language, LANGUAGE_CODES),
        interest=_one_of("interest", interest, INTEREST_CODES),
        cluster=_one_of("cluster", cluster, CLUSTER_CODES),
        since=_parse_since(since),
    )


@router.get("/leads")
def list_leads(
    filters: Annotated[LeadFilters, Depends(lead_filters)],
    principal: Caller,
    session: DbSession,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> list[dict[str, Any]]:
    """Leads the token may see, newest first."""
    return [lead_to_dict(lead) for lead in find_leads(session, principal, filters, limit, offset)]


@router.get("/leads/{lead_id}")
def get_lead(
    lead_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    principal: Caller,
    session: DbSession,
) -> dict[str, Any]:
    """One lead; another cluster's lead is refused without showing its contents."""
    lead = session.get(Lead, lead_id)
    if lead is None:
        raise HTTPException(http_status.HTTP_404_NOT_FOUND, detail=f"no lead {lead_id}")
    if not may_see(session, principal, lead):
        raise HTTPException(http_status.HTTP_403_FORBIDDEN, detail=f"lead {lead_id} belongs to another cluster")
    return lead_to_dict(lead)
