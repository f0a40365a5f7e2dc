"""A lead as the outside world sees it: one shape for the JSON API, the HTML portal and CSV export."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.definitions import LEAD_API_FIELDS
from bot.leads.models import Lead
from bot.registration_fields import API_FIELDS, RegistrationField

LEAD_FIELDS: tuple[str, ...] = (
    # The product contract's fields (tests/portal/test_lead_api.py pins them) ...
    *LEAD_API_FIELDS,
    # ... and what staff need besides: registration or contact request, and the catalogue event.
    "kind", "event_id",
)


def as_utc(moment: datetime) -> datetime:
    """Aware UTC; naive means UTC, as SQLite returns what the models wrote in UTC without an offset."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def iso_utc(moment: datetime) -> str:
    return as_utc(moment).isoformat().replace("+00:00", "Z")


def lead_to_dict(lead: Lead) -> dict[str, Any]:
    """Plain JSON-ready values, with exactly the keys of LEAD_FIELDS."""
    return {
        "id": lead.id,
        "created_at": iso_utc(lead.created_at),
        "language": lead.language,
        **{field.api_field: registration_value(lead, field) for field in API_FIELDS},
        "qualified": bool(lead.qualified),
        "qualification_reasons": list(lead.qualification_reasons or []),
        "cluster": lead.cluster,
        "cc_clusters": list(lead.cc_clusters or []),
        "routing_reason": lead.routing_reason,
        "status": lead.status,
        "conversation_id": lead.conversation_id,
        "kind": lead.kind,
        "event_id": lead.event_id,
    }


def registration_value(lead: Lead, field: RegistrationField) -> Any:
    """A registration field's value as the API gives it: a list is always one, never null."""
    value = getattr(lead, field.lead_column)
    return list(value or []) if field.many else value
