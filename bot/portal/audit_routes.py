"""/audit (admins only): the audit log, newest first, filtered by action."""

from __future__ import annotations

from math import ceil

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from bot.portal.audit import AUDIT_ACTIONS, latest_entries
from bot.portal.templating import render
from bot.portal.web_session import CurrentAdmin, DbSession, verify_csrf

PAGE_SIZE = 50
MAX_PAGE = 1_000_000  # 50 million entries; a larger page number would overflow the query's OFFSET

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)


@router.get("/audit")
def audit_page(
    request: Request, admin: CurrentAdmin, session: DbSession, action: str = "", page: int = 1
) -> Response:
    action = action if action in AUDIT_ACTIONS else ""
    page = min(max(page, 1), MAX_PAGE)
    entries, total = latest_entries(session, action=action or None, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    return render(request, "audit.html", admin, {
        "entries": entries, "total": total, "page": page, "pages": max(1, ceil(total / PAGE_SIZE)),
        "action": action, "actions": AUDIT_ACTIONS,
    })
