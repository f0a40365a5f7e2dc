"""Portal accounts: creating them, their bcrypt passwords, and checking a log-in with lock-out.

The web pages and the `python -m bot.portal.users` command share these rules, so an
account made either way is checked the same way. Nothing here commits: the caller
commits together with the audit entry that records what happened.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

import bcrypt
from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from bot.config import Settings
from bot.leads.clusters import CLUSTER_CODES, LANGUAGE_CODES
from bot.leads.serialize import as_utc
from bot.orm import utcnow
from bot.portal.models import User
from bot.portal.server_sessions import end_user_sessions
from bot.portal.tokens import revoke_user_tokens
from bot.rate_limit import SenderRateLimiter

BCRYPT_ROUNDS = 12
"""Cost of new hashes (about a quarter second); tests lower it, verification reads it from the hash."""

MIN_PASSWORD_LENGTH = 12
MAX_NAME_LENGTH = 255  # users.name
MAX_PASSWORD_BYTES = 72  # bcrypt ignores (bcrypt 5: refuses) anything longer

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@lru_cache(maxsize=4)
def _dummy_hash(rounds: int) -> bytes:
    """Checked when the e-mail is unknown, so that a wrong address takes as long as a wrong password."""
    return bcrypt.hashpw(b"no such account", bcrypt.gensalt(rounds))


class AccountError(ValueError):
    """An account cannot be made or changed; `code` names the message (i18n key `error.<code>`)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def hash_password(password: str) -> str:
    check_password_rules(password)
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(BCRYPT_ROUNDS)).decode("ascii")


def password_matches(password: str, password_hash: str) -> bool:
    """One bcrypt check whatever the password: a too long one is checked too (and then refused),
    so that it takes as long as any wrong password."""
    encoded = password.encode("utf-8")
    matches = bcrypt.checkpw(encoded[:MAX_PASSWORD_BYTES], password_hash.encode("ascii"))
    return matches and len(encoded) <= MAX_PASSWORD_BYTES


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError("password_short", f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    if len(password.encode("utf-8")) > MAX_PASSWORD_BYTES:
        raise AccountError("password_long", f"a password may have at most {MAX_PASSWORD_BYTES} bytes")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user(session: Session, email: str) -> User | None:
    return session.scalars(select(User).where(User.email == normalise_email(email))).first()


def create_user(
    session: Session,
    *,
    email: str,
    name: str,
    password: str,
    cluster: str | None,
    language: str = "en",
) -> User:
    """Add a staff account of `cluster`, or an admin account when `cluster` is None."""
    email = normalise_email(email)
    if not _EMAIL.match(email) or len(email) > 320:
        raise AccountError("email_invalid", f"{email!r} is not an e-mail address")
    if not name.strip():
        raise AccountError("name_missing", "an account needs the person's name")
    if len(name.strip()) > MAX_NAME_LENGTH:
        raise AccountError("name_too_long", f"a name may have at most {MAX_NAME_LENGTH} characters")
    if cluster is not None and cluster not in CLUSTER_CODES:
        raise AccountError("cluster_unknown", f"unknown cluster {cluster!r}; valid: {', '.join(CLUSTER_CODES)}")
    check_language(language)
    if find_user(session, email) is not None:
        raise AccountError("email_taken", f"an account for {email} exists already")
    user = User(
        email=email,
        name=name.strip(),
        password_hash=hash_password(password),
        role="admin" if cluster is None else "staff",
        cluster=cluster,
        language=language,
        disabled=False,
        failed_logins=0,
    )
    session.add(user)
    session.flush()
    return user


def check_language(language: str) -> None:
    if language not in LANGUAGE_CODES:
        raise AccountError("language_unknown", f"language must be one of {', '.join(LANGUAGE_CODES)}")


def set_password(user: User, password: str) -> None:
    """New password; also lifts a lock-out, as an admin resets it for a locked-out user.

    A reset is what follows a leaked password: whoever used it may hold a session or have
    issued API tokens, so the account's sessions end and its tokens are revoked.
    """
    user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    session = object_session(user)
    if session is not None and user.id is not None:
        end_user_sessions(session, user.id)
        revoke_user_tokens(session, user.id)


@dataclass(frozen=True)
class LoginOutcome:
    """The account the e-mail names (if any), and why the log-in failed (None: it succeeded).

    The reason is for the audit log only: the person logging in sees one generic message.
    """

    user: User | None
    failure: str | None  # unknown_user, wrong_password, locked, disabled

    @property
    def succeeded(self) -> bool:
        return self.failure is None


def login_attempts_per_address(settings: Settings) -> SenderRateLimiter:
    """Log-in attempts one address may make: the failures that lock four accounts at once, then
    as many per lock-out period. Lock-out counts per account; this holds back an address that
    tries a few passwords on every account, or locks every admin out."""
    burst = 4 * settings.login_max_failures
    return SenderRateLimiter(per_minute=burst / max(settings.login_lockout_minutes, 1e-6), burst=burst)


def check_login(
    session: Session, email: str, password: str, settings: Settings, now: datetime | None = None
) -> LoginOutcome:
    """Check a log-in and count failures; `login_max_failures` in a row lock the account.

    A locked account refuses even the right password until the lock ends, so guessing
    cannot continue at full speed; a success resets the count.
    """
    now = as_utc(now or utcnow())
    user = find_user(session, email)
    if user is None:
        bcrypt.checkpw(password.encode("utf-8")[:MAX_PASSWORD_BYTES], _dummy_hash(BCRYPT_ROUNDS))
        return LoginOutcome(None, "unknown_user")
    if user.locked_until is not None and as_utc(user.locked_until) > now:
        bcrypt.checkpw(password.encode("utf-8")[:MAX_PASSWORD_BYTES], _dummy_hash(BCRYPT_ROUNDS))  # same time
        return LoginOutcome(user, "locked")
    if not password_matches(password, user.password_hash):
        user.failed_logins = (user.failed_logins or 0) + 1
        if user.failed_logins >= settings.login_max_failures:
            user.locked_until = now + timedelta(minutes=settings.login_lockout_minutes)
            user.failed_logins = 0
        return LoginOutcome(user, "wrong_password")
    if user.disabled:
        return LoginOutcome(user, "disabled")
    user.failed_logins = 0
    user.locked_until = None
    return LoginOutcome(user, None)
