"""Who is logged in to the portal pages, and the CSRF token of their session.

The session lives on the server (bot.portal.server_sessions; the cookie holds a random id
only) and holds the user id, the CSRF token and the chosen language. It ends at log-out and
when the account's password is reset; the user is read from the database on every request,
so disabling an account shuts it out at once.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from bot.portal.auth import Principal
from bot.portal.dependencies import get_session
from bot.portal.models import User

SESSION_COOKIE = "s3m_portal"
CSRF_FIELD = "csrf_token"


class LoginRequired(Exception):
    """No valid session: the page answers with a redirect to /login."""


class PageForbidden(Exception):
    """The user may not see or do this (another cluster's lead, an admin page, a bad CSRF token)."""

    def __init__(self, reason: str = "forbidden") -> None:
        super().__init__(reason)
        self.reason = reason


class PageNotFound(Exception):
    """No such lead, user or token."""


class PageBadRequest(Exception):
    """The request holds what no form sends (a NUL character): a 400 page."""


def csrf_token(request: Request) -> str:
    """This session's CSRF token, made on first use (the log-in form needs one before any log-in)."""
    token = request.session.get(CSRF_FIELD)
    if not token:
        token = secrets.token_urlsafe(32)
        request.session[CSRF_FIELD] = token
    return token


async def verify_csrf(request: Request) -> None:
    """Router dependency: every POST must echo the session's CSRF token in its form."""
    if request.method != "POST":
        return
    expected = request.session.get(CSRF_FIELD)
    presented = (await request.form()).get(CSRF_FIELD)
    if not isinstance(expected, str) or not isinstance(presented, str):
        raise PageForbidden("csrf")
    # As bytes: compare_digest refuses str with non-ASCII characters, and a forged token may have them.
    if not expected or not hmac.compare_digest(expected.encode("utf-8"), presented.encode("utf-8")):
        raise PageForbidden("csrf")


async def refuse_nul_characters(request: Request) -> None:
    """Page dependency: a NUL character in the query or the form is a 400 page.

    Nobody types one, and PostgreSQL can neither store nor compare text holding one.
    """
    values = list(request.query_params.values())
    if request.method == "POST":
        values += [value for value in (await request.form()).values() if isinstance(value, str)]
    if any("\x00" in value for value in values):
        raise PageBadRequest()


def start_session(request: Request, user: User) -> None:
    """A fresh session for `user` (new CSRF token too, so nothing from before the log-in carries over)."""
    request.session.clear()
    request.session.update(user_id=user.id, language=user.language)
    csrf_token(request)
    request.session.renew()  # under a new id: whoever knew the one before the log-in gains nothing


def end_session(request: Request) -> None:
    """Log-out: the session ends on the server, so no copy of the cookie opens it again."""
    request.session.end()


def flash(request: Request, key: str, kind: str = "ok") -> None:
    """A one-time message (an i18n key) for the next page, which shows it after a redirect."""
    request.session["flash"] = {"key": key, "kind": kind}


def take_flash(request: Request) -> dict[str, str] | None:
    return request.session.pop("flash", None)


def safe_next(target: str | None, default: str = "/leads") -> str:
    """Only a path on this site: `next=https://evil.example` or `//evil.example` must not redirect away."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return default
    return target


def optional_user(request: Request, session: Annotated[Session, Depends(get_session)]) -> User | None:
    """The logged-in, enabled user of this request, or None."""
    user_id = request.session.get("user_id")
    if not isinstance(user_id, int):
        return None
    user = session.get(User, user_id)
    if user is None or user.disabled:
        request.session.clear()
        return None
    return user


def current_user(user: Annotated[User | None, Depends(optional_user)]) -> User:
    if user is None:
        raise LoginRequired()
    return user


def current_admin(user: Annotated[User, Depends(current_user)]) -> User:
    if not user.is_admin:
        raise PageForbidden("admin_only")
    return user


def principal_of(user: User) -> Principal:
    """The user's view of the leads, in the lead API's terms (admins: no cluster, so all)."""
    return Principal(name=user.email, cluster=None if user.is_admin else user.cluster)


CurrentUser = Annotated[User, Depends(current_user)]
CurrentAdmin = Annotated[User, Depends(current_admin)]
DbSession = Annotated[Session, Depends(get_session)]
