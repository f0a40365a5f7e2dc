"""Personal data retention: erase what a conversation left behind once it is old enough.

A conversation ends with its latest stored event (Rasa's tracker store, table `events`)
or, when none is stored, with its latest lead. `S3M_RETENTION_DAYS` after that end:

- its leads lose their personal details exactly as on the SME's own request
  (bot.leads.erasure: company, contact, e-mail and head count blanked, staff notes and
  re-assignment reasons too, status `erased`, unsent notifications cancelled, stored
  notification copies emptied, kept e-mails and training data naming the SME deleted, and
  the clusters that received the lead told), with a status change by "retention" that says why;
- its stored conversation events are deleted, the whole conversation at once. A
  conversation with any event newer than the cut-off is kept entirely, leads included.

Kept, because they hold no personal data beyond what is needed as proof:

- the erased lead itself (language, country, sector, interests, regions, qualification
  verdict, routing, status history), so that counts and routing stay true;
- its proof of consent (`consent_records`: conversation id, notice version, language,
  time), which shows that the processing before the erasure was lawful (GDPR art. 7(1));
- anonymous counts (`anonymous_counts`: day, language, event name) and the portal's
  audit log (ids and codes only), which name nobody.

The outbox worker (`python -m bot.leads.outbox`) purges at start and then daily. By
hand: `python -m bot.conversations.retention [--days N] [--dry-run]`.
"""

from __future__ import annotations

import argparse
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.sql import Select

from bot.config import Settings, load_settings
from bot.conversations.events import active_since, count_ended_before, delete_ended_before, is_stored
from bot.leads.clusters import load_clusters
from bot.leads.erasure import ErasedTraces, erase_annotations, erase_lead, erase_outside_database
from bot.leads.erasure_notices import AFTER_RETENTION
from bot.leads.models import Lead
from bot.leads.schema import current_session
from bot.leads.serialize import as_utc

log = logging.getLogger(__name__)

RETENTION_ACTOR = "retention"
"""`changed_by` of the status change that records an erasure after the retention period."""

EXPIRED = "after the retention period"


@dataclass(frozen=True)
class PurgeResult:
    """What a purge erased (or, in a dry run, would erase); counts only, no personal data."""

    cutoff: datetime | None  # None: retention is off
    leads: int = 0
    conversations: int = 0  # stored conversations deleted from the tracker store
    events: int = 0
    dry_run: bool = False

    def describe(self) -> str:
        if self.cutoff is None:
            return "retention is off: nothing purged"
        verb = "would erase" if self.dry_run else "erased"
        return (f"retention cut-off {self.cutoff.isoformat(timespec='seconds')}: {verb} the personal details of "
                f"{self.leads} lead(s) and {self.events} stored event(s) of {self.conversations} conversation(s)")


def purge_expired(session: Session, *, now: datetime, days: int | None, dry_run: bool = False,
                  settings: Settings | None = None) -> PurgeResult:
    """Erase the leads and stored events of conversations that ended more than `days` days before `now`.

    Runs in the caller's transaction (the caller commits).

    Args:
        session: Session on the database of the leads and of Rasa's tracker store.
        now: The moment the period is counted back from.
        days: The retention period; None means retention is off and nothing happens.
        dry_run: Only count what would be erased; change nothing.
        settings: Where the kept e-mails and training data are, and the portal's address for the
            clusters' notices (default: the environment's).

    Returns:
        The counts, also logged (without conversation ids or any personal detail).
    """
    if days is None:
        return PurgeResult(cutoff=None, dry_run=dry_run)
    if days < 1:
        raise ValueError(f"a retention period is at least one day, not {days}")
    cutoff = as_utc(now) - timedelta(days=days)
    connection = session.connection()
    leads = session.scalars(_expired_leads(session, cutoff, is_stored(connection))).all()
    conversations, events = count_ended_before(connection, cutoff)
    if not dry_run:
        settings = settings or load_settings()
        clusters = load_clusters()
        traces = ErasedTraces()
        for lead in leads:
            traces.add(erase_lead(session, lead, now=as_utc(now), changed_by=RETENTION_ACTOR, why=EXPIRED,
                                  notice=AFTER_RETENTION, clusters=clusters, settings=settings,
                                  note=f"retention: the conversation ended more than {days} days ago"))
        erase_annotations(session, traces.names)
        # Before the caller commits: a rolled-back purge runs again the next day, and finds nothing
        # left to delete outside the database.
        erase_outside_database(traces, settings)
        delete_ended_before(connection, cutoff)
    result = PurgeResult(cutoff=cutoff, leads=len(leads), conversations=conversations, events=events,
                         dry_run=dry_run)
    log.info("%s", result.describe())
    return result


def _expired_leads(session: Session, cutoff: datetime, events_stored: bool) -> Select:
    """Leads not erased yet whose conversation has no lead, and no stored event, since the cut-off."""
    ended = select(Lead.conversation_id).group_by(Lead.conversation_id).having(func.max(Lead.created_at) < cutoff)
    query = (select(Lead)
             .where(Lead.erased_at.is_(None), Lead.conversation_id.in_(ended))
             .order_by(Lead.id)
             .options(selectinload(Lead.notifications), selectinload(Lead.status_changes),
                      selectinload(Lead.routing_decisions)))
    if events_stored:
        query = query.where(~active_since(Lead.conversation_id, cutoff))
    if session.get_bind().dialect.name == "postgresql":
        # A second worker waits, then sees these leads erased: no lead is erased twice.
        query = query.with_for_update(of=Lead)
    return query


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bot.conversations.retention",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, help="retention period in days (default: S3M_RETENTION_DAYS)")
    parser.add_argument("--dry-run", action="store_true", help="print what would be erased, change nothing")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    settings = load_settings()
    days = args.days if args.days is not None else settings.retention_days
    if days is not None and days < 1:
        parser.error("--days must be at least 1")
    with current_session(settings.database_url) as session, session.begin():
        result = purge_expired(session, now=datetime.now(UTC), days=days, dry_run=args.dry_run)
    print(result.describe())


if __name__ == "__main__":
    main()
