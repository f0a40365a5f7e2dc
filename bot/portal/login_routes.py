"""Log-in, log-out and the language switch of the portal pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from bot.config import Settings
from bot.leads.clusters import LANGUAGE_CODES
from bot.portal import audit
from bot.portal.accounts import check_login
from bot.portal.dependencies import get_settings
from bot.portal.models import User
from bot.portal.templating import redirect, render
from bot.portal.web_session import (
    DbSession,
    end_session,
    optional_user,
    safe_next,
    start_session,
    verify_csrf,
)

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)

MaybeUser = Annotated[User | None, Depends(optional_user)]


@router.get("/")
def home(user: MaybeUser) -> Response:
    return redirect("/leads" if user else "/login")


@router.get("/login")
def login_page(request: Request, user: MaybeUser, next: str = "/leads") -> Response:
    if user is not None:
        return redirect(safe_next(next))
    return render(request, "login.html", None, {"next": safe_next(next), "failed": False, "email": ""})


@router.post("/login")
def log_in(
    request: Request,
    session: DbSession,
    settings: Annotated[Settings, Depends(get_settings)],
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/leads",
) -> Response:
    if not request.app.state.login_attempts.allow(request.client.host if request.client else "unknown"):
        audit.record(session, "failed_login", None, reason="too_many_attempts")
        session.commit()
        context = {"next": safe_next(next), "failed": True, "email": email.strip()[:320]}
        return render(request, "login.html", None, context, status_code=429)
    outcome = check_login(session, email, password, settings)
    if outcome.succeeded and outcome.user is not None:
        audit.record(session, "logged_in", outcome.user)
        session.commit()
        start_session(request, outcome.user)
        return redirect(safe_next(next))
    audit.record(session, "failed_login", outcome.user, reason=outcome.failure)
    session.commit()
    # One message for every reason, so the form does not reveal which e-mails have accounts.
    context = {"next": safe_next(next), "failed": True, "email": email.strip()[:320]}
    return render(request, "login.html", None, context, status_code=400)


@router.post("/logout")
def log_out(request: Request) -> Response:
    end_session(request)
    return redirect("/login")


@router.post("/language")
def switch_language(
    request: Request,
    session: DbSession,
    user: MaybeUser,
    language: Annotated[str, Form()] = "en",
    next: Annotated[str, Form()] = "/leads",
) -> Response:
    """Remembered in the account (and in the session, before log-in)."""
    if language in LANGUAGE_CODES:
        request.session["language"] = language
        if user is not None:
            user.language = language
            session.commit()
    return redirect(safe_next(next))
