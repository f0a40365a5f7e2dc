"""Logging in to the portal pages: sessions, lock-out, CSRF, and what the audit log keeps."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.orm import utcnow
from bot.portal.accounts import AccountError, create_user, set_password
from bot.portal.app import create_app
from bot.portal.models import AuditEntry, User
from tests.portal.conftest import PASSWORD, add_user, csrf_token, log_in, post_form

GENERIC_FAILURE = "The e-mail or password is wrong, or the account is locked for a while."


def audit_rows(session: Session, action: str) -> list[AuditEntry]:
    session.expire_all()
    return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def test_pages_need_a_log_in(client: TestClient) -> None:
    for path in ("/leads", "/leads/1", "/leads.csv", "/dashboard", "/tokens", "/users", "/audit"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/login?next="), path


def test_log_in_opens_the_inbox_with_a_hardened_session_cookie(
    client: TestClient, session: Session, staff: User
) -> None:
    response = log_in(client, "  BEA@biowin.example ")  # e-mails are matched without case or spaces
    assert response.status_code == 303 and response.headers["location"] == "/leads"
    cookie = response.headers["set-cookie"].lower()
    assert cookie.startswith("s3m_portal=") and "httponly" in cookie and "samesite=lax" in cookie
    assert "secure" not in cookie  # S3M_SESSION_COOKIE_SECURE is off by default (local http)
    inbox = client.get("/leads")
    assert inbox.status_code == 200 and "Bea" in inbox.text
    assert [row.user_id for row in audit_rows(session, "logged_in")] == [staff.id]


def test_secure_cookie_when_configured(settings: Settings, staff: User) -> None:
    with TestClient(create_app(settings.copy(update={"session_cookie_secure": True})), base_url="https://portal") as browser:
        assert "secure" in log_in(browser, staff.email).headers["set-cookie"].lower()


def test_a_wrong_password_and_an_unknown_email_get_the_same_answer(
    client: TestClient, session: Session, staff: User
) -> None:
    wrong = log_in(client, staff.email, "not the password")
    unknown = log_in(client, "nobody@example.com", PASSWORD)
    for response in (wrong, unknown):
        assert response.status_code == 400
        assert GENERIC_FAILURE in response.text
    assert client.get("/leads", follow_redirects=False).status_code == 303
    rows = audit_rows(session, "failed_login")
    assert [(row.user_id, row.details) for row in rows] == [
        (staff.id, {"reason": "wrong_password"}), (None, {"reason": "unknown_user"}),
    ]
    assert "nobody" not in str([row.details for row in rows])  # no personal data in the log


def test_five_failures_lock_the_account_for_fifteen_minutes(
    client: TestClient, session: Session, staff: User
) -> None:
    for _ in range(5):
        assert log_in(client, staff.email, "guess").status_code == 400
    session.refresh(staff)
    locked_for = staff.locked_until.replace(tzinfo=None) - utcnow().replace(tzinfo=None)
    assert timedelta(minutes=14) < locked_for <= timedelta(minutes=15)

    refused = log_in(client, staff.email, PASSWORD)  # even the right password, while locked
    assert refused.status_code == 400 and GENERIC_FAILURE in refused.text
    assert audit_rows(session, "failed_login")[-1].details == {"reason": "locked"}

    staff.locked_until = utcnow() - timedelta(seconds=1)  # the lock has run out
    session.commit()
    assert log_in(client, staff.email, PASSWORD).status_code == 303


def test_lock_out_limits_are_settings(settings: Settings, session: Session, staff: User) -> None:
    with TestClient(create_app(settings.copy(update={"login_max_failures": 2, "login_lockout_minutes": 1}))) as browser:
        log_in(browser, staff.email, "guess")
        log_in(browser, staff.email, "guess")
        assert log_in(browser, staff.email, PASSWORD).status_code == 400
    session.refresh(staff)
    assert staff.locked_until is not None


def test_a_success_resets_the_failure_count(client: TestClient, session: Session, staff: User) -> None:
    for _ in range(4):
        log_in(client, staff.email, "guess")
    assert log_in(client, staff.email).status_code == 303
    session.refresh(staff)
    assert staff.failed_logins == 0 and staff.locked_until is None


def test_posts_without_the_sessions_csrf_token_are_refused(client: TestClient, staff: User) -> None:
    no_session = client.post("/login", data={"email": staff.email, "password": PASSWORD}, follow_redirects=False)
    assert no_session.status_code == 403
    csrf_token(client)  # now the session has a token, but the form below does not carry it
    forged = client.post("/login", data={"email": staff.email, "password": PASSWORD, "csrf_token": "forged"})
    assert forged.status_code == 403 and "The form has expired" in forged.text
    assert log_in(client, staff.email).status_code == 303
    lead_form = client.post("/leads/1/status", data={"status": "contacted"}, follow_redirects=False)
    assert lead_form.status_code == 403


def test_log_out_ends_the_session(staff_browser: TestClient) -> None:
    assert post_form(staff_browser, "/logout").headers["location"] == "/login"
    assert staff_browser.get("/leads", follow_redirects=False).status_code == 303


def test_next_only_leads_back_into_the_portal(client: TestClient, staff: User) -> None:
    token = csrf_token(client)
    for target, expected in (("/dashboard", "/dashboard"), ("https://evil.example/", "/leads"),
                             ("//evil.example", "/leads")):
        response = client.post("/login", data={"email": staff.email, "password": PASSWORD, "csrf_token": token,
                                               "next": target}, follow_redirects=False)
        assert response.headers["location"] == expected
        token = csrf_token(client, "/leads")


def test_disabling_or_a_new_password_ends_open_sessions(
    staff_browser: TestClient, session: Session, staff: User
) -> None:
    set_password(staff, "another long password")
    session.commit()
    assert staff_browser.get("/leads", follow_redirects=False).status_code == 303
    assert log_in(staff_browser, staff.email, "another long password").status_code == 303
    staff.disabled = True
    session.commit()
    assert staff_browser.get("/leads", follow_redirects=False).status_code == 303
    assert log_in(staff_browser, staff.email, "another long password").status_code == 400


def test_the_language_switch_is_kept_in_the_account(
    staff_browser: TestClient, session: Session, staff: User
) -> None:
    response = post_form(staff_browser, "/language", {"language": "pl", "next": "/dashboard"})
    assert response.headers["location"] == "/dashboard"
    session.refresh(staff)
    assert staff.language == "pl"
    assert 'lang="pl"' in staff_browser.get("/leads").text


def test_the_log_in_page_follows_the_browser_language(client: TestClient) -> None:
    page = client.get("/login", headers={"Accept-Language": "fr-BE,fr;q=0.9,en;q=0.5"})
    assert "Se connecter" in page.text and 'lang="fr"' in page.text


def test_an_admin_account_needs_no_cluster_and_staff_one(session: Session) -> None:
    admin = add_user(session, "root@example.org", None)
    assert admin.role == "admin" and admin.cluster is None
    with pytest.raises(AccountError, match="unknown cluster"):
        add_user(session, "x@example.org", "atlantis")
    with pytest.raises(AccountError, match="at least 12"):
        create_user(session, email="y@example.org", name="Y", password="short", cluster="biowin")


@pytest.mark.parametrize("case", ["unknown account", "wrong password", "password over 72 bytes", "locked account"])
def test_every_failed_log_in_costs_one_bcrypt_check(
    case: str, settings: Settings, session: Session, staff: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure that skipped bcrypt answered in about 1 ms instead of a quarter second, which
    told an attacker that the account exists (or is locked)."""
    import bcrypt

    from bot.portal import accounts

    checks: list[bytes] = []
    real_check = bcrypt.checkpw
    monkeypatch.setattr(accounts.bcrypt, "checkpw", lambda pw, hashed: checks.append(pw) or real_check(pw, hashed))
    if case == "locked account":
        staff.locked_until = utcnow() + timedelta(minutes=5)
    email = "nobody@biowin.example" if case == "unknown account" else staff.email
    password = "x" * 100 if case == "password over 72 bytes" else "not the password"
    outcome = accounts.check_login(session, email, password, settings)
    assert not outcome.succeeded and len(checks) == 1


def test_one_address_cannot_spray_passwords_across_accounts(
    settings: Settings, session: Session, staff: User, admin: User
) -> None:
    """Lock-out counts per account; an attacker trying a few passwords on every account, or locking
    out every admin, is held back per address. The accounts it tried are not locked by it."""
    limit = 4 * settings.login_max_failures
    app = create_app(settings)
    with TestClient(app) as attacker, TestClient(app, client=("192.0.2.7", 50000)) as colleague:
        for number in range(limit):
            assert log_in(attacker, f"someone{number}@biowin.example", "guess").status_code == 400
        refused = log_in(attacker, staff.email, PASSWORD)
        assert refused.status_code == 429 and GENERIC_FAILURE in refused.text
        assert audit_rows(session, "failed_login")[-1].details == {"reason": "too_many_attempts"}
        assert log_in(colleague, admin.email).status_code == 303  # another address is not held back
    session.refresh(staff)
    assert staff.failed_logins == 0 and staff.locked_until is None
