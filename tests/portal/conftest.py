"""The portal on a fresh, migrated database (SQLite and PostgreSQL), and leads to show in it."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any, Iterator, Sequence

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from bot.config import Settings, load_settings
from bot.leads.models import Lead, LeadRecipient
from bot.portal.app import create_app
from tests.leads.conftest import database_url, engine, session  # noqa: F401

ADMIN_TOKEN = "admin-secret-for-tests"


@pytest.fixture
def settings(database_url: str) -> Settings:  # noqa: F811
    return replace(load_settings(), database_url=database_url, admin_token=ADMIN_TOKEN)


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
