"""The dashboard page: one cluster's numbers as tables (staff: their own; admins pick one, or all)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from bot.leads.clusters import CLUSTER_CODES
from bot.portal.auth import Principal
from bot.portal.dashboard import count_numbers
from bot.portal.lead_queries import LeadFilters, select_leads
from bot.portal.templating import render
from bot.portal.web_session import CurrentUser, DbSession, verify_csrf

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)


@router.get("/dashboard")
def dashboard(request: Request, user: CurrentUser, session: DbSession, cluster: str = "") -> Response:
    if not user.is_admin:
        cluster = user.cluster
    elif cluster not in CLUSTER_CODES:
        cluster = ""  # all clusters
    viewer = Principal(name=user.email, cluster=cluster or None)
    leads = session.scalars(select_leads(viewer, LeadFilters(), session.get_bind().dialect.name))
    return render(request, "dashboard.html", user, {"cluster": cluster, "numbers": count_numbers(leads)})
