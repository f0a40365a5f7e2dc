"""The audit log: who viewed, exported or changed which lead, and every log-in attempt.

Entries hold ids, codes and counts only (GDPR data minimisation): the log must not
become a second copy of the leads' personal data. They are added to the caller's
session, so an action and its record are committed together.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from bot.portal.models import AuditEntry, User

AUDIT_ACTIONS: tuple[str, ...] = (
    "viewed", "exported", "downloaded", "changed", "reassigned", "logged_in", "failed_login",
    "annotated", "retrained", "activated",  # retraining: a verdict, a run started, a model activated
)


def record(
    session: Session,
    action: str,
    user: User | None,
    lead_id: int | None = None,
    /,
    **details: Any,
) -> AuditEntry:
    """Add one entry; `details` must be ids, codes, counts or flags (JSON values)."""
    if action not in AUDIT_ACTIONS:
        raise ValueError(f"unknown audit action {action!r}; known: {', '.join(AUDIT_ACTIONS)}")
    entry = AuditEntry(action=action, user_id=user.id if user else None, lead_id=lead_id, details=details)
    session.add(entry)
    return entry


def latest_entries(
    session: Session, *, action: str | None = None, limit: int = 50, offset: int = 0
) -> tuple[list[AuditEntry], int]:
    """One page of entries, newest first, and how many there are in all."""
    query = select(AuditEntry)
    if action in AUDIT_ACTIONS:
        query = query.where(AuditEntry.action == action)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = session.scalars(
        query.options(selectinload(AuditEntry.user))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(page), total
