"""The staff portal's tables: accounts, their sessions and API tokens, and the audit log.

Created and changed only by the Alembic migrations in `migrations/`, with the lead tables (base: `bot.orm`).
"""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, CheckConstraint, Column, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import relationship

from bot.orm import Base, utcnow


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
