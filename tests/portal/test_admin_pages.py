"""Admin pages (users, audit log) and the dashboard."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.portal.accounts import find_user
from bot.portal.models import AuditEntry, User
from tests.portal.conftest import add_lead, log_in, post_form


def test_staff_may_not_open_admin_pages(staff_browser: TestClient) -> None:
    for path in ("/users", "/audit"):
        response = staff_browser.get(path)
        assert response.status_code == 403 and "Only admins" in response.text
    assert post_form(staff_browser, "/users", {"email": "x@y.example"}).status_code == 403
    assert 'href="/users"' not in staff_browser.get("/leads").text


def test_admin_creates_a_staff_account_that_can_log_in(
    admin_browser: TestClient, client: TestClient, session: Session, admin: User
) -> None:
    form = {"email": "Piotr@Medsilesia.example", "name": "Piotr", "cluster": "medsilesia", "language": "pl",
            "password": "a long enough password"}
    assert post_form(admin_browser, "/users", form, page="/users").status_code == 303
    assert "The account was created." in admin_browser.get("/users").text
    user = find_user(session, "piotr@medsilesia.example")
    assert (user.role, user.cluster, user.language) == ("staff", "medsilesia", "pl")
    browser = TestClient(client.app)
    assert log_in(browser, "piotr@medsilesia.example", "a long enough password").status_code == 303
    assert 'lang="pl"' in browser.get("/leads").text

    post_form(admin_browser, "/users", form, page="/users")  # the same e-mail again
    assert "exists already" in admin_browser.get("/users").text
    post_form(admin_browser, "/users", {**form, "email": "short@medsilesia.example", "password": "short"},
              page="/users")
    assert "too short" in admin_browser.get("/users").text
    assert find_user(session, "short@medsilesia.example") is None


def test_admin_resets_a_password_and_disables_an_account(
    admin_browser: TestClient, staff_browser: TestClient, client: TestClient, session: Session, staff: User,
    admin: User,
) -> None:
    staff.locked_until = datetime.now(UTC) + timedelta(minutes=10)
    session.commit()
    post_form(admin_browser, f"/users/{staff.id}/password", {"password": "brand new password"}, page="/users")
    assert staff_browser.get("/leads", follow_redirects=False).status_code == 303  # its session ended
    assert log_in(staff_browser, staff.email, "brand new password").status_code == 303  # and unlocked

    post_form(admin_browser, f"/users/{staff.id}/disable", page="/users")
    assert staff_browser.get("/leads", follow_redirects=False).status_code == 303
    assert log_in(TestClient(client.app), staff.email, "brand new password").status_code == 400
    post_form(admin_browser, f"/users/{staff.id}/enable", page="/users")
    assert log_in(TestClient(client.app), staff.email, "brand new password").status_code == 303

    post_form(admin_browser, f"/users/{admin.id}/disable", page="/users")
    assert "cannot disable your own account" in admin_browser.get("/users").text
    session.expire_all()
    changes = session.scalars(select(AuditEntry).where(AuditEntry.action == "changed")).all()
    assert [(row.user_id, row.details) for row in changes] == [
        (admin.id, {"field": "password", "account": staff.id}),
        (admin.id, {"field": "disabled", "account": staff.id, "new": True}),
        (admin.id, {"field": "disabled", "account": staff.id, "new": False}),
    ]


def test_the_audit_page_lists_who_did_what(
    admin_browser: TestClient, staff_browser: TestClient, session: Session
) -> None:
    lead = add_lead(session, "biowin")
    staff_browser.get(f"/leads/{lead.id}")
    page = admin_browser.get("/audit?action=viewed").text
    assert "bea@biowin.example" in page and f'href="/leads/{lead.id}"' in page and "allowed=True" in page
    assert "1 entries" in page
    assert "Logged in" in admin_browser.get("/audit").text


def numbers_table(page: str, heading: str) -> dict[str, int]:
    section = page.split(f"<h2>{heading}</h2>")[1].split("</table>")[0]
    return {key: int(count) for key, count in re.findall(r"<td>([^<]+)</td><td class=\"count\">(\d+)</td>", section)}


def test_the_dashboard_counts_a_clusters_leads(
    staff_browser: TestClient, admin_browser: TestClient, session: Session
) -> None:
    week_9 = datetime(2025, 2, 26, 10, tzinfo=UTC)  # ISO week 2025-W09
    add_lead(session, "biowin", created_at=week_9, language="fr", interests=["events", "financing"],
             status="converted")
    add_lead(session, "biopmed", copies=["biowin"], created_at=week_9 + timedelta(days=7), language="fr")
    add_lead(session, "biowin", created_at=week_9 + timedelta(days=8), language="de", qualified=False)
    add_lead(session, "medsilesia", created_at=week_9, language="pl")  # not biowin's

    page = staff_browser.get("/dashboard?cluster=medsilesia").text  # staff cannot pick another cluster
    assert "Dashboard: BioWin" in page
    assert numbers_table(page, "Leads per week") == {"2025-W09": 1, "2025-W10": 2}
    assert numbers_table(page, "Leads per language") == {"French": 2, "German": 1}
    assert numbers_table(page, "Leads per interest") == {"Partnering": 2, "Events": 1, "Financing": 1}
    assert re.search(r"Conversion rate</th>\s*<td class=\"count\">33 %", page)

    everything = admin_browser.get("/dashboard").text
    assert "Dashboard: All clusters" in everything
    assert sum(numbers_table(everything, "Leads per week").values()) == 4
    assert numbers_table(admin_browser.get("/dashboard?cluster=medsilesia").text, "Leads per language") == {
        "Polish": 1}
