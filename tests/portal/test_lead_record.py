"""Staff download one lead's complete record (JSON) for an SME's access request: cluster-bound, audited."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.leads.clusters import load_clusters
from bot.leads.models import Lead
from bot.leads.store import LeadStore, Registration
from bot.portal.models import User
from tests.portal.conftest import add_events, add_user, log_in
from tests.portal.test_lead_pages import audit_actions


def stored_lead(engine: Engine, settings: Settings) -> Lead:
    """A lead saved as the assistant saves it: owned by BioWin, copied to Lyonbiopole, with its e-mails."""
    store = LeadStore(engine, load_clusters(), settings.copy(update={"webhook_url": None}))
    return store.save(Registration(
        conversation_id="conv-record", language="fr", notice_version="2026-11-23", company_name="Santé Plus SRL",
        contact_name="Camille Dubois", email="camille@santeplus.example", country="BE", employees=12.0,
        sector="diagnostics", interests=["events"], target_regions=["lyonbiopole"], source="widget",
    ))


def test_the_owning_cluster_downloads_everything_stored_and_it_is_audited(
    staff_browser: TestClient, session: Session, engine: Engine, settings: Settings, staff: User
) -> None:
    lead = stored_lead(engine, settings)
    add_events(engine, "conv-record", [("user", "Bonjour, je voudrais inscrire Santé Plus"),
                                       ("bot", "Avec plaisir !")])
    assert f'href="/leads/{lead.id}/record.json"' in staff_browser.get(f"/leads/{lead.id}").text

    response = staff_browser.get(f"/leads/{lead.id}/record.json")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["content-disposition"] == f'attachment; filename="lead-{lead.id}.json"'
    assert response.headers["cache-control"] == "no-store"
    record = json.loads(response.content.decode("utf-8"))
    assert record["lead"]["id"] == lead.id
    assert (record["lead"]["company_name"], record["lead"]["email"], record["lead"]["source"]) == (
        "Santé Plus SRL", "camille@santeplus.example", "widget")
    assert record["consent"]["given"] is True and record["consent"]["notice_version"] == "2026-11-23"
    assert record["recipients"] == [{"cluster": "biowin", "role": "owner"}, {"cluster": "lyonbiopole", "role": "copy"}]
    assert [d["cluster"] for d in record["routing_decisions"]] == ["biowin"]
    assert [c["status"] for c in record["status_changes"]] == ["new"]
    to_sme = [m for m in record["notifications"] if m["recipient"] == "camille@santeplus.example"]
    assert len(to_sme) == 1 and "Santé Plus SRL" in to_sme[0]["body"]
    assert {m["cluster"] for m in record["notifications"]} == {"biowin", "lyonbiopole", None}
    assert [u["text"] for u in record["conversation"]] == ["Bonjour, je voudrais inscrire Santé Plus", "Avec plaisir !"]

    assert audit_actions(session)[-1] == ("downloaded", lead.id, {})
    entries = [entry for entry in audit_actions(session) if entry[0] == "downloaded"]
    assert len(entries) == 1


def test_another_clusters_staff_get_a_403_and_the_attempt_is_audited(
    client: TestClient, session: Session, engine: Engine, settings: Settings
) -> None:
    lead = stored_lead(engine, settings)
    outsider = add_user(session, "piotr@medsilesia.example", "medsilesia")
    browser = TestClient(client.app)
    assert log_in(browser, outsider.email).status_code == 303

    response = browser.get(f"/leads/{lead.id}/record.json")

    assert response.status_code == 403
    assert "Santé" not in response.text and "camille" not in response.text
    assert audit_actions(session) == [("viewed", lead.id, {"allowed": False})]
    assert browser.get("/leads/999999/record.json").status_code == 404


def test_a_copied_cluster_may_download_it_too(
    client: TestClient, session: Session, engine: Engine, settings: Settings
) -> None:
    lead = stored_lead(engine, settings)
    copied = add_user(session, "lea@lyonbiopole.example", "lyonbiopole")
    browser = TestClient(client.app)
    assert log_in(browser, copied.email).status_code == 303
    assert browser.get(f"/leads/{lead.id}/record.json").json()["lead"]["id"] == lead.id
    assert audit_actions(session) == [("downloaded", lead.id, {})]


def test_without_a_log_in_there_is_no_record(client: TestClient, engine: Engine, settings: Settings) -> None:
    lead = stored_lead(engine, settings)
    response = client.get(f"/leads/{lead.id}/record.json", follow_redirects=False)
    assert response.status_code in (302, 303, 401)
    assert "camille" not in response.text
