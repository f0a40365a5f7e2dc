"""The inbox's filter form, read from the query string, shared by /leads and /leads.csv.

Unlike the JSON API, which answers 422, a page ignores a value it does not know
(a stale bookmark still opens the inbox) and shows the form as it understood it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Mapping

from bot.leads.clusters import CLUSTER_CODES, LANGUAGE_CODES
from bot.leads.lifecycle import STATUSES
from bot.leads.qualification import INTEREST_CODES
from bot.portal.lead_queries import LeadFilters

MAX_SEARCH_LENGTH = 100
FILTER_NAMES: tuple[str, ...] = ("status", "qualified", "language", "interest", "cluster", "from", "to", "q")


@dataclass(frozen=True)
class InboxForm:
    """What the filter form shows (strings, as typed) and the filters they mean."""

    values: Mapping[str, str]
    filters: LeadFilters

    @property
    def active(self) -> list[str]:
        """Names of the filters in use (for the audit log: names, never the search text)."""
        return [name for name in FILTER_NAMES if self.values.get(name)]


def read_inbox_form(params: Mapping[str, str]) -> InboxForm:
    values = {name: params.get(name, "").strip() for name in FILTER_NAMES}

    def one_of(name: str, allowed: tuple[str, ...]) -> str | None:
        if values[name] not in allowed:
            values[name] = ""
            return None
        return values[name]

    qualified = {"yes": True, "no": False}.get(values["qualified"])
    if qualified is None:
        values["qualified"] = ""
    since, until = _day(values, "from"), _day(values, "to")
    values["q"] = values["q"][:MAX_SEARCH_LENGTH]
    filters = LeadFilters(
        status=one_of("status", STATUSES + ("erased",)),
        qualified=qualified,
        language=one_of("language", LANGUAGE_CODES),
        interest=one_of("interest", INTEREST_CODES),
        cluster=one_of("cluster", CLUSTER_CODES),
        since=datetime.combine(since, time(), UTC) if since else None,
        # "to" is inclusive; to 9999-12-31 has no day after it and means no end.
        until=datetime.combine(until + timedelta(days=1), time(), UTC) if until and until < date.max else None,
        search=values["q"] or None,
    )
    return InboxForm(values=values, filters=filters)


def _day(values: dict[str, str], name: str) -> date | None:
    try:
        return date.fromisoformat(values[name]) if values[name] else None
    except ValueError:
        values[name] = ""
        return None
