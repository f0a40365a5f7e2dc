"""/tokens: each user issues and revokes their own lead-API tokens (staff tokens carry their cluster)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import Response

from bot.portal import audit
from bot.portal.models import ApiToken, User
from bot.portal.templating import redirect, render
from bot.portal.tokens import create_token, list_tokens, revoke_token
from bot.portal.web_session import CurrentUser, DbSession, PageNotFound, flash, principal_of, verify_csrf

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)


def tokens_page(request: Request, user: User, session: DbSession, new_token: str | None = None) -> Response:
    return render(request, "tokens.html", user, {"tokens": list_tokens(session, user.id), "new_token": new_token})


@router.get("/tokens")
def show_tokens(request: Request, user: CurrentUser, session: DbSession) -> Response:
    return tokens_page(request, user, session)


@router.post("/tokens")
def issue_token(
    request: Request, user: CurrentUser, session: DbSession, name: Annotated[str, Form()] = ""
) -> Response:
    """The plain token is on this response only: it is not stored, so it is never shown again."""
    label = name.strip() or user.email
    row, plain = create_token(session, label[:255], principal_of(user).cluster, user_id=user.id)
    audit.record(session, "changed", user, field="api_token", token=row.id, new="created")
    session.commit()
    return tokens_page(request, user, session, new_token=plain)


@router.post("/tokens/{token_id}/revoke")
def revoke(
    request: Request, token_id: Annotated[int, Path(ge=1, le=2**31 - 1)], user: CurrentUser, session: DbSession
) -> Response:
    row = session.get(ApiToken, token_id)
    if row is None or row.user_id != user.id:
        raise PageNotFound()
    revoke_token(session, row.id)
    audit.record(session, "changed", user, field="api_token", token=row.id, new="revoked")
    session.commit()
    flash(request, "tokens.revoked")
    return redirect("/tokens")
