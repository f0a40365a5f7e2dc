"""A cluster's numbers: leads per ISO week, language and interest, and how many converted.

Counted in Python over the leads a cluster received (owned or copied, as in its inbox):
a cluster has hundreds of leads, not millions, and the same code then runs on SQLite
and PostgreSQL.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Iterable

from bot.leads.models import Lead
from bot.leads.serialize import as_utc


@dataclass(frozen=True)
class ClusterNumbers:
    total: int
    qualified: int
    converted: int
    per_week: list[tuple[str, int]]  # ("2025-W09", 4), oldest first
    per_language: list[tuple[str, int]]  # most first
    per_interest: list[tuple[str, int]]  # most first
    per_status: list[tuple[str, int]]  # most first

    @property
    def conversion_rate(self) -> float | None:
        """Converted leads per lead received (None without leads)."""
        return self.converted / self.total if self.total else None


def iso_week(lead: Lead) -> str:
    year, week, _ = as_utc(lead.created_at).isocalendar()
    return f"{year}-W{week:02d}"


def count_numbers(leads: Iterable[Lead]) -> ClusterNumbers:
    leads = list(leads)
    weeks = Counter(iso_week(lead) for lead in leads)
    interests = Counter(interest for lead in leads for interest in lead.interests or [])
    return ClusterNumbers(
        total=len(leads),
        qualified=sum(1 for lead in leads if lead.qualified),
        converted=sum(1 for lead in leads if lead.status == "converted"),
        per_week=sorted(weeks.items()),
        per_language=Counter(lead.language for lead in leads).most_common(),
        per_interest=interests.most_common(),
        per_status=Counter(lead.status for lead in leads).most_common(),
    )
