"""Hostile and broken input on the portal pages and the lead API: never a 500, never internals.

What an SME typed (stored by the assistant) and what staff type on the pages must come back
inert: escaped in the HTML, no live `<script>`. Broken input (bad dates, huge ids, unknown
codes, wrong content types, NUL characters, forged tokens) gets a clear 4xx, or the normal
page with a message, never a server error. The clients here answer like uvicorn does in
production (`raise_server_exceptions=False`), so a crash shows up as the 500 a user would see.
"""

from __future__ import annotations

import re
from typing import Iterator

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.leads.models import Lead, LeadStatusChange
from bot.portal.models import ApiToken, User
from bot.portal.tokens import create_token, revoke_token
from tests.portal.conftest import (
    ADMIN_TOKEN,
    PASSWORD,
    add_events,
    add_lead,
    bearer,
    csrf_token,
    log_in,
    post_form,
)

SCRIPT = '<script>alert("s3m")</script>'
ATTRIBUTE_BREAK = '"><img src=x onerror=alert(1)>'
ESCAPED_SCRIPT = "&lt;script&gt;alert(&#34;s3m&#34;)&lt;/script&gt;"

AWKWARD_TEXTS = {
    "empty": "",
    "whitespace": " \t \u00a0\u2003 ",
    "long": "Ä" * 20_000,
    "control": "a\x01b\x07c\x1b[31md\x7fe\u200b",
    "emoji": "🦷🩺💉🧬",
    "right_to_left": "\u202eشركة الأجهزة הרפואית\u202c",
    "sql": "'; DROP TABLE leads; -- \" OR 1=1 /*",
}

INTERNALS = re.compile(r"Traceback|File \"|sqlalchemy|psycopg|sqlite3|Internal Server Error", re.IGNORECASE)


def assert_handled(response: Response, status: int) -> None:
    """The one status this input must get, and nothing of the server's insides in the body."""
    assert response.status_code == status, f"{response.status_code}: {response.text[:500]}"
    assert not INTERNALS.search(response.text), response.text[:500]


def assert_inert(response: Response, *raw: str) -> None:
    """A page that shows hostile text escaped: no live script, no broken-out attribute."""
    assert_handled(response, 200)
    assert response.headers["content-type"].startswith("text/html")
    assert "<script" not in response.text.lower()
    for text in raw:
        assert text not in response.text


def api_error(response: Response, status: int) -> None:
    assert_handled(response, status)
    assert response.headers["content-type"] == "application/json"
    assert response.json()["detail"]


# --- clients that answer like the production server ---


def _browser(client: TestClient, email: str) -> TestClient:
    browser = TestClient(client.app, raise_server_exceptions=False)
    assert log_in(browser, email).status_code == 303
    return browser


@pytest.fixture
def staff_web(client: TestClient, staff: User) -> TestClient:
    return _browser(client, staff.email)


@pytest.fixture
def admin_web(client: TestClient, admin: User) -> TestClient:
    return _browser(client, admin.email)


@pytest.fixture
def anonymous(client: TestClient) -> Iterator[TestClient]:
    yield TestClient(client.app, raise_server_exceptions=False)


# --- what an SME typed, shown to staff ---


def test_what_an_sme_typed_is_shown_escaped(staff_web: TestClient, session: Session) -> None:
    add_events(session.get_bind(), "conv-x", [("user", SCRIPT), ("bot", "Thanks!"), ("user", ATTRIBUTE_BREAK)])
    lead = add_lead(
        session, "biowin", conversation_id="conv-x", company_name=SCRIPT, contact_name=ATTRIBUTE_BREAK,
        email='"><script>@evil.example', sector="<b>x</b>", interests=[SCRIPT], source=ATTRIBUTE_BREAK,
        qualification_reasons=[SCRIPT], routing_reason=ATTRIBUTE_BREAK, event_id="<i>e</i>",
    )
    inbox = staff_web.get("/leads")
    assert_inert(inbox, SCRIPT, ATTRIBUTE_BREAK)
    assert ESCAPED_SCRIPT in inbox.text
    page = staff_web.get(f"/leads/{lead.id}")
    assert_inert(page, SCRIPT, ATTRIBUTE_BREAK, "<b>x</b>", "<i>e</i>")
    assert page.text.count(ESCAPED_SCRIPT) >= 3  # company, reasons, transcript
    assert "script-src" not in page.headers["content-security-policy"]  # no script may run at all
    found = staff_web.get("/leads", params={"q": "<script>"})
    assert_inert(found, SCRIPT)
    assert f'href="/leads/{lead.id}"' in found.text
    export = staff_web.get("/leads.csv")
    assert_handled(export, 200)
    assert export.headers["content-type"].startswith("text/csv")
    api = staff_web.get(f"/api/leads/{lead.id}", headers=bearer(ADMIN_TOKEN))
    assert api.headers["content-type"] == "application/json" and api.json()["company_name"] == SCRIPT


def test_what_staff_type_is_shown_escaped(
    admin_web: TestClient, client: TestClient, session: Session
) -> None:
    lead = add_lead(session, "biowin")
    post_form(admin_web, f"/leads/{lead.id}/status", {"status": "contacted", "note": SCRIPT})
    post_form(admin_web, f"/leads/{lead.id}/reassign", {"cluster": "biopmed", "reason": ATTRIBUTE_BREAK})
    page = admin_web.get(f"/leads/{lead.id}")
    assert_inert(page, SCRIPT, ATTRIBUTE_BREAK)
    assert ESCAPED_SCRIPT in page.text

    assert_inert(post_form(admin_web, "/tokens", {"name": SCRIPT}, page="/tokens"), SCRIPT)
    assert_inert(admin_web.get("/tokens"), SCRIPT)

    created = post_form(admin_web, "/users", {"email": "eve@biopmed.example", "name": SCRIPT, "cluster": "biopmed",
                                              "language": "it", "password": PASSWORD}, page="/users")
    assert created.status_code == 303
    assert_inert(admin_web.get("/users"), SCRIPT)
    eve = _browser(client, "eve@biopmed.example")  # the name is in the header of every page
    for path in ("/leads", f"/leads/{lead.id}", "/dashboard", "/tokens"):
        assert_inert(eve.get(path), SCRIPT)

    assert_inert(admin_web.get("/leads", params={"q": ATTRIBUTE_BREAK}), ATTRIBUTE_BREAK)
    assert_inert(admin_web.get("/audit", params={"action": SCRIPT}), SCRIPT)
    assert_inert(admin_web.get("/dashboard", params={"cluster": SCRIPT}), SCRIPT)
    assert_inert(admin_web.get("/login", params={"next": ATTRIBUTE_BREAK}), ATTRIBUTE_BREAK)


def test_a_failed_log_in_shows_the_typed_email_escaped(anonymous: TestClient) -> None:
    response = anonymous.post("/login", data={"email": ATTRIBUTE_BREAK, "password": "x",
                                              "csrf_token": csrf_token(anonymous), "next": SCRIPT})
    assert response.status_code == 400
    assert "<script" not in response.text.lower() and ATTRIBUTE_BREAK not in response.text


# --- awkward text in every field staff fill ---


@pytest.mark.parametrize("kind", AWKWARD_TEXTS)
def test_awkward_text_in_every_form_is_handled(
    kind: str, admin_web: TestClient, session: Session, admin: User
) -> None:
    text = AWKWARD_TEXTS[kind]
    lead = add_lead(session, "biowin")
    posts = [  # a form's answer: back to the page (with a message when refused); a new token is shown at once
        (f"/leads/{lead.id}/status", {"status": "contacted", "note": text}, "/leads", 303),
        (f"/leads/{lead.id}/reassign", {"cluster": "biopmed", "reason": text}, "/leads", 303),
        ("/tokens", {"name": text}, "/tokens", 200),
        ("/users", {"email": f"{kind}@example.org", "name": text, "cluster": "biowin",
                    "password": PASSWORD}, "/users", 303),
        ("/users", {"email": text, "name": "Someone", "cluster": "biowin", "password": PASSWORD}, "/users", 303),
        ("/language", {"language": text, "next": text}, "/leads", 303),
    ]
    for path, data, page, status in posts:
        assert_handled(post_form(admin_web, path, data, page=page), status)
    for path in ("/leads", f"/leads/{lead.id}", "/tokens", "/users", "/audit", "/dashboard", "/leads.csv"):
        response = admin_web.get(path, follow_redirects=False)  # still logged in: the page itself
        assert_handled(response, 200)
    in_url = text[:5_000]  # servers and browsers cap the length of a URL long before 20,000 characters
    for name in ("q", "status", "language", "interest", "cluster", "from", "to", "qualified", "page"):
        # a filter value the inbox does not know is ignored, as a stale bookmark's would be; a page must be a number
        response = admin_web.get("/leads", params={name: in_url}, follow_redirects=False)
        assert_handled(response, 422 if name == "page" else 200)
    assert_handled(admin_web.get("/leads.csv", params={"q": in_url}, follow_redirects=False), 200)
    # Last: a new password of one's own ends one's other sessions (this test's pages above would be the log-in page).
    assert_handled(post_form(admin_web, f"/users/{admin.id}/password", {"password": text}, page="/users"), 303)

    session.expire_all()
    note = session.scalars(select(LeadStatusChange.note).where(LeadStatusChange.lead_id == lead.id)).first()
    if kind == "long":  # longer than a note may be: refused with a message, nothing stored
        assert note is None
    elif text.strip():
        assert note == text.strip()  # stored as typed, control characters and all


def test_awkward_log_ins_are_refused_politely(anonymous: TestClient, staff: User) -> None:
    for text in AWKWARD_TEXTS.values():
        for data in ({"email": text, "password": text}, {"email": staff.email, "password": text}):
            response = anonymous.post("/login", data={**data, "csrf_token": csrf_token(anonymous)})
            assert_handled(response, 400)


def test_search_and_filters_take_sql_looking_text_literally(staff_web: TestClient, session: Session) -> None:
    lead = add_lead(session, "biowin", company_name="100% Med_Tech \\ 'Quote'")
    add_lead(session, "biowin", company_name="Other")
    for term, hits in (("' OR 1=1 --", 0), ("'; DROP TABLE leads; --", 0), ("%", 1), ("_", 1), ("\\", 1),
                       ("'quote'", 1), ("\" OR \"\"=\"", 0), ("*", 0), ("1) UNION SELECT email FROM users--", 0)):
        response = staff_web.get("/leads", params={"q": term})
        assert_handled(response, 200)
        assert (f'href="/leads/{lead.id}"' in response.text) == bool(hits), term
    for name in ("status", "language", "interest", "cluster", "qualified"):
        response = staff_web.get("/leads", params={name: "new' OR '1'='1"})
        assert_handled(response, 200)  # an unknown value is ignored, as a stale bookmark would be
    assert session.scalar(select(func.count(Lead.id))) == 2


# --- NUL characters (PostgreSQL cannot store or compare them) ---


def test_nul_characters_are_refused_with_a_page_not_a_crash(
    staff_web: TestClient, anonymous: TestClient, session: Session, staff: User
) -> None:
    lead = add_lead(session, "biowin")
    for params in ({"q": "Acme\x00"}, {"status": "\x00"}, {"from": "2025-01-01\x00"}):
        assert_handled(staff_web.get("/leads", params=params), 400)
        assert_handled(staff_web.get("/leads.csv", params=params), 400)
    for path, data, page in ((f"/leads/{lead.id}/status", {"status": "contacted", "note": "a\x00b"}, "/leads"),
                             ("/tokens", {"name": "tool\x00"}, "/tokens")):
        response = post_form(staff_web, path, data, page=page)
        assert_handled(response, 400)
        assert "<h1>" in response.text  # the portal's error page
    response = anonymous.post("/login", data={"email": "bea\x00@biowin.example", "password": PASSWORD,
                                              "csrf_token": csrf_token(anonymous)})
    assert_handled(response, 400)
    session.expire_all()
    assert session.get(Lead, lead.id).status == "new"
    assert session.scalar(select(func.count(ApiToken.id))) == 0
    api_error(staff_web.get("/api/leads", params={"status": "new\x00"}, headers=bearer(ADMIN_TOKEN)), 422)


# --- malformed query parameters ---


@pytest.mark.parametrize(("query", "page_status"), [
    ("page=abc", 422),  # not a number: FastAPI's validation error (the CSV export has no pages: 200)
    # Everything else shows the inbox: a page beyond the ends is the first or last one, a filter
    # value that is no date, status, language, interest or cluster is ignored (a stale bookmark).
    *[(query, 200) for query in (
        "page=-5", "page=0", "page=99999999999999999999999", "from=2025-13-45", "to=31.12.2025",
        "from=0001-01-01", "to=9999-12-31", "from=9999-12-31&to=0001-01-01", "qualified=maybe", "status=archived",
        "language=xx", "interest=%3Cscript%3E", "cluster=..%2F..%2Fetc", "q=" + "x" * 20_000,
        "status=new&status=closed", "q=%ZZ", "q=%C0%AF")],
])
def test_malformed_inbox_queries(query: str, page_status: int, admin_web: TestClient, session: Session) -> None:
    add_lead(session, "biowin")
    page = admin_web.get(f"/leads?{query}", follow_redirects=False)
    assert_handled(page, page_status)
    export = admin_web.get(f"/leads.csv?{query}", follow_redirects=False)
    assert_handled(export, 200)
    assert export.headers["content-type"].startswith("text/csv")
    if page_status == 200:
        assert page.headers["content-type"].startswith("text/html") and 'href="/leads.csv' in page.text  # the inbox


@pytest.mark.parametrize(("path", "status"), [
    # A lead id is a positive 32-bit integer: anything else is refused before the database is asked.
    *[(path, 422) for path in ("/leads/0", "/leads/-1", "/leads/abc", "/leads/2147483648",
                               "/leads/99999999999999999999999", "/leads/1.5", "/leads/%00")],
    # A page beyond the ends is the first or last one; an unknown action or cluster filters nothing out.
    *[(path, 200) for path in ("/audit?page=99999999999999999999", "/audit?page=-3",
                               "/audit?page=9223372036854775807", "/audit?action=%27%20OR%201%3D1",
                               "/dashboard?cluster=%27%20OR%201%3D1")],
    ("/users/99999999999999999999/disable", 405),  # a form's address: POST only
])
def test_malformed_ids_and_pages(path: str, status: int, admin_web: TestClient) -> None:
    assert_handled(admin_web.get(path, follow_redirects=False), status)


def test_ids_out_of_range_on_posts(admin_web: TestClient) -> None:
    for path, status in (("/leads/99999999999999999999/status", 422), ("/leads/0/reassign", 422),
                         ("/tokens/-1/revoke", 422), ("/users/2147483648/password", 422),
                         ("/leads/2147483647/retry", 404), ("/tokens/2147483647/revoke", 404)):  # valid ids, no rows
        assert_handled(post_form(admin_web, path, {"status": "closed"}), status)


@pytest.mark.parametrize("query", [
    "since=yesterday", "since=2025-02-30", "since=0001-01-01T00:00:00%2B14:00", "since=9999-12-31T23:59:59-14:00",
    "since=", "limit=0", "limit=-1", "limit=1000001", "limit=abc", "offset=-1", "offset=99999999999999999999",
    "offset=9223372036854775807", "qualified=maybe", "status=archived", "status=new%27%20OR%20%271%27%3D%271",
    "language=xx", "interest=%3Cscript%3E", "cluster=atlantis",
])
def test_malformed_api_queries_are_422(query: str, anonymous: TestClient, session: Session) -> None:
    add_lead(session, "biowin")
    api_error(anonymous.get(f"/api/leads?{query}", headers=bearer(ADMIN_TOKEN)), 422)


def test_good_edge_values_of_the_api_still_work(anonymous: TestClient, session: Session) -> None:
    add_lead(session, "biowin")
    for query in ("since=0001-01-01", "since=9999-12-31", "offset=2147483647", "limit=1000", "status=erased",
                  "since=2025-01-01T00:00:00Z"):
        response = anonymous.get(f"/api/leads?{query}", headers=bearer(ADMIN_TOKEN))
        assert_handled(response, 200)


@pytest.mark.parametrize("path", ["/api/leads/0", "/api/leads/-1", "/api/leads/abc", "/api/leads/2147483648",
                                  "/api/leads/99999999999999999999999", "/api/leads/1e3"])
def test_malformed_api_ids_are_422(path: str, anonymous: TestClient) -> None:
    api_error(anonymous.get(path, headers=bearer(ADMIN_TOKEN)), 422)


def test_the_largest_id_is_just_not_found(anonymous: TestClient) -> None:
    api_error(anonymous.get("/api/leads/2147483647", headers=bearer(ADMIN_TOKEN)), 404)


# --- wrong content types and malformed bodies ---


def test_wrong_content_types_and_broken_bodies_on_posts(staff_web: TestClient, session: Session) -> None:
    lead = add_lead(session, "biowin")
    token = csrf_token(staff_web, "/leads")
    path = f"/leads/{lead.id}/status"
    bodies = [  # no form with a valid CSRF token in it: 403, except a body that cannot be read at all: 400
        ({"Content-Type": "application/json"}, f'{{"csrf_token": "{token}", "status": "closed"}}', 403),
        ({"Content-Type": "application/json"}, "{not json", 403),
        ({"Content-Type": "text/plain"}, f"csrf_token={token}&status=closed", 403),
        ({"Content-Type": "multipart/form-data"}, "no boundary", 400),
        ({"Content-Type": "multipart/form-data; boundary=xyz"}, "--xyz\r\nbroken", 403),
        ({"Content-Type": "application/x-www-form-urlencoded"}, b"csrf_token=%ZZ&status=\xff\xfe", 403),
        ({"Content-Type": "application/x-www-form-urlencoded"}, "&&&===", 403),
        ({"Content-Type": "application/xml"},
         "<?xml version='1.0'?><!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><x>&e;</x>", 403),
        ({}, "", 403),
    ]
    for headers, body, status in bodies:
        response = staff_web.post(path, content=body, headers=headers, follow_redirects=False)
        assert_handled(response, status)
        assert "passwd" not in response.text
    as_file = staff_web.post(path, data={"status": "closed"}, files={"csrf_token": ("t.txt", token.encode())},
                             follow_redirects=False)
    assert_handled(as_file, 403)
    note_as_file = staff_web.post(path, data={"status": "closed", "csrf_token": token},
                                  files={"note": ("n.txt", b"a note")}, follow_redirects=False)
    assert_handled(note_as_file, 422)  # a file where a note's text belongs
    session.expire_all()
    assert session.get(Lead, lead.id).status == "new"  # none of these changed the lead


def test_the_api_takes_no_posts(anonymous: TestClient) -> None:
    response = anonymous.post("/api/leads", json={"company_name": SCRIPT}, headers=bearer(ADMIN_TOKEN))
    assert_handled(response, 405)


# --- CSRF ---


def test_every_form_refuses_a_missing_or_forged_csrf_token(
    staff_web: TestClient, admin_web: TestClient, session: Session, staff: User, admin: User
) -> None:
    lead = add_lead(session, "biowin")
    row, _ = create_token(session, "tool", "biowin", user_id=staff.id)
    other_session_token = csrf_token(admin_web, "/leads")
    forms = [
        ("/login", {"email": staff.email, "password": PASSWORD}),
        ("/logout", {}),
        ("/language", {"language": "pl"}),
        (f"/leads/{lead.id}/status", {"status": "closed"}),
        (f"/leads/{lead.id}/reassign", {"cluster": "biopmed", "reason": "wrong cluster"}),
        (f"/leads/{lead.id}/retry", {}),
        ("/tokens", {"name": "stolen"}),
        (f"/tokens/{row.id}/revoke", {}),
    ]
    for path, data in forms:
        for presented in (None, "", "forged", other_session_token, other_session_token + "x", "\u00e9" * 43):
            form = data if presented is None else {**data, "csrf_token": presented}
            response = staff_web.post(path, data=form, follow_redirects=False)
            assert_handled(response, 403)
            assert "The form has expired" in response.text
    admin_forms = [("/users", {"email": "x@example.org", "name": "X", "cluster": "biowin", "password": PASSWORD}),
                   (f"/users/{staff.id}/password", {"password": "a brand new password"}),
                   (f"/users/{staff.id}/disable", {})]
    for path, data in admin_forms:
        response = admin_web.post(path, data={**data, "csrf_token": "forged"}, follow_redirects=False)
        assert_handled(response, 403)
    session.expire_all()
    assert session.get(Lead, lead.id).status == "new"
    assert session.get(ApiToken, row.id).revoked_at is None
    assert not session.get(User, staff.id).disabled
    assert staff_web.get("/leads", follow_redirects=False).status_code == 200  # still logged in


def test_a_forged_session_cookie_is_no_session(anonymous: TestClient) -> None:
    for cookie in ("forged", "eyJ1c2VyX2lkIjogMX0=.forged.sig", "%00", "a" * 4000):
        anonymous.cookies.set("s3m_portal", cookie)
        response = anonymous.get("/leads", follow_redirects=False)
        assert_handled(response, 303)
        assert response.headers["location"].startswith("/login")
        anonymous.cookies.clear()


# --- the lead API's tokens and Authorization headers ---


def test_unknown_forged_and_revoked_tokens_are_401(
    anonymous: TestClient, session: Session, staff: User
) -> None:
    revoked, revoked_plain = create_token(session, "old tool", "biowin")
    revoke_token(session, revoked.id)
    _, disabled_plain = create_token(session, "bea's tool", "biowin", user_id=staff.id)
    staff.disabled = True
    session.commit()
    _, good = create_token(session, "good tool", "biowin")
    forged = [
        "unknown", revoked_plain, disabled_plain, good[:-1], good + "x", good.upper(), f" {good}x",
        ADMIN_TOKEN + "x", ADMIN_TOKEN[:-1], "x" * 20_000, "' OR 1=1 --", SCRIPT, "null", "undefined",
        "%00", "🦷", "\u202e" + good,
    ]
    for token in forged:
        response = anonymous.get("/api/leads", headers={"Authorization": f"Bearer {token}".encode()})
        api_error(response, 401)
        assert response.headers["WWW-Authenticate"] == "Bearer"
        assert token not in response.text or len(token) < 5
    assert anonymous.get("/api/leads", headers=bearer(good)).status_code == 200


@pytest.mark.parametrize("header", [
    "", "Bearer", "Bearer ", "Bearer    ", "Basic YWRtaW46cGFzcw==", "Token abc", "bearer", ADMIN_TOKEN,
    "Bearer\t", "Digest username=admin", "Bearer a b c", "\u00e9\u00e9\u00e9", "Bearer " + "\x01" * 10,
])
def test_malformed_authorization_headers_are_401(header: str, anonymous: TestClient) -> None:
    response = anonymous.get("/api/leads", headers={"Authorization": header.encode("latin-1")})
    api_error(response, 401)
    assert anonymous.get("/api/leads/1", headers={"Authorization": header.encode("latin-1")}).status_code == 401


def test_the_bearer_scheme_is_case_insensitive_and_the_admin_token_works_once_only(anonymous: TestClient) -> None:
    assert anonymous.get("/api/leads", headers={"Authorization": f"bearer {ADMIN_TOKEN}"}).status_code == 200
    doubled = anonymous.get("/api/leads", headers={"Authorization": f"Bearer {ADMIN_TOKEN} {ADMIN_TOKEN}"})
    api_error(doubled, 401)
