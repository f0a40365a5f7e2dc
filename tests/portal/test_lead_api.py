"""The contract's lead API over HTTP: who sees which lead, filters, pages, the field set."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.leads import schema
from bot.portal.app import create_app
from bot.portal.tokens import create_token, revoke_token
from tests.portal.conftest import ADMIN_TOKEN, add_lead, bearer

CONTRACT_FIELDS = {
    "id", "created_at", "language", "company_name", "contact_name", "email", "country", "employees",
    "sector", "interests", "target_regions", "qualified", "qualification_reasons", "cluster",
    "cc_clusters", "routing_reason", "status", "conversation_id",
}


def staff_token(session: Session, cluster: str) -> str:
    return create_token(session, f"staff of {cluster}", cluster)[1]


def ids(response) -> list[int]:
    assert response.status_code == 200, response.text
    return [lead["id"] for lead in response.json()]


def test_health_needs_no_token(client: TestClient) -> None:
    assert client.get("/health").json() == {"status": "ok"}


def test_without_token_the_api_answers_401_with_a_bearer_challenge(client: TestClient) -> None:
    for path in ("/api/leads", "/api/leads/1"):
        response = client.get(path)
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"] == "Bearer"
        assert "token" in response.json()["detail"]


def test_wrong_token_or_scheme_is_401(client: TestClient) -> None:
    assert client.get("/api/leads", headers=bearer("not-a-token")).status_code == 401
    basic = client.get("/api/leads", headers={"Authorization": f"Basic {ADMIN_TOKEN}"})
    assert basic.status_code == 401
    assert basic.headers["WWW-Authenticate"] == "Bearer"


def test_admin_token_from_settings_sees_every_lead_newest_first(client: TestClient, session: Session) -> None:
    now = datetime.now(UTC)
    older = add_lead(session, "biowin", created_at=now - timedelta(days=2))
    newer = add_lead(session, "biopmed", created_at=now - timedelta(days=1))
    assert ids(client.get("/api/leads", headers=bearer(ADMIN_TOKEN))) == [newer.id, older.id]


def test_without_admin_setting_no_admin_token_exists(settings: Settings, session: Session) -> None:
    add_lead(session, "biowin")
    with TestClient(create_app(settings.copy(update={"admin_token": None}))) as client:
        assert client.get("/api/leads", headers=bearer(ADMIN_TOKEN)).status_code == 401
        assert client.get("/api/leads", headers={"Authorization": "Bearer "}).status_code == 401


def test_stored_admin_token_sees_every_lead(client: TestClient, session: Session) -> None:
    leads = [add_lead(session, "biowin"), add_lead(session, "medsilesia")]
    token = create_token(session, "reporting tool", None)[1]
    assert sorted(ids(client.get("/api/leads", headers=bearer(token)))) == [lead.id for lead in leads]


def test_staff_token_sees_owned_and_copied_leads_only(client: TestClient, session: Session) -> None:
    owned = add_lead(session, "biowin")
    copied = add_lead(session, "lyonbiopole", copies=["biowin", "biopmed"])
    others = add_lead(session, "bioregio_stern", copies=["biopmed"])
    token = staff_token(session, "biowin")
    assert sorted(ids(client.get("/api/leads", headers=bearer(token)))) == [owned.id, copied.id]
    assert client.get(f"/api/leads/{copied.id}", headers=bearer(token)).json()["cluster"] == "lyonbiopole"
    assert others.id not in ids(client.get("/api/leads?limit=1000", headers=bearer(token)))


def test_another_clusters_lead_is_403_without_its_contents(client: TestClient, session: Session) -> None:
    foreign = add_lead(session, "medsilesia", company_name="Secret Sp. z o.o.")
    response = client.get(f"/api/leads/{foreign.id}", headers=bearer(staff_token(session, "biowin")))
    assert response.status_code == 403
    assert "Secret" not in response.text
    assert client.get(f"/api/leads/{foreign.id}", headers=bearer(ADMIN_TOKEN)).status_code == 200


def test_unknown_lead_is_404(client: TestClient) -> None:
    assert client.get("/api/leads/999999", headers=bearer(ADMIN_TOKEN)).status_code == 404


def test_revoked_token_is_401(client: TestClient, session: Session) -> None:
    row, token = create_token(session, "former staff", "biowin")
    assert client.get("/api/leads", headers=bearer(token)).status_code == 200
    revoke_token(session, row.id)
    assert client.get("/api/leads", headers=bearer(token)).status_code == 401


def test_each_lead_has_exactly_the_contract_fields_plus_kind_and_event(client: TestClient, session: Session) -> None:
    lead = add_lead(
        session, "biowin", copies=["biopmed"], kind="contact_request", event_id="webinar-2025-03",
        created_at=datetime(2025, 3, 1, 9, 30, tzinfo=UTC),
    )
    listed = client.get("/api/leads", headers=bearer(ADMIN_TOKEN)).json()[0]
    single = client.get(f"/api/leads/{lead.id}", headers=bearer(ADMIN_TOKEN)).json()
    assert listed == single
    assert set(single) == CONTRACT_FIELDS | {"kind", "event_id"}
    assert single["created_at"] == "2025-03-01T09:30:00Z"
    assert single["interests"] == ["partnering"]
    assert single["target_regions"] == single["cc_clusters"] == ["biopmed"]
    assert single["qualified"] is True and single["employees"] == 40.0
    assert (single["kind"], single["event_id"], single["status"]) == ("contact_request", "webinar-2025-03", "new")


def test_filters_narrow_the_list(client: TestClient, session: Session) -> None:
    march = datetime(2025, 3, 10, 12, tzinfo=UTC)
    a = add_lead(session, "biowin", language="fr", interests=["events", "financing"], created_at=march)
    b = add_lead(session, "biopmed", copies=["biowin"], language="it", qualified=False,
                 interests=["technology_centre"], status="contacted", created_at=march - timedelta(days=30))
    c = add_lead(session, "medsilesia", language="pl", interests=["partnering", "events"],
                 created_at=march + timedelta(hours=1))

    def admin(query: str) -> list[int]:
        return ids(client.get(f"/api/leads?{query}", headers=bearer(ADMIN_TOKEN)))

    assert admin("status=contacted") == [b.id]
    assert admin("qualified=false") == [b.id]
    assert admin("qualified=true") == [c.id, a.id]
    assert admin("language=pl") == [c.id]
    assert admin("interest=events") == [c.id, a.id]
    assert admin("interest=technology_centre") == [b.id]
    assert admin("cluster=biopmed") == [b.id]
    assert admin("since=2025-03-01") == [c.id, a.id]
    assert admin("since=2025-03-10T12:30:00Z") == [c.id]
    assert admin("since=2025-03-10T14:30:00%2B02:00") == [c.id]  # same instant as 12:30Z
    assert admin("interest=events&language=fr") == [a.id]

    staff = bearer(staff_token(session, "biowin"))
    assert ids(client.get("/api/leads?interest=events", headers=staff)) == [a.id]
    assert ids(client.get("/api/leads?cluster=biopmed", headers=staff)) == [b.id]


def test_bad_filter_values_are_422_naming_the_parameter(client: TestClient) -> None:
    for query, parameter in [
        ("qualified=maybe", "qualified"), ("language=xx", "language"), ("interest=golf", "interest"),
        ("cluster=nowhere", "cluster"), ("since=yesterday", "since"), ("limit=0", "limit"),
        ("limit=1001", "limit"), ("offset=-1", "offset"),
    ]:
        response = client.get(f"/api/leads?{query}", headers=bearer(ADMIN_TOKEN))
        assert response.status_code == 422, query
        errors = response.json()["detail"]
        assert errors[0]["loc"] == ["query", parameter], query
        assert errors[0]["msg"], query


def test_pages_neither_repeat_nor_skip_leads_created_at_the_same_time(client: TestClient, session: Session) -> None:
    moment = datetime(2025, 4, 1, tzinfo=UTC)
    created = [add_lead(session, "biowin", created_at=moment).id for _ in range(5)]
    pages = [
        ids(client.get(f"/api/leads?limit=2&offset={offset}", headers=bearer(ADMIN_TOKEN)))
        for offset in (0, 2, 4, 6)
    ]
    assert pages == [sorted(created, reverse=True)[i:i + 2] for i in (0, 2, 4, 6)]


def test_the_portal_refuses_a_database_that_was_not_migrated_and_serves_it_once_it_is(
    settings: Settings, tmp_path
) -> None:
    """Migrating is `make run`'s one step before the processes start: the portal alone only checks."""
    fresh = settings.copy(update={"database_url": f"sqlite:///{tmp_path / 'new' / 'portal.db'}"})
    with pytest.raises(schema.SchemaNotCurrent, match=r"none \(empty\).*python -m bot\.leads\.schema"):
        create_app(fresh)
    schema.upgrade(fresh.database_url)
    with TestClient(create_app(fresh)) as client:
        assert client.get("/api/leads", headers=bearer(ADMIN_TOKEN)).json() == []
