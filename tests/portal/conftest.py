"""The portal on a fresh, migrated database (SQLite and PostgreSQL), and leads to show in it."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any, Iterator, Sequence

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.config import Settings, load_settings
from bot.conversations.events import EVENTS
from bot.leads.models import Lead, LeadRecipient
from bot.portal import accounts
from bot.portal.app import create_app
from bot.portal.models import User
from tests.leads.conftest import database_url, engine, session  # noqa: F401

ADMIN_TOKEN = "admin-secret-for-tests"


@pytest.fixture
def settings(database_url: str) -> Settings:  # noqa: F811
    return load_settings().copy(update={"database_url": database_url, "admin_token": ADMIN_TOKEN})


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as client:
        yield client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def add_lead(
    db: Session,
    cluster: str,
    copies: Sequence[str] = (),
    created_at: datetime | None = None,
    **fields: Any,
) -> Lead:
    """Store a lead routed to `cluster` and copied to `copies`, as the hand-off would."""
    values: dict[str, Any] = {
        "conversation_id": "conv-1",
        "language": "en",
        "company_name": "Acme Medical",
        "contact_name": "Ada Lovelace",
        "email": "ada@example.com",
        "country": "BE",
        "employees": 40.0,
        "sector": "medical_devices",
        "interests": ["partnering"],
        "target_regions": list(copies),
        "qualified": True,
        "qualification_reasons": ["fewer than 250 employees"],
        "routing_reason": f"routed to {cluster} for the test",
        **fields,
    }
    if created_at is not None:
        values["created_at"] = created_at
    lead = Lead(cluster=cluster, cc_clusters=list(copies), **values)
    lead.recipients = [LeadRecipient(cluster=cluster, role="owner")] + [
        LeadRecipient(cluster=copy, role="copy") for copy in copies
    ]
    db.add(lead)
    db.commit()
    return lead


# --- The staff portal's pages: accounts, log-in and the CSRF token of a session ---

PASSWORD = "correct horse battery"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(autouse=True)
def cheap_password_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """bcrypt's lowest cost: the tests check the rules, not the hashing time."""
    monkeypatch.setattr(accounts, "BCRYPT_ROUNDS", 4)


def add_user(db: Session, email: str, cluster: str | None, language: str = "en", **fields: Any) -> User:
    """A staff account of `cluster` (None: an admin) with the password PASSWORD."""
    user = accounts.create_user(db, email=email, name=email.split("@")[0].title(), password=PASSWORD,
                                cluster=cluster, language=language)
    for name, value in fields.items():
        setattr(user, name, value)
    db.commit()
    return user


def csrf_token(browser: TestClient, path: str = "/login") -> str:
    match = _CSRF.search(browser.get(path).text)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def log_in(browser: TestClient, email: str, password: str = PASSWORD) -> Response:
    token = csrf_token(browser)
    return browser.post("/login", data={"email": email, "password": password, "csrf_token": token},
                        follow_redirects=False)


def post_form(browser: TestClient, path: str, data: dict[str, str] | None = None, page: str = "/leads") -> Response:
    """Submit a form as a browser would: with the CSRF token of the session's pages."""
    return browser.post(path, data={**(data or {}), "csrf_token": csrf_token(browser, page)},
                        follow_redirects=False)


@pytest.fixture
def staff(session: Session) -> User:  # noqa: F811
    return add_user(session, "bea@biowin.example", "biowin")


@pytest.fixture
def admin(session: Session) -> User:  # noqa: F811
    return add_user(session, "ada@s3martmed.example", None)


@pytest.fixture
def staff_browser(client: TestClient, staff: User) -> TestClient:
    """A second cookie jar on the same app, logged in as biowin staff."""
    browser = TestClient(client.app)
    assert log_in(browser, staff.email).status_code == 303
    return browser


@pytest.fixture
def admin_browser(client: TestClient, admin: User) -> TestClient:
    browser = TestClient(client.app)
    assert log_in(browser, admin.email).status_code == 303
    return browser


# --- Rasa's tracker store, for transcripts ---


def add_events(
    database: Engine, conversation_id: str, said: list[tuple[str, str]], start: datetime | None = None
) -> None:
    """A stored conversation: an action first (not shown), then what the SME and the bot said."""
    EVENTS.create(database, checkfirst=True)
    first = (start or datetime(2025, 3, 1, 9, tzinfo=UTC)).timestamp()
    rows = [{"type_name": "action", "action_name": "action_listen",
             "data": json.dumps({"event": "action", "name": "action_listen"})}]
    rows += [{"type_name": speaker, "data": json.dumps({"event": speaker, "text": words})} for speaker, words in said]
    with database.begin() as connection:
        for number, row in enumerate(rows):
            moment = first + 20 * number
            connection.execute(EVENTS.insert().values(sender_id=conversation_id, timestamp=moment, **row))
