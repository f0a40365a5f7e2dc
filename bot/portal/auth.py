"""Who is calling: bearer tokens of the lead API resolved to a principal.

Two kinds of token: the built-in admin token from the settings (S3M_ADMIN_TOKEN,
only when set) and per-user tokens stored by `bot.portal.tokens`.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.portal.dependencies import get_session, get_settings
from bot.portal.tokens import find_active_token

ADMIN_NAME = "admin"


@dataclass(frozen=True)
class Principal:
    """The caller: a name for the logs, and the cluster whose leads it sees (None: all)."""

    name: str
    cluster: str | None

    @property
    def is_admin(self) -> bool:
        return self.cluster is None


def principal_for_token(session: Session, presented: str, admin_token: str | None) -> Principal | None:
    """Resolve a presented token, or None when it is unknown or revoked."""
    if admin_token and hmac.compare_digest(presented.encode("utf-8"), admin_token.encode("utf-8")):
        return Principal(name=ADMIN_NAME, cluster=None)
    row = find_active_token(session, presented)
    return Principal(name=row.name, cluster=row.cluster) if row else None


# auto_error=False: our own 401 (FastAPI's differs between versions); still documents the scheme in OpenAPI.
_bearer = HTTPBearer(auto_error=False, description="A per-user API token, or the admin token S3M_ADMIN_TOKEN.")


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail=detail, headers={"WWW-Authenticate": "Bearer"})


def authenticate(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    session: Annotated[Session, Depends(get_session)],
    settings: Annotated[Settings, Depends(get_settings)],
) -> Principal:
    """FastAPI dependency: the caller's principal, or 401."""
    if credentials is None:
        raise _unauthorized("missing bearer token (Authorization: Bearer <token>)")
    principal = principal_for_token(session, credentials.credentials, settings.admin_token)
    if principal is None:
        raise _unauthorized("invalid or revoked token")
    return principal
