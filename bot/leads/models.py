"""Database schema of leads, their hand-off, the staff portal's users and retraining (SQLAlchemy 1.4 ORM, 2.0 style).

The same models run on SQLite (default) and PostgreSQL; the schema is created
and changed only by the Alembic migrations in `migrations/`.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import declarative_base, relationship

# Named constraints, so that later migrations can alter them on SQLite too (batch mode).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Base = declarative_base(metadata=MetaData(naming_convention=NAMING_CONVENTION))


def utcnow() -> datetime:
    return datetime.now(UTC)


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


class ApiToken(Base):
    """A bearer token of the lead API; only its SHA-256 is stored. No cluster = admin.

    Tokens made by a portal user belong to that user (`user_id`) and stop working when
    the account is disabled; tokens issued on the command line belong to nobody.
    """

    __tablename__ = "api_tokens"

    id = Column(Integer, primary_key=True)
    name = Column(String(255), nullable=False)
    token_sha256 = Column(String(64), nullable=False, unique=True)
    cluster = Column(String(32))
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    revoked_at = Column(DateTime(timezone=True))
    user_id = Column(Integer, ForeignKey("users.id", ondelete="CASCADE"), index=True)

    user = relationship("User")


class User(Base):
    """A person who logs in to the staff portal: cluster staff (one cluster) or an admin (all).

    Accounts are disabled, never deleted, so that the audit log keeps naming who did what.
    """

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(
            "(role = 'staff' AND cluster IS NOT NULL) OR (role = 'admin' AND cluster IS NULL)",
            name="role_cluster",
        ),
    )

    id = Column(Integer, primary_key=True)
    email = Column(String(320), nullable=False, unique=True)  # stored in lower case
    name = Column(String(255), nullable=False)
    password_hash = Column(String(128), nullable=False)  # bcrypt
    role = Column(String(8), nullable=False)  # "staff" or "admin"
    cluster = Column(String(32))  # staff: their cluster code; admins: none
    language = Column(String(2), nullable=False, default="en")
    disabled = Column(Boolean, nullable=False, default=False)
    failed_logins = Column(Integer, nullable=False, default=0)  # in a row, since the last success
    locked_until = Column(DateTime(timezone=True))
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


class PortalSession(Base):
    """A log-in to the portal pages (and the anonymous visit before it), kept on the server.

    The browser's cookie holds only a random id, of which only the SHA-256 is stored: a session
    ends for good at log-out, on a password reset, or after `S3M_SESSION_HOURS` idle, whatever
    copy of the cookie remains somewhere.
    """

    __tablename__ = "portal_sessions"

    id = Column(Integer, primary_key=True)
    key_sha256 = Column(String(64), nullable=False, unique=True)
    user_id = Column(Integer, ForeignKey("users.id", ondelete="CASCADE"), index=True)  # none before log-in
    data = Column(JSON, nullable=False, default=dict)  # user id, CSRF token, language, a flash message
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    last_seen_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, index=True)
    ended_at = Column(DateTime(timezone=True))


class AuditEntry(Base):
    """Who did what in the portal, and when; ids and codes only, never a lead's personal data."""

    __tablename__ = "audit_log"

    id = Column(Integer, primary_key=True)
    at = Column(DateTime(timezone=True), nullable=False, default=utcnow, index=True)
    user_id = Column(Integer, ForeignKey("users.id", ondelete="SET NULL"), index=True)  # none: unknown e-mail
    action = Column(String(32), nullable=False, index=True)  # see bot.portal.audit.AUDIT_ACTIONS
    lead_id = Column(Integer, index=True)  # no foreign key: the entry outlives any change to the lead
    details = Column(JSON, nullable=False, default=dict)

    user = relationship("User")


class AnonymousCount(Base):
    """What is kept without consent: how often something happened, per language and day."""

    __tablename__ = "anonymous_counts"
    __table_args__ = (UniqueConstraint("day", "language", "event"),)

    id = Column(Integer, primary_key=True)
    day = Column(String(10), nullable=False)  # ISO date
    language = Column(String(2), nullable=False)
    event = Column(String(64), nullable=False)  # e.g. "consent_refused", "registration_cancelled"
    count = Column(Integer, nullable=False, default=0)


class TrainingAnnotation(Base):
    """An admin's verdict on a message the assistant did not understand (bot.retraining).

    One per normalised text: the same message written twice is judged once. `label` is an
    intent (`faq/<topic>` included) or "ignore"; `text` is stored masked, as it is written
    to the training data.
    """

    __tablename__ = "training_annotations"

    id = Column(Integer, primary_key=True)
    text_key = Column(String(64), nullable=False, unique=True)  # sha256 of the normalised text
    text = Column(Text, nullable=False)
    language = Column(String(2), nullable=False)
    label = Column(String(64), nullable=False)
    user_id = Column(Integer, ForeignKey("users.id", ondelete="SET NULL"))
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)

    user = relationship("User")


class TrainingRun(Base):
    """One retraining: validate, train, evaluate against the active model, maybe activate."""

    __tablename__ = "training_runs"

    id = Column(Integer, primary_key=True)
    status = Column(String(16), nullable=False, default="queued")  # see bot.retraining.runs.STATUSES
    phase = Column(String(64), nullable=False, default="")  # what it is doing now, for the progress bar
    progress = Column(Float, nullable=False, default=0.0)  # 0..1
    started_by = Column(Integer, ForeignKey("users.id", ondelete="SET NULL"))
    started_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    finished_at = Column(DateTime(timezone=True))
    model_path = Column(Text)
    evaluation = Column(JSON)  # {"candidate": {lang: scores}, "active": {lang: scores}, "worse": [lang]}
    log_tail = Column(Text, nullable=False, default="")
    error = Column(Text)
    activated_at = Column(DateTime(timezone=True))
    activated_by = Column(Integer, ForeignKey("users.id", ondelete="SET NULL"))
    overridden = Column(Boolean, nullable=False, default=False)  # activated although worse somewhere
