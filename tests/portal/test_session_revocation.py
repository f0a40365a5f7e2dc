"""Ending access for good: log-out, a password reset and an admin's revocation (security finding 7)."""

from __future__ import annotations

import hashlib
import io

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.portal import tokens, users
from bot.portal.models import PortalSession, User
from bot.portal.tokens import create_token
from tests.portal.conftest import bearer, log_in, post_form

NEW_PASSWORD = "a brand new long password"


def replayed(client: TestClient, cookie: str) -> TestClient:
    """Another browser that presents a copy of `cookie` (as whoever copied it would)."""
    browser = TestClient(client.app)
    browser.cookies.set("s3m_portal", cookie)
    return browser


def opens_the_inbox(browser: TestClient) -> bool:
    return browser.get("/leads", follow_redirects=False).status_code == 200


def test_a_copy_of_the_session_cookie_opens_nothing_after_log_out(client: TestClient, staff: User) -> None:
    browser = TestClient(client.app)
    log_in(browser, staff.email)
    cookie = browser.cookies["s3m_portal"]
    assert opens_the_inbox(replayed(client, cookie))
    assert post_form(browser, "/logout").status_code == 303
    assert not opens_the_inbox(browser)
    assert not opens_the_inbox(replayed(client, cookie))


def test_the_cookie_holds_a_random_id_whose_hash_only_is_stored(
    client: TestClient, session: Session, staff: User
) -> None:
    browser = TestClient(client.app)
    log_in(browser, staff.email)
    cookie = browser.cookies["s3m_portal"]
    assert "." not in cookie and str(staff.id) not in cookie.split("-")  # no signed payload, no user id
    row = session.scalars(select(PortalSession).where(PortalSession.user_id == staff.id)).one()
    assert row.key_sha256 == hashlib.sha256(cookie.encode()).hexdigest() and row.ended_at is None


def test_log_in_starts_a_session_under_a_new_id(client: TestClient, staff: User) -> None:
    """A session id planted before the log-in (session fixation) is not the logged-in one."""
    browser = TestClient(client.app)
    browser.get("/login")
    planted = browser.cookies["s3m_portal"]
    log_in(browser, staff.email)
    assert browser.cookies["s3m_portal"] != planted
    assert not opens_the_inbox(replayed(client, planted))


def test_a_password_reset_ends_the_sessions_and_revokes_the_tokens(
    client: TestClient, session: Session, staff: User, admin_browser: TestClient
) -> None:
    staff_browser = TestClient(client.app)
    log_in(staff_browser, staff.email)
    _, plain = create_token(session, "Bea's CRM", "biowin", user_id=staff.id)
    assert client.get("/api/leads", headers=bearer(plain)).status_code == 200
    response = post_form(admin_browser, f"/users/{staff.id}/password", {"password": NEW_PASSWORD}, page="/users")
    assert response.status_code == 303
    assert not opens_the_inbox(staff_browser)
    assert client.get("/api/leads", headers=bearer(plain)).status_code == 401
    assert "API tokens are revoked" in admin_browser.get("/users").text
    assert opens_the_inbox(admin_browser)  # the admin's own session goes on


def test_a_password_reset_on_the_command_line_revokes_the_tokens_too(
    database_url: str, client: TestClient, session: Session, staff: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("S3M_DATABASE_URL", database_url)
    staff_browser = TestClient(client.app)
    log_in(staff_browser, staff.email)
    _, plain = create_token(session, "Bea's CRM", "biowin", user_id=staff.id)
    monkeypatch.setattr("sys.stdin", io.StringIO(NEW_PASSWORD + "\n"))
    assert users.main(["reset-password", "--email", staff.email, "--password-stdin"]) == 0
    assert client.get("/api/leads", headers=bearer(plain)).status_code == 401
    assert not opens_the_inbox(staff_browser)


def test_an_admin_revokes_another_users_tokens(
    client: TestClient, session: Session, staff: User, admin: User, admin_browser: TestClient
) -> None:
    _, first = create_token(session, "CRM", "biowin", user_id=staff.id)
    _, second = create_token(session, "script", "biowin", user_id=staff.id)
    _, admins_own = create_token(session, "mine", None, user_id=admin.id)
    assert "Active: 2" in admin_browser.get("/users").text
    response = post_form(admin_browser, f"/users/{staff.id}/tokens/revoke", page="/users")
    assert response.status_code == 303
    page = admin_browser.get("/users").text
    assert "The account&#39;s API tokens were revoked." in page and "Active: 2" not in page
    for plain in (first, second):
        assert client.get("/api/leads", headers=bearer(plain)).status_code == 401
    assert client.get("/api/leads", headers=bearer(admins_own)).status_code == 200


def test_staff_cannot_revoke_another_users_tokens(
    client: TestClient, session: Session, staff_browser: TestClient, admin: User
) -> None:
    _, plain = create_token(session, "mine", None, user_id=admin.id)
    assert post_form(staff_browser, f"/users/{admin.id}/tokens/revoke").status_code == 403
    assert client.get("/api/leads", headers=bearer(plain)).status_code == 200


def test_the_command_line_revokes_a_users_tokens(
    database_url: str, client: TestClient, session: Session, staff: User, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("S3M_DATABASE_URL", database_url)
    _, plain = create_token(session, "CRM", "biowin", user_id=staff.id)
    assert tokens.main(["revoke", "--user", "BEA@biowin.example"]) == 0
    assert "Revoked 1 token(s) of bea@biowin.example." in capsys.readouterr().out
    assert client.get("/api/leads", headers=bearer(plain)).status_code == 401
    assert tokens.main(["revoke", "--user", "nobody@example.com"]) == 1
