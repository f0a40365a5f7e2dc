"""/users (admins only): create staff and admin accounts, reset passwords, disable and enable accounts,
revoke an account's API tokens."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import Response
from sqlalchemy import func, select

from bot.portal import audit
from bot.portal.accounts import MIN_PASSWORD_LENGTH, AccountError, create_user, set_password
from bot.portal.models import ApiToken, User
from bot.portal.templating import redirect, render
from bot.portal.tokens import revoke_user_tokens
from bot.portal.web_session import CurrentAdmin, DbSession, PageNotFound, flash, verify_csrf

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)

UserId = Annotated[int, Path(ge=1, le=2**31 - 1)]
ADMIN_ROLE = "admin"  # the role field's value for "no cluster"


@router.get("/users")
def users_page(request: Request, admin: CurrentAdmin, session: DbSession) -> Response:
    users = list(session.scalars(select(User).order_by(User.cluster.nulls_first(), User.email)))
    active_tokens = dict(session.execute(
        select(ApiToken.user_id, func.count()).where(ApiToken.revoked_at.is_(None)).group_by(ApiToken.user_id)
    ).all())
    return render(request, "users.html", admin,
                  {"users": users, "active_tokens": active_tokens, "min_password": MIN_PASSWORD_LENGTH})


@router.post("/users")
def add_user(
    request: Request,
    admin: CurrentAdmin,
    session: DbSession,
    email: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
    cluster: Annotated[str, Form()] = "",
    language: Annotated[str, Form()] = "en",
    password: Annotated[str, Form()] = "",
) -> Response:
    """`cluster` is a cluster code for staff, or "admin"."""
    try:
        user = create_user(
            session, email=email, name=name, password=password, language=language,
            cluster=None if cluster == ADMIN_ROLE else cluster,
        )
    except AccountError as error:
        session.rollback()
        flash(request, f"error.{error.code}", "error")
        return redirect("/users")
    audit.record(session, "changed", admin, field="account", account=user.id, new="created")
    session.commit()
    flash(request, "users.created")
    return redirect("/users")


def _account(session: DbSession, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise PageNotFound()
    return user


@router.post("/users/{user_id}/password")
def reset_password(
    request: Request,
    user_id: UserId,
    admin: CurrentAdmin,
    session: DbSession,
    password: Annotated[str, Form()] = "",
) -> Response:
    """Also lifts a lock-out, ends the account's sessions and revokes its API tokens."""
    user = _account(session, user_id)
    try:
        set_password(user, password)
    except AccountError as error:
        flash(request, f"error.{error.code}", "error")
        return redirect("/users")
    audit.record(session, "changed", admin, field="password", account=user.id)
    session.commit()
    flash(request, "users.password_reset")
    return redirect("/users")


@router.post("/users/{user_id}/tokens/revoke")
def revoke_tokens(request: Request, user_id: UserId, admin: CurrentAdmin, session: DbSession) -> Response:
    """Any account's tokens, e.g. of someone who left or whose tool leaked its token."""
    user = _account(session, user_id)
    count = revoke_user_tokens(session, user.id)
    audit.record(session, "changed", admin, field="api_token", account=user.id, new="revoked", count=count)
    session.commit()
    flash(request, "users.tokens_revoked")
    return redirect("/users")


@router.post("/users/{user_id}/disable")
def disable(request: Request, user_id: UserId, admin: CurrentAdmin, session: DbSession) -> Response:
    return _set_disabled(request, _account(session, user_id), True, admin, session)


@router.post("/users/{user_id}/enable")
def enable(request: Request, user_id: UserId, admin: CurrentAdmin, session: DbSession) -> Response:
    return _set_disabled(request, _account(session, user_id), False, admin, session)


def _set_disabled(request: Request, user: User, disabled: bool, admin: User, session: DbSession) -> Response:
    if user.id == admin.id:
        flash(request, "error.self_disable", "error")  # the last admin must not lock everyone out
        return redirect("/users")
    user.disabled = disabled
    audit.record(session, "changed", admin, field="disabled", account=user.id, new=disabled)
    session.commit()
    flash(request, "users.disabled" if disabled else "users.enabled")
    return redirect("/users")
