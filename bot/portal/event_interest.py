"""Event interest lists: per event of `catalogue/events.yml`, the SMEs that asked for it.

An SME's consent covers the cluster it was routed to and the regions it named (the notice of
`utter_ask_consent`), not the event's organiser as such. So a list shows the leads its reader's
cluster received, as the inbox does (admins: all), and only counts the others.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.event_catalogue import Event, load_events
from bot.leads.models import Lead
from bot.portal.auth import Principal
from bot.portal.lead_queries import visible_to


@dataclass(frozen=True)
class EventInterest:
    event: Event
    leads: list[Lead]  # those the reader may see, newest first
    elsewhere: int  # leads for the event that went to other clusters only

    @property
    def total(self) -> int:
        return len(self.leads) + self.elsewhere


def find_event(event_id: str) -> Event | None:
    return next((event for event in load_events() if event.id == event_id), None)


def interest_in(session: Session, principal: Principal, event: Event) -> EventInterest:
    visible = list(session.scalars(
        select(Lead).where(Lead.event_id == event.id, Lead.erased_at.is_(None), visible_to(principal))
        .order_by(Lead.created_at.desc(), Lead.id.desc())))
    total = session.scalar(select(func.count(Lead.id)).where(Lead.event_id == event.id, Lead.erased_at.is_(None)))
    return EventInterest(event=event, leads=visible, elsewhere=(total or 0) - len(visible))


def interest_in_all(session: Session, principal: Principal) -> list[EventInterest]:
    """Every event of the catalogue, soonest first, with its interested SMEs."""
    return [interest_in(session, principal, event) for event in sorted(load_events(), key=lambda e: e.date)]
