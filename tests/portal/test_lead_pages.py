"""The lead pages: who sees what, the workflow, re-assignment, export, transcript and escaping."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.leads.models import Lead, LeadRecipient, LeadStatusChange, OutboxMessage, RoutingDecision
from bot.leads.serialize import LEAD_FIELDS
from bot.portal.models import AuditEntry, User
from tests.portal.conftest import add_events, add_lead, add_user, bearer, log_in, post_form

LEAD_LINK = re.compile(r'href="/leads/(\d+)"')


def listed_ids(browser: TestClient, query: str = "") -> list[int]:
    response = browser.get(f"/leads?{query}")
    assert response.status_code == 200, response.text
    return list(dict.fromkeys(int(found) for found in LEAD_LINK.findall(response.text)))


def audit_actions(session: Session) -> list[tuple[str, int | None, dict]]:
    session.expire_all()
    rows = session.scalars(select(AuditEntry).where(AuditEntry.action != "logged_in").order_by(AuditEntry.id))
    return [(row.action, row.lead_id, row.details) for row in rows]


def read_csv(response) -> tuple[list[str], list[dict[str, str]]]:
    assert response.content.startswith("\ufeff".encode()), "no UTF-8 byte-order mark"
    body = response.content.decode("utf-8-sig")
    delimiter = ";" if body.splitlines()[0].count(";") else ","
    rows = list(csv.reader(io.StringIO(body), delimiter=delimiter))
    return rows[0], [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


# --- who sees what ---


def test_staff_see_their_clusters_leads_only(staff_browser: TestClient, session: Session) -> None:
    owned = add_lead(session, "biowin")
    copied = add_lead(session, "lyonbiopole", copies=["biowin"])
    foreign = add_lead(session, "medsilesia", company_name="Secret Sp. z o.o.")
    page = staff_browser.get("/leads").text
    assert sorted(listed_ids(staff_browser)) == [owned.id, copied.id]
    assert "Secret" not in page
    assert ">copy<" in page  # the copied lead is marked as such
    _, rows = read_csv(staff_browser.get("/leads.csv"))
    assert sorted(int(row["id"]) for row in rows) == [owned.id, copied.id]
    assert foreign.id not in listed_ids(staff_browser, "cluster=medsilesia")


def test_another_clusters_lead_by_url_is_a_403_page_and_audited(
    staff_browser: TestClient, session: Session, staff: User
) -> None:
    foreign = add_lead(session, "medsilesia", company_name="Secret Sp. z o.o.")
    response = staff_browser.get(f"/leads/{foreign.id}")
    assert response.status_code == 403
    assert "belongs to another cluster" in response.text and "Secret" not in response.text
    for action in ("status", "reassign", "retry"):
        assert post_form(staff_browser, f"/leads/{foreign.id}/{action}", {"status": "closed"}).status_code == 403
    session.expire_all()
    assert session.get(Lead, foreign.id).status == "new"
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "viewed")).first()
    assert (entry.user_id, entry.lead_id, entry.details) == (staff.id, foreign.id, {"allowed": False})
    assert staff_browser.get("/leads/999999").status_code == 404


def test_admins_see_every_lead(admin_browser: TestClient, session: Session) -> None:
    leads = [add_lead(session, code) for code in ("biowin", "medsilesia", "biopmed")]
    assert sorted(listed_ids(admin_browser)) == [lead.id for lead in leads]
    assert listed_ids(admin_browser, "cluster=biopmed") == [leads[2].id]
    assert all(admin_browser.get(f"/leads/{lead.id}").status_code == 200 for lead in leads)


def test_tokens_made_on_the_tokens_page_carry_the_staff_cluster(
    staff_browser: TestClient, client: TestClient, session: Session
) -> None:
    owned, foreign = add_lead(session, "biowin"), add_lead(session, "biopmed")
    page = post_form(staff_browser, "/tokens", {"name": "my CRM"}, page="/tokens")
    token = re.search(r'<code class="token">([^<]+)</code>', page.text).group(1)
    assert [lead["id"] for lead in client.get("/api/leads", headers=bearer(token)).json()] == [owned.id]
    assert client.get(f"/api/leads/{foreign.id}", headers=bearer(token)).status_code == 403
    assert token not in staff_browser.get("/tokens").text  # shown once only

    token_id = re.search(r'action="/tokens/(\d+)/revoke"', staff_browser.get("/tokens").text).group(1)
    assert post_form(staff_browser, f"/tokens/{token_id}/revoke", page="/tokens").status_code == 303
    assert client.get("/api/leads", headers=bearer(token)).status_code == 401


def test_someone_elses_token_cannot_be_revoked(
    staff_browser: TestClient, admin_browser: TestClient
) -> None:
    post_form(admin_browser, "/tokens", {"name": "admin tool"}, page="/tokens")
    token_id = re.search(r'action="/tokens/(\d+)/revoke"', admin_browser.get("/tokens").text).group(1)
    assert post_form(staff_browser, f"/tokens/{token_id}/revoke", page="/tokens").status_code == 404


def test_a_disabled_users_tokens_stop_working(
    staff_browser: TestClient, client: TestClient, session: Session, staff: User
) -> None:
    page = post_form(staff_browser, "/tokens", {"name": "script"}, page="/tokens")
    token = re.search(r'<code class="token">([^<]+)</code>', page.text).group(1)
    assert client.get("/api/leads", headers=bearer(token)).status_code == 200
    staff.disabled = True
    session.commit()
    assert client.get("/api/leads", headers=bearer(token)).status_code == 401


# --- the inbox ---


def test_filters_and_case_insensitive_search(staff_browser: TestClient, session: Session) -> None:
    march = datetime(2025, 3, 10, 12, tzinfo=UTC)
    a = add_lead(session, "biowin", company_name="Łódź MedTech", language="pl", interests=["events"],
                 created_at=march)
    b = add_lead(session, "biowin", company_name="Zürich Diagnostics", contact_name="Émile Dupont",
                 qualified=False, status="contacted", created_at=march - timedelta(days=20))
    c = add_lead(session, "biowin", email="info@100%_pure.example", created_at=march + timedelta(days=3))
    assert listed_ids(staff_browser, "q=ŁÓDŹ") == [a.id]
    assert listed_ids(staff_browser, "q=zürich") == [b.id]
    assert listed_ids(staff_browser, "q=émile") == [b.id]
    assert listed_ids(staff_browser, "q=100%25_") == [c.id]  # % and _ are literal
    assert listed_ids(staff_browser, "q=%25") == [c.id]
    assert listed_ids(staff_browser, "status=contacted") == [b.id]
    assert listed_ids(staff_browser, "qualified=no") == [b.id]
    assert listed_ids(staff_browser, "language=pl&interest=events") == [a.id]
    assert listed_ids(staff_browser, "from=2025-03-10&to=2025-03-10") == [a.id]  # "to" includes its day
    assert listed_ids(staff_browser, "from=2025-03-11") == [c.id]
    assert sorted(listed_ids(staff_browser, "status=bogus&from=yesterday")) == [a.id, b.id, c.id]


def test_pages_of_the_inbox(staff_browser: TestClient, session: Session) -> None:
    moment = datetime(2025, 4, 1, tzinfo=UTC)
    created = [add_lead(session, "biowin", created_at=moment + timedelta(minutes=i)).id for i in range(30)]
    first, second = listed_ids(staff_browser), listed_ids(staff_browser, "page=2")
    assert first == created[::-1][:25] and second == created[::-1][25:]
    assert "Page 1 of 2" in staff_browser.get("/leads").text
    assert listed_ids(staff_browser, "page=99") == second  # clamped to the last page


def test_csv_export_of_the_filtered_view(staff_browser: TestClient, session: Session) -> None:
    add_lead(session, "biowin", language="de")
    chosen = add_lead(session, "biowin", company_name="=HYPERLINK(\"http://x\")", contact_name="Zoë Ñandú",
                      language="fr", interests=["events", "financing"], copies=["biopmed"])
    response = staff_browser.get("/leads.csv?language=fr")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"].startswith('attachment; filename="leads-')
    header, rows = read_csv(response)
    assert tuple(header) == LEAD_FIELDS
    assert len(rows) == 1
    row = rows[0]
    assert row["id"] == str(chosen.id) and row["contact_name"] == "Zoë Ñandú"
    assert row["company_name"].startswith("'=")  # a spreadsheet shows it, does not run it
    assert row["interests"] == "events; financing" and row["cc_clusters"] == "biopmed"
    assert row["qualified"] == "true" and row["employees"] == "40"
    assert response.content.decode("utf-8-sig").splitlines()[0].count(",") == len(LEAD_FIELDS) - 1


def test_csv_uses_semicolons_for_excel_outside_english(
    client: TestClient, session: Session
) -> None:
    add_user(session, "dora@biowin.example", "biowin", language="de")
    add_lead(session, "biowin", company_name="Müller; Söhne")
    browser = TestClient(client.app)
    log_in(browser, "dora@biowin.example")
    header, rows = read_csv(browser.get("/leads.csv"))
    assert browser.get("/leads.csv").content.decode("utf-8-sig").startswith("id;created_at;")
    assert rows[0]["company_name"] == "Müller; Söhne"


# --- one lead ---


def test_the_lead_page_shows_the_lead_and_its_history(
    staff_browser: TestClient, session: Session, engine: Engine
) -> None:
    lead = add_lead(session, "biowin", conversation_id="conv-42", language="fr", company_name="Acme Santé",
                    qualification_reasons=["fewer than 250 employees (40)", "sector medical_devices"])
    session.add(RoutingDecision(lead_id=lead.id, cluster="biowin", reason="SME located in BE"))
    session.add(OutboxMessage(lead_id=lead.id, channel="email", recipient="leads@biowin.example",
                              cluster="biowin", body="...", status="failed", attempts=8,
                              last_error="SMTPServerDisconnected: gone"))
    session.commit()
    add_events(engine, "conv-42", [("user", "Bonjour, je voudrais m'inscrire"),
                                   ("bot", "Avec plaisir ! Quel est le nom de votre entreprise ?"),
                                   ("user", "Acme Santé")])
    page = staff_browser.get(f"/leads/{lead.id}").text
    for shown in ("Acme Santé", "ada@example.com", "fewer than 250 employees (40)", "SME located in BE",
                  "Retry failed notifications", 'lang="fr"'):
        assert shown in page, shown
    said = re.findall(r"<p>(.*?)</p>", page.split('class="transcript"')[1])
    assert said == ["Bonjour, je voudrais m&#39;inscrire",
                    "Avec plaisir ! Quel est le nom de votre entreprise ?", "Acme Santé"]


def said_on(page: str) -> list[str]:
    return re.findall(r"<p>(.*?)</p>", page.split('class="transcript"')[1]) if 'class="transcript"' in page else []


def test_a_lead_page_shows_only_the_registration_that_produced_that_lead(
    client: TestClient, staff_browser: TestClient, session: Session, engine: Engine
) -> None:
    """One conversation, two registrations routed to two clusters: each cluster reads its own part."""
    start = datetime(2025, 3, 1, 9, tzinfo=UTC)
    add_events(engine, "conv-2", [("user", "Hello"), ("bot", "Hi! How can I help?"),
                                  ("user", "Register Acme, Belgium"), ("bot", "Thanks, Acme is registered.")],
               start=start)  # messages at +20 s to +80 s
    first = add_lead(session, "biowin", conversation_id="conv-2", created_at=start + timedelta(seconds=70))
    add_events(engine, "conv-2", [("user", "Also register Zenit, Poland"), ("bot", "Thanks, Zenit is registered."),
                                  ("user", "Bye")], start=start + timedelta(seconds=100))  # +120 s to +160 s
    second = add_lead(session, "medsilesia", conversation_id="conv-2", company_name="Zenit",
                      created_at=start + timedelta(seconds=130))
    biowin_page = staff_browser.get(f"/leads/{first.id}").text
    assert said_on(biowin_page) == ["Hello", "Hi! How can I help?", "Register Acme, Belgium",
                                    "Thanks, Acme is registered."]
    add_user(session, "mia@medsilesia.example", "medsilesia")
    medsilesia = TestClient(client.app)
    log_in(medsilesia, "mia@medsilesia.example")
    assert said_on(medsilesia.get(f"/leads/{second.id}").text) == ["Also register Zenit, Poland",
                                                                   "Thanks, Zenit is registered."]


def test_hand_off_errors_are_shown_to_admins_only(
    staff_browser: TestClient, admin_browser: TestClient, session: Session
) -> None:
    """An error may name the webhook's URL (with its secret path) or the mail server."""
    lead = add_lead(session, "biowin")
    session.add(OutboxMessage(lead_id=lead.id, channel="webhook", recipient="https://hooks.example/s3cr3t-path",
                              cluster="biowin", body="...", status="failed", attempts=8,
                              last_error="ConnectError: https://hooks.example/s3cr3t-path refused"))
    session.commit()
    staff_page = staff_browser.get(f"/leads/{lead.id}").text
    assert "Failed" in staff_page or "failed" in staff_page
    assert "s3cr3t-path" not in staff_page and "ConnectError" not in staff_page
    assert "ConnectError: https://hooks.example/s3cr3t-path refused" in admin_browser.get(f"/leads/{lead.id}").text


def test_a_missing_events_table_gives_an_empty_transcript(staff_browser: TestClient, session: Session) -> None:
    lead = add_lead(session, "biowin")
    page = staff_browser.get(f"/leads/{lead.id}")
    assert page.status_code == 200 and "No conversation is stored" in page.text


def test_status_change_with_note_is_kept_in_the_history(
    staff_browser: TestClient, session: Session, staff: User
) -> None:
    lead = add_lead(session, "biowin")
    response = post_form(staff_browser, f"/leads/{lead.id}/status",
                         {"status": "contacted", "note": "Called, <b>interested</b> in March event"})
    assert response.status_code == 303
    page = staff_browser.get(f"/leads/{lead.id}").text
    assert "The status was changed." in page
    assert "Called, &lt;b&gt;interested&lt;/b&gt; in March event" in page
    session.expire_all()
    assert session.get(Lead, lead.id).status == "contacted"
    change = session.scalars(select(LeadStatusChange).where(LeadStatusChange.lead_id == lead.id)).one()
    assert (change.status, change.changed_by) == ("contacted", staff.email)
    assert ("changed", lead.id, {"field": "status", "old": "new", "new": "contacted"}) in audit_actions(session)

    post_form(staff_browser, f"/leads/{lead.id}/status", {"status": "new"})  # not a step of the workflow
    assert "cannot move to that status" in staff_browser.get(f"/leads/{lead.id}").text
    session.expire_all()
    assert session.get(Lead, lead.id).status == "contacted"


def test_a_copied_cluster_reads_but_does_not_change(staff_browser: TestClient, session: Session) -> None:
    lead = add_lead(session, "lyonbiopole", copies=["biowin"])
    page = staff_browser.get(f"/leads/{lead.id}").text
    assert "only the owning cluster changes it" in page and "/status" not in page
    assert post_form(staff_browser, f"/leads/{lead.id}/status", {"status": "contacted"}).status_code == 403


def test_reassigning_moves_the_lead_and_notifies_the_new_cluster(
    staff_browser: TestClient, admin_browser: TestClient, session: Session, staff: User
) -> None:
    lead = add_lead(session, "biowin", copies=["biopmed", "medsilesia"], company_name="Acme Medical")
    response = post_form(staff_browser, f"/leads/{lead.id}/reassign",
                         {"cluster": "medsilesia", "reason": "The SME's plant is in Katowice"})
    assert response.status_code == 303 and response.headers["location"] == "/leads"  # no longer ours
    assert staff_browser.get(f"/leads/{lead.id}").status_code == 403

    session.expire_all()
    moved = session.get(Lead, lead.id)
    assert (moved.cluster, moved.cc_clusters) == ("medsilesia", ["biopmed"])
    assert moved.routing_reason == "The SME's plant is in Katowice"
    recipients = session.scalars(select(LeadRecipient).where(LeadRecipient.lead_id == lead.id)).all()
    assert sorted((row.cluster, row.role) for row in recipients) == [("biopmed", "copy"), ("medsilesia", "owner")]
    decision = session.scalars(select(RoutingDecision).where(RoutingDecision.lead_id == lead.id)).one()
    assert (decision.cluster, decision.decided_by) == ("medsilesia", staff.email)

    notice = session.scalars(select(OutboxMessage).where(OutboxMessage.lead_id == lead.id)).one()
    assert (notice.channel, notice.cluster, notice.status) == ("email", "medsilesia", "pending")
    assert notice.recipient == "leads@medsilesia.example"
    assert f"/leads/{lead.id}" in notice.body and "Katowice" in notice.body
    assert "przydzielony" in notice.subject  # in the staff language of GAPR-Medsilesia (pl)
    assert ("reassigned", lead.id, {"old": "biowin", "new": "medsilesia"}) in audit_actions(session)
    assert "The SME&#39;s plant is in Katowice" in admin_browser.get(f"/leads/{lead.id}").text


def test_a_reassignment_needs_a_reason_and_another_cluster(staff_browser: TestClient, session: Session) -> None:
    lead = add_lead(session, "biowin")
    post_form(staff_browser, f"/leads/{lead.id}/reassign", {"cluster": "biopmed", "reason": "  "})
    assert "Please give a reason" in staff_browser.get(f"/leads/{lead.id}").text
    post_form(staff_browser, f"/leads/{lead.id}/reassign", {"cluster": "biowin", "reason": "same"})
    session.expire_all()
    assert session.get(Lead, lead.id).cluster == "biowin"
    assert session.scalars(select(OutboxMessage)).all() == []


def test_retry_puts_failed_notifications_back_in_the_queue(
    staff_browser: TestClient, session: Session
) -> None:
    lead = add_lead(session, "biowin")
    message = OutboxMessage(lead_id=lead.id, channel="email", recipient="leads@biowin.example", cluster="biowin",
                            body="...", status="failed", attempts=8, last_error="timeout")
    session.add(message)
    session.commit()
    assert post_form(staff_browser, f"/leads/{lead.id}/retry").status_code == 303
    session.expire_all()
    assert (message.status, message.attempts) == ("pending", 0)
    assert ("changed", lead.id, {"field": "notifications", "retried": 1}) in audit_actions(session)


def test_lead_fields_are_escaped(staff_browser: TestClient, admin_browser: TestClient, session: Session) -> None:
    script = "<script>alert(1)</script>"
    lead = add_lead(session, "biowin", company_name=script, contact_name='"><img src=x onerror=alert(2)>',
                    email="x@example.com\"><script>alert(3)</script>", routing_reason=script,
                    qualification_reasons=[script], event_id=script)
    for browser in (staff_browser, admin_browser):
        for path in ("/leads", f"/leads/{lead.id}"):
            page = browser.get(path)
            assert "<script>" not in page.text and "<img" not in page.text, path
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text, path
            assert "script-src" not in page.headers["content-security-policy"]  # default-src 'none'
            assert "default-src 'none'" in page.headers["content-security-policy"]


def test_viewing_and_exporting_are_audited_without_personal_data(
    staff_browser: TestClient, session: Session
) -> None:
    lead = add_lead(session, "biowin", company_name="Very Private GmbH")
    staff_browser.get(f"/leads/{lead.id}")
    staff_browser.get("/leads.csv?q=Private&language=en")
    assert audit_actions(session) == [
        ("viewed", lead.id, {"allowed": True}),
        ("exported", None, {"count": 1, "filters": ["language", "q"]}),
    ]
