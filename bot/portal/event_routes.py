"""/events: per catalogue event, the SMEs that asked for it, for its organisers; each list as CSV."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response

from bot.portal import audit
from bot.portal.csv_export import leads_csv
from bot.portal.event_interest import find_event, interest_in, interest_in_all
from bot.portal.templating import render
from bot.portal.web_session import CurrentUser, DbSession, PageNotFound, principal_of, verify_csrf

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)

EventId = Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]


@router.get("/events")
def event_lists(request: Request, user: CurrentUser, session: DbSession) -> Response:
    return render(request, "events.html", user, {"interests": interest_in_all(session, principal_of(user))})


@router.get("/events/{event_id}.csv")
def event_list_csv(event_id: EventId, user: CurrentUser, session: DbSession) -> Response:
    event = find_event(event_id)
    if event is None:
        raise PageNotFound()
    interest = interest_in(session, principal_of(user), event)
    audit.record(session, "exported", user, event=event.id, count=len(interest.leads))
    session.commit()
    filename = f"event-{event.id}-{datetime.now(UTC):%Y%m%d}.csv"
    return Response(leads_csv(interest.leads, user.language).encode("utf-8"), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})
