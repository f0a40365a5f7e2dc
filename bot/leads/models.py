"""The lead tables: what SMEs registered, their consent, routing, status history and notifications.

SQLAlchemy 1.4 ORM, 2.0 style; the same models run on SQLite (default) and PostgreSQL. The
schema is created and changed only by the Alembic migrations in `migrations/` (base: `bot.orm`).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import relationship

from bot.orm import Base, utcnow


class Lead(Base):
    """One registration (or contact request) of an SME, stored only after consent."""

    __tablename__ = "leads"

    id = Column(Integer, primary_key=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, index=True)
    conversation_id = Column(String(255), nullable=False, index=True)
    kind = Column(String(32), nullable=False, default="registration")  # or "contact_request"
    source = Column(String(255))  # e.g. Telegram /start deep-link parameter, "rest", "widget"
    language = Column(String(2), nullable=False)
    company_name = Column(String(255))
    contact_name = Column(String(255))
    email = Column(String(320))
    country = Column(String(2))
    employees = Column(Float)
    sector = Column(String(32))
    interests = Column(JSON, nullable=False, default=list)  # contract codes
    target_regions = Column(JSON, nullable=False, default=list)  # cluster codes
    event_id = Column(String(64))  # catalogue event the SME is interested in, if any
    qualified = Column(Boolean, nullable=False, default=False)
    qualification_reasons = Column(JSON, nullable=False, default=list)  # list of str
    cluster = Column(String(32), nullable=False, index=True)  # owning cluster code
    cc_clusters = Column(JSON, nullable=False, default=list)  # copied cluster codes
    routing_reason = Column(Text, nullable=False)
    status = Column(String(32), nullable=False, default="new", index=True)
    erased_at = Column(DateTime(timezone=True))  # personal fields wiped on the SME's request

    recipients = relationship("LeadRecipient", back_populates="lead", cascade="all, delete-orphan")
    consent = relationship("ConsentRecord", back_populates="lead", uselist=False)
    routing_decisions = relationship("RoutingDecision", back_populates="lead", order_by="RoutingDecision.id")
    status_changes = relationship("LeadStatusChange", back_populates="lead", order_by="LeadStatusChange.id")
    notifications = relationship("OutboxMessage", back_populates="lead", order_by="OutboxMessage.id")


class LeadRecipient(Base):
    """Which clusters see a lead (its owner and each copied cluster): an index for their inboxes."""

    __tablename__ = "lead_recipients"
    __table_args__ = (UniqueConstraint("lead_id", "cluster"),)

    id = Column(Integer, primary_key=True)
    lead_id = Column(Integer, ForeignKey("leads.id", ondelete="CASCADE"), nullable=False, index=True)
    cluster = Column(String(32), nullable=False, index=True)
    role = Column(String(8), nullable=False)  # "owner" or "copy"

    lead = relationship("Lead", back_populates="recipients")


class ConsentRecord(Base):
    """Proof of consent (GDPR art. 7(1)): when, in which language, to which notice version."""

    __tablename__ = "consent_records"

    id = Column(Integer, primary_key=True)
    lead_id = Column(Integer, ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    conversation_id = Column(String(255), nullable=False, index=True)
    given = Column(Boolean, nullable=False)
    notice_version = Column(String(32), nullable=False)
    language = Column(String(2), nullable=False)
    recorded_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)

    lead = relationship("Lead", back_populates="consent")


class RoutingDecision(Base):
    """Where a lead was routed and why; re-assignments add rows, the lead keeps the latest."""

    __tablename__ = "routing_decisions"

    id = Column(Integer, primary_key=True)
    lead_id = Column(Integer, ForeignKey("leads.id", ondelete="CASCADE"), nullable=False, index=True)
    cluster = Column(String(32), nullable=False)
    cc_clusters = Column(JSON, nullable=False, default=list)
    reason = Column(Text, nullable=False)
    decided_by = Column(String(255), nullable=False, default="assistant")
    decided_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)

    lead = relationship("Lead", back_populates="routing_decisions")


class LeadStatusChange(Base):
    """Status history: new -> contacted -> in_progress -> converted / closed, with notes."""

    __tablename__ = "lead_status_changes"

    id = Column(Integer, primary_key=True)
    lead_id = Column(Integer, ForeignKey("leads.id", ondelete="CASCADE"), nullable=False, index=True)
    status = Column(String(32), nullable=False)
    note = Column(Text)
    changed_by = Column(String(255), nullable=False, default="assistant")
    changed_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)

    lead = relationship("Lead", back_populates="status_changes")


class OutboxMessage(Base):
    """A notification to send (e-mail or webhook); the worker retries it with back-off."""

    __tablename__ = "outbox_messages"

    id = Column(Integer, primary_key=True)
    lead_id = Column(Integer, ForeignKey("leads.id", ondelete="SET NULL"), index=True)
    channel = Column(String(16), nullable=False)  # "email" or "webhook"
    # "handoff" (the lead itself), or "erasure_notice" (tells a cluster that received it of its erasure;
    # the only message of an erased lead still sent, as it names nothing but the lead's id).
    kind = Column(String(16), nullable=False, default="handoff", server_default="handoff")
    recipient = Column(String(1024), nullable=False)  # address or URL
    cluster = Column(String(32))
    subject = Column(String(512))
    body = Column(Text, nullable=False)
    status = Column(String(16), nullable=False, default="pending", index=True)  # pending/sent/failed/cancelled
    attempts = Column(Integer, nullable=False, default=0)
    next_attempt_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, index=True)
    last_error = Column(Text)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    sent_at = Column(DateTime(timezone=True))

    lead = relationship("Lead", back_populates="notifications")


class AnonymousCount(Base):
    """What is kept without consent: how often something happened, per language and day."""

    __tablename__ = "anonymous_counts"
    __table_args__ = (UniqueConstraint("day", "language", "event"),)

    id = Column(Integer, primary_key=True)
    day = Column(String(10), nullable=False)  # ISO date
    language = Column(String(2), nullable=False)
    event = Column(String(64), nullable=False)  # e.g. "consent_refused", "registration_cancelled"
    count = Column(Integer, nullable=False, default=0)
