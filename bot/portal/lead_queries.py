"""Which leads a principal sees, filtered: one query for the API, the HTML inbox and CSV export."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import cast, event, exists, func, literal, or_, select, true
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement, Select

from bot.leads.models import Lead, LeadRecipient
from bot.leads.serialize import as_utc
from bot.portal.auth import Principal
from bot.registration_fields import NAMING_FIELDS


@dataclass(frozen=True)
class LeadFilters:
    """Optional conditions, all of which a lead must meet; None means "any"."""

    status: str | None = None
    qualified: bool | None = None
    language: str | None = None
    interest: str | None = None
    cluster: str | None = None  # the owning cluster
    since: datetime | None = None  # created at or after; naive means UTC
    until: datetime | None = None  # created before; naive means UTC
    search: str | None = None  # in company, contact or e-mail, any case


SQLITE_LOWER = "s3m_lower"
"""SQLite's own lower() folds ASCII only; this one folds "ŁÓDŹ" and "ZÜRICH" too."""


def add_sqlite_functions(engine: Engine) -> None:
    """Give each new SQLite connection of `engine` the Unicode-aware lower() the search needs."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _register(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        dbapi_connection.create_function(
            SQLITE_LOWER, 1, lambda value: value.lower() if isinstance(value, str) else value, deterministic=True
        )


def contains_text(column: Any, term: str, dialect: str) -> ColumnElement[Any]:
    """`term` occurs in `column`, ignoring case; % and _ in the term are literal."""
    pattern = "%" + term.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    lowered = getattr(func, SQLITE_LOWER)(column) if dialect == "sqlite" else func.lower(column)
    return lowered.like(pattern, escape="\\")


def visible_to(principal: Principal) -> ColumnElement[Any]:
    """Condition on Lead: admins see all; staff the leads their cluster received (owned or copied)."""
    if principal.is_admin:
        return true()
    received = select(LeadRecipient.lead_id).where(LeadRecipient.cluster == principal.cluster)
    return Lead.id.in_(received)


def json_list_contains(column: Any, value: str, dialect: str) -> ColumnElement[Any]:
    """`value` is an element of the JSON list in `column` (no portable SQL for this exists)."""
    if dialect == "postgresql":
        return cast(column, JSONB).contains([value])
    if dialect == "sqlite":
        elements = func.json_each(column).table_valued("value")
        return exists(select(literal(1)).select_from(elements).where(elements.c.value == value))
    raise NotImplementedError(f"JSON list filter not implemented for {dialect}")


def select_leads(principal: Principal, filters: LeadFilters, dialect: str) -> Select:
    """Newest first; the id breaks ties so that limit/offset pages neither skip nor repeat."""
    query = select(Lead).where(visible_to(principal))
    if filters.status is not None:
        query = query.where(Lead.status == filters.status)
    if filters.qualified is not None:
        query = query.where(Lead.qualified.is_(filters.qualified))
    if filters.language is not None:
        query = query.where(Lead.language == filters.language)
    if filters.cluster is not None:
        query = query.where(Lead.cluster == filters.cluster)
    if filters.interest is not None:
        query = query.where(json_list_contains(Lead.interests, filters.interest, dialect))
    if filters.since is not None:
        query = query.where(Lead.created_at >= as_utc(filters.since))
    if filters.until is not None:
        query = query.where(Lead.created_at < as_utc(filters.until))
    if filters.search:
        query = query.where(
            or_(*(contains_text(column, filters.search, dialect)
                  for column in (getattr(Lead, field.lead_column) for field in NAMING_FIELDS)))
        )
    return query.order_by(Lead.created_at.desc(), Lead.id.desc())


def find_leads(
    session: Session, principal: Principal, filters: LeadFilters, limit: int, offset: int = 0
) -> list[Lead]:
    query = select_leads(principal, filters, session.get_bind().dialect.name)
    return list(session.scalars(query.limit(limit).offset(offset)))


def count_leads(session: Session, principal: Principal, filters: LeadFilters) -> int:
    query = select_leads(principal, filters, session.get_bind().dialect.name).order_by(None)
    return session.scalar(select(func.count()).select_from(query.subquery())) or 0


def may_see(session: Session, principal: Principal, lead: Lead) -> bool:
    if principal.is_admin:
        return True
    recipient = select(LeadRecipient.id).where(
        LeadRecipient.lead_id == lead.id, LeadRecipient.cluster == principal.cluster
    )
    return session.scalars(recipient).first() is not None
