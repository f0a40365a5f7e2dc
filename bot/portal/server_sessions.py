"""Portal sessions kept in the database; the browser's cookie holds only a random id.

A signed cookie that carries the session stays valid until it expires, whatever the server
does: a copy taken before log-out would still open the portal. Here the session is a row of
`portal_sessions` (found by the SHA-256 of the cookie's id), so ending the row ends the session
for every copy of the cookie: at log-out, when the password is reset, after the idle limit.

`request.session` stays the dict Starlette's own SessionMiddleware gives, so pages read and
write it the same way; `renew()` and `end()` tell this middleware what to do with the row.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.leads.serialize import as_utc
from bot.orm import utcnow
from bot.portal.models import PortalSession

TOUCH_EVERY = timedelta(minutes=1)
"""How stale `last_seen_at` may get before a request writes it again (not one write per request)."""


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class SessionData(dict):
    """The values of one session (user id, CSRF token, language, a flash message)."""

    def __init__(self, values: dict[str, Any]) -> None:
        super().__init__(values)
        self.renewing = False
        self.ending = False

    def renew(self) -> None:
        """Store the values under a new id and end the old one (at log-in: no fixation)."""
        self.renewing = True

    def end(self) -> None:
        """End the session for good (log-out) and forget its cookie."""
        self.clear()
        self.ending = True


def end_user_sessions(session: Session, user_id: int) -> None:
    """End every open session of a user (password reset); in the caller's transaction."""
    session.execute(
        update(PortalSession)
        .where(PortalSession.user_id == user_id, PortalSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )


class ServerSessionMiddleware:
    """Puts the session of the request's cookie (or a new, empty one) on `scope["session"]`."""

    def __init__(
        self, app: ASGIApp, *, sessions: sessionmaker, cookie_name: str, max_age: int, https_only: bool
    ) -> None:
        self.app = app
        self.sessions = sessions
        self.cookie_name = cookie_name
        self.max_age = max_age
        self.flags = "; HttpOnly; SameSite=lax" + ("; Secure" if https_only else "")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        presented = HTTPConnection(scope).cookies.get(self.cookie_name)
        found = await run_in_threadpool(self._load, presented) if presented else None
        data = SessionData(found[1] if found else {})
        scope["session"] = data
        original = dict(data)

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                cookie = await run_in_threadpool(self._save, found, data, original)
                if cookie is not None:
                    MutableHeaders(scope=message).append("Set-Cookie", cookie)
            await send(message)

        await self.app(scope, receive, send_with_cookie)

    def _cookie(self, key: str, max_age: int) -> str:
        return f"{self.cookie_name}={key}; path=/; Max-Age={max_age}{self.flags}"

    def _load(self, presented: str) -> tuple[str, dict[str, Any], datetime] | None:
        """The live session of the cookie: its key, values and last use; None if ended, idle too long or unknown."""
        if len(presented) > 100:
            return None
        with self.sessions() as db:
            row = db.scalars(select(PortalSession).where(PortalSession.key_sha256 == key_hash(presented))).first()
            if row is None or row.ended_at is not None:
                return None
            if as_utc(row.last_seen_at) < utcnow() - timedelta(seconds=self.max_age):
                return None
            return presented, dict(row.data or {}), as_utc(row.last_seen_at)

    def _save(self, found: tuple[str, dict[str, Any], datetime] | None, data: SessionData,
              original: dict[str, Any]) -> str | None:
        """Write what the request did to its session; returns the Set-Cookie value, if any."""
        now = utcnow()
        with self.sessions.begin() as db:
            if found is not None and (data.ending or data.renewing):
                self._end(db, found[0], now)
            if data.ending:
                return self._cookie("", 0)
            if found is not None and not data.renewing:
                if dict(data) != original or now - found[2] > TOUCH_EVERY:
                    db.execute(
                        update(PortalSession)
                        .where(PortalSession.key_sha256 == key_hash(found[0]), PortalSession.ended_at.is_(None))
                        .values(data=dict(data), user_id=_user_id(data), last_seen_at=now)
                    )
                return self._cookie(found[0], self.max_age)
            if not data:
                return None  # nothing to keep: no row, no cookie
            key = secrets.token_urlsafe(32)
            self._forget_old(db, now)
            db.add(PortalSession(key_sha256=key_hash(key), user_id=_user_id(data), data=dict(data),
                                 created_at=now, last_seen_at=now))
            return self._cookie(key, self.max_age)

    def _end(self, db: Session, key: str, now: datetime) -> None:
        db.execute(update(PortalSession).where(PortalSession.key_sha256 == key_hash(key)).values(ended_at=now))

    def _forget_old(self, db: Session, now: datetime) -> None:
        """Drop sessions ended or idle for longer than a session may last: they can never come back."""
        cutoff = now - timedelta(seconds=self.max_age)
        db.execute(delete(PortalSession).where(
            or_(PortalSession.last_seen_at < cutoff, PortalSession.ended_at < cutoff)
        ))


def _user_id(data: dict[str, Any]) -> int | None:
    user_id = data.get("user_id")
    return user_id if isinstance(user_id, int) else None
