"""Storing what SMEs register, counting what they decline, showing it on request.

A lead, its recipients, proof of consent, routing decision, first status, its
hand-off messages and the SME's confirmation e-mail are written in one transaction:
a lead is never stored without them, nor any of them sent for a lead that was rolled back.
Erasing them on the SME's request is bot.conversations.erasure's, with the conversation's events.
"""

from __future__ import annotations

from copy import copy
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import selectinload, sessionmaker
from sqlalchemy.sql.expression import Executable

from bot.config import Settings
from bot.definitions import LANGUAGES
from bot.leads.clusters import ClusterTable
from bot.leads.confirmation import enqueue_confirmation
from bot.leads.handoff import enqueue_handoff
from bot.leads.models import (
    AnonymousCount,
    ConsentRecord,
    Lead,
    LeadRecipient,
    LeadStatusChange,
    RoutingDecision,
)
from bot.leads.qualification import qualify
from bot.leads.routing import route
from bot.registration_fields import STORED_FIELDS

LeadKind = Literal["registration", "contact_request"]
LEAD_KINDS: tuple[str, ...] = ("registration", "contact_request")

CONSENT_REFUSED = "consent_refused"
"""Anonymous count event of an SME that declined storage of its details."""


@dataclass(frozen=True, kw_only=True)
class Registration:
    """What an SME gave the assistant after consenting; saving it is the consent's purpose.

    `kind` is "registration" (the registration form) or "contact_request" (the SME
    asked to be contacted by a person at a cluster).
    """

    conversation_id: str
    language: str
    notice_version: str
    kind: LeadKind = "registration"
    company_name: str | None = None
    contact_name: str | None = None
    email: str | None = None
    country: str | None = None
    employees: float | None = None
    sector: str | None = None
    interests: list[str] = field(default_factory=list)
    target_regions: list[str] = field(default_factory=list)
    event_id: str | None = None
    source: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in LEAD_KINDS:
            raise ValueError(f"kind must be one of {', '.join(LEAD_KINDS)}, not {self.kind!r}")
        if not self.conversation_id:
            raise ValueError("a registration needs its conversation id (to erase it on request)")

    def lead_columns(self) -> dict[str, Any]:
        """What the SME gave, by lead column (bot.registration_fields); the country as an upper-case code."""
        columns = {detail.lead_column: copy(getattr(self, detail.slot)) for detail in STORED_FIELDS}
        columns["country"] = (self.country or "").strip().upper() or None
        return columns


def is_handed_off(*, qualified: bool, kind: str) -> bool:
    """Whether a stored lead is sent to its clusters.

    Qualified leads are (the product contract). So is every contact request, qualified or not:
    a person asked to be contacted, and only a person at the cluster can answer that;
    the unmet criteria travel with it as its qualification reasons.
    """
    return qualified or kind == "contact_request"


class LeadStore:
    """Writes leads and anonymous counts to the database behind `engine`."""

    def __init__(self, engine: Engine, clusters: ClusterTable, settings: Settings) -> None:
        self._engine = engine
        self._clusters = clusters
        self._settings = settings
        self._sessions = sessionmaker(engine, future=True, expire_on_commit=False)

    def save(self, registration: Registration) -> Lead:
        """Qualify, route and store a registration, queue its hand-off when due and the
        SME's confirmation e-mail (bot.leads.confirmation) when it gave an address.

        Returns:
            The stored lead with its recipients, consent, routing decisions, status
            changes and notifications loaded, usable after its session has closed.
        """
        verdict = qualify(
            employees=registration.employees,
            sector=registration.sector,
            email=registration.email,
            consent=True,  # a Registration exists only once consent was given
            interests=registration.interests,
        )
        routed = route(
            country=registration.country,
            target_regions=registration.target_regions,
            language=registration.language,
            clusters=self._clusters,
        )
        lead = Lead(
            conversation_id=registration.conversation_id,
            kind=registration.kind,
            source=registration.source,
            language=registration.language,
            **registration.lead_columns(),
            qualified=verdict.qualified,
            qualification_reasons=list(verdict.reasons),
            cluster=routed.cluster,
            cc_clusters=list(routed.cc_clusters),
            routing_reason=routed.reason,
            status="new",
        )
        lead.recipients = [
            LeadRecipient(cluster=routed.cluster, role="owner"),
            *(LeadRecipient(cluster=code, role="copy") for code in routed.cc_clusters),
        ]
        lead.consent = ConsentRecord(
            conversation_id=registration.conversation_id,
            given=True,
            notice_version=registration.notice_version,
            language=registration.language,
        )
        lead.routing_decisions = [
            RoutingDecision(cluster=routed.cluster, cc_clusters=list(routed.cc_clusters), reason=routed.reason)
        ]
        lead.status_changes = [LeadStatusChange(status="new")]

        with self._sessions.begin() as session:
            session.add(lead)
            session.flush()  # the hand-off links to the lead by its id
            handed_off = is_handed_off(qualified=verdict.qualified, kind=registration.kind)
            if handed_off:
                enqueue_handoff(session, lead, self._clusters, self._settings)
            enqueue_confirmation(session, lead, self._clusters, self._settings, rule=routed.rule,
                                 handed_off=handed_off)
            session.flush()
            session.expire(lead, ["notifications"])
            lead.notifications  # noqa: B018 - load it now, the session closes on return
        return lead

    def count_anonymously(self, language: str, event: str, *, day: date | None = None) -> None:
        """Add one to today's (UTC) count of `event` in `language`; safe under concurrent calls."""
        if language not in LANGUAGES:
            raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, not {language!r}")
        if not event or len(event) > AnonymousCount.__table__.c.event.type.length:
            raise ValueError(f"event name must be 1 to 64 characters, not {event!r}")
        day_text = (day or datetime.now(UTC).date()).isoformat()
        with self._engine.begin() as connection:
            connection.execute(_increment_statement(connection, day_text, language, event))

    def leads_of_conversation(self, conversation_id: str) -> list[Lead]:
        """The leads one conversation stored whose details are not erased, oldest first (GDPR art. 15).

        Only this conversation's: the caller passes the id of the conversation asking,
        never one taken from what the user wrote.
        """
        with self._sessions() as session:
            return list(session.scalars(
                select(Lead)
                .where(Lead.conversation_id == conversation_id, Lead.erased_at.is_(None))
                .options(selectinload(Lead.consent))
                .order_by(Lead.created_at, Lead.id)
            ))


def _increment_statement(connection: Connection, day: str, language: str, event: str) -> Executable:
    """One atomic insert-or-increment (ON CONFLICT DO UPDATE) in the connection's dialect."""
    dialects = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
    insert = dialects.get(connection.dialect.name)
    if insert is None:
        raise NotImplementedError(f"anonymous counts support {', '.join(dialects)}, not {connection.dialect.name}")
    statement = insert(AnonymousCount).values(day=day, language=language, event=event, count=1)
    return statement.on_conflict_do_update(
        index_elements=["day", "language", "event"],
        set_={"count": AnonymousCount.count + 1},
    )
