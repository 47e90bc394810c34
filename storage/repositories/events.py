"""Events and registrations. Keyword-only functions shared by the chat, the CLI and the scheduler.

Everything that changes who holds seats (register, cancel, offer, accept, expire, capacity) first locks
the event row with `lock_event`, then counts the seats held. On PostgreSQL that is
`SELECT … FOR UPDATE`; on SQLite every write transaction starts with `BEGIN IMMEDIATE` (storage/db.py),
which already serializes writers. So 500 simultaneous registrations for 100 seats give exactly 100
seats, and the rest are waitlisted in the order they got the lock (registration ids are given under it).

These functions change data only; telling people (outbox) is done by the callers in the same
transaction (bot/event_notify.py).
"""
from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from storage.models import Member, MemberIdentity, Organization
from storage.models.events import (
    ACTIVE, HOLDS_SEATS, Event, EventAttendee, EventFeedback, EventRegistration, EventStatus, RegStatus,
)

OFFER_HOURS = 24


# --- events -------------------------------------------------------------------------------------
def create(session: Session, *, title: str, starts_at: datetime, ends_at: datetime, venue: str, province: str,
           capacity: int, kind: str = "training", description: str | None = None, seats_per_org: int = 2,
           registration_deadline: datetime | None = None, map_url: str | None = None,
           latitude: float | None = None, longitude: float | None = None,
           audience_kinds: Sequence[str] = (), audience_provinces: Sequence[str] | None = None,
           created_by: int | None = None, is_demo: bool = False) -> Event:
    """A draft event. `audience_provinces` None = the event's own province; [] = every province."""
    if ends_at < starts_at:
        raise ValueError("the event ends before it starts")
    if capacity < 1 or seats_per_org < 1:
        raise ValueError("capacity and seats per organization must be at least 1")
    event = Event(kind=kind, title=title.strip(), description=description, starts_at=starts_at, ends_at=ends_at,
                  venue=venue.strip(), province=province, capacity=capacity, seats_per_org=seats_per_org,
                  registration_deadline=registration_deadline, map_url=map_url, latitude=latitude,
                  longitude=longitude, audience_kinds=list(audience_kinds),
                  audience_provinces=[province] if audience_provinces is None else list(audience_provinces),
                  created_by=created_by, is_demo=is_demo)
    session.add(event)
    session.flush()
    return event


def get(session: Session, *, event_id: int) -> Event | None:
    return session.get(Event, event_id)


def lock_event(session: Session, *, event_id: int) -> Event | None:
    """The event row, locked until the end of the transaction (FOR UPDATE; a no-op clause on SQLite,
    where BEGIN IMMEDIATE already holds the write lock), re-read from the database."""
    stmt = select(Event).where(Event.id == event_id).with_for_update().execution_options(populate_existing=True)
    return session.exec(stmt).first()


def list_events(session: Session, *, province: str | None = None, statuses: Sequence[str] | None = None,
                upcoming_after: datetime | None = None, limit: int = 50) -> list[Event]:
    stmt = select(Event)
    if province:
        stmt = stmt.where(Event.province == province)
    if statuses:
        stmt = stmt.where(col(Event.status).in_(list(statuses)))
    if upcoming_after is not None:
        stmt = stmt.where(Event.ends_at > upcoming_after)
    return list(session.exec(stmt.order_by(Event.starts_at, Event.id).limit(limit)))


def publish(session: Session, *, event: Event, now: datetime) -> bool:
    """Draft → published. False when it was not a draft (already published, cancelled…)."""
    if event.status != EventStatus.draft.value:
        return False
    event.status = EventStatus.published.value
    event.published_at = now
    event.updated_at = now
    session.add(event)
    session.flush()
    return True


def update(session: Session, *, event: Event, now: datetime, **changes: Any) -> list[str]:
    """Apply changes; returns the names of fields that really changed (bumps `version` if any)."""
    changed = []
    for name, value in changes.items():
        if getattr(event, name) != value:
            setattr(event, name, value)
            changed.append(name)
    if changed:
        event.version += 1
        event.updated_at = now
        session.add(event)
        session.flush()
    return changed


def cancel_event(session: Session, *, event_id: int, now: datetime) -> tuple[Event | None, list[EventRegistration]]:
    """Cancel the event and every active registration. Returns the registrations that were active."""
    event = lock_event(session, event_id=event_id)
    if event is None or event.status == EventStatus.cancelled.value:
        return event, []
    event.status = EventStatus.cancelled.value
    event.cancelled_at = now
    event.updated_at = now
    event.version += 1
    session.add(event)
    regs = list(session.exec(select(EventRegistration).where(
        EventRegistration.event_id == event_id, col(EventRegistration.status).in_(ACTIVE))))
    for reg in regs:
        _set_cancelled(reg, now, "event")
        session.add(reg)
    session.flush()
    return event, regs


def is_open(event: Event, now: datetime) -> bool:
    """Whether members can register now."""
    if event.status != EventStatus.published.value or event.starts_at <= now:
        return False
    return event.registration_deadline is None or now < event.registration_deadline


def in_audience(event: Event, org: Organization | None) -> bool:
    if org is None:
        return False
    if event.audience_kinds and org.kind not in event.audience_kinds:
        return False
    return not event.audience_provinces or org.province in event.audience_provinces


def open_events_for(session: Session, *, org: Organization | None, now: datetime,
                    province_scope: str | None = None, officer: bool = False, limit: int = 12) -> list[Event]:
    """Published events members of `org` may register for now (officers: every open event of their scope)."""
    stmt = select(Event).where(Event.status == EventStatus.published.value, Event.starts_at > now,
                               or_(col(Event.registration_deadline).is_(None), Event.registration_deadline > now))
    if officer and province_scope:
        stmt = stmt.where(Event.province == province_scope)
    events = list(session.exec(stmt.order_by(Event.starts_at, Event.id)))
    if not officer:
        events = [e for e in events if in_audience(e, org)]
    return events[:limit]


def audience_recipients(session: Session, *, event: Event) -> list[tuple[int, str, str]]:
    """(member id, address, locale) of every reachable member the announcement is for: members who
    consented, did not opt out of announcements, and whose organization is in the audience."""
    stmt = (select(Member.id, MemberIdentity.address, Member.locale)
            .join(MemberIdentity, MemberIdentity.member_id == Member.id)
            .join(Organization, Organization.id == Member.organization_id)
            .where(col(Member.consent_at).is_not(None), Member.announcements_opt_out == False,  # noqa: E712
                   MemberIdentity.reachable == True))  # noqa: E712
    if event.audience_kinds:
        stmt = stmt.where(col(Organization.kind).in_(event.audience_kinds))
    if event.audience_provinces:
        stmt = stmt.where(col(Organization.province).in_(event.audience_provinces))
    return [(mid, addr, loc) for mid, addr, loc in session.exec(stmt.order_by(Member.id, MemberIdentity.id))]


def audience_count(session: Session, *, event: Event) -> int:
    return len({mid for mid, _, _ in audience_recipients(session, event=event)})


# --- registrations ------------------------------------------------------------------------------
@dataclass
class RegisterResult:
    outcome: str  # registered | waitlisted | already | org_full | closed | not_found
    registration: EventRegistration | None = None
    event: Event | None = None
    position: int | None = None  # waitlist position (1 = next)
    org_remaining: int | None = None  # seats the organization may still ask for


def seats_held(session: Session, *, event_id: int) -> int:
    return int(session.exec(select(func.coalesce(func.sum(EventRegistration.seats), 0)).where(
        EventRegistration.event_id == event_id, col(EventRegistration.status).in_(HOLDS_SEATS))).one())


def org_seats(session: Session, *, event_id: int, organization_id: int | None) -> int:
    """Seats the organization holds or waits for (active registrations' attendees)."""
    if organization_id is None:
        return 0
    return int(session.exec(select(func.coalesce(func.sum(EventRegistration.seats), 0)).where(
        EventRegistration.event_id == event_id, EventRegistration.organization_id == organization_id,
        col(EventRegistration.status).in_(ACTIVE))).one())


def active_registration(session: Session, *, event_id: int, member_id: int) -> EventRegistration | None:
    return session.exec(select(EventRegistration).where(
        EventRegistration.event_id == event_id, EventRegistration.member_id == member_id,
        col(EventRegistration.status).in_(ACTIVE))).first()


def waitlist_position(session: Session, *, registration: EventRegistration) -> int | None:
    if registration.status != RegStatus.waitlisted.value:
        return None
    return int(session.exec(select(func.count()).select_from(EventRegistration).where(
        EventRegistration.event_id == registration.event_id,
        EventRegistration.status == RegStatus.waitlisted.value,
        EventRegistration.id <= registration.id)).one())


def waitlist_length(session: Session, *, event_id: int) -> int:
    return int(session.exec(select(func.count()).select_from(EventRegistration).where(
        EventRegistration.event_id == event_id, EventRegistration.status == RegStatus.waitlisted.value)).one())


def new_checkin_code(session: Session, event_id: int) -> str:
    """A six-digit check-in code not yet used for the event."""
    for _ in range(50):
        code = f"{secrets.randbelow(900000) + 100000}"
        taken = session.exec(select(EventRegistration.id).where(
            EventRegistration.event_id == event_id, EventRegistration.checkin_code == code)).first()
        if not taken:
            return code
    raise RuntimeError("could not find a free check-in code")  # 900,000 codes per event: never in practice


def register(session: Session, *, event_id: int, member_id: int | None, organization_id: int | None,
             attendees: Sequence[tuple[str, str | None]], phone: str | None, now: datetime,
             is_demo: bool = False) -> RegisterResult:
    """Register `attendees` of an organization: a seat for each if there is room, else the waitlist.

    Safe under concurrency (see the module docstring). `attendees` are (name, position) pairs."""
    if not attendees:
        raise ValueError("at least one attendee")
    event = lock_event(session, event_id=event_id)
    if event is None:
        return RegisterResult("not_found")
    if not is_open(event, now):
        return RegisterResult("closed", event=event)
    if member_id is not None:
        existing = active_registration(session, event_id=event_id, member_id=member_id)
        if existing is not None:
            return RegisterResult("already", existing, event, waitlist_position(session, registration=existing))
    remaining = event.seats_per_org - org_seats(session, event_id=event_id, organization_id=organization_id)
    if len(attendees) > remaining:
        return RegisterResult("org_full", event=event, org_remaining=max(0, remaining))
    free = event.capacity - seats_held(session, event_id=event_id)
    status = RegStatus.registered.value if len(attendees) <= free else RegStatus.waitlisted.value
    reg = EventRegistration(event_id=event_id, organization_id=organization_id, member_id=member_id, phone=phone,
                            status=status, seats=len(attendees), checkin_code=new_checkin_code(session, event_id),
                            created_at=now, updated_at=now, is_demo=is_demo)
    session.add(reg)
    session.flush()
    for name, position in attendees:
        session.add(EventAttendee(registration_id=reg.id, event_id=event_id, name=name, position=position))  # type: ignore[arg-type]
    session.flush()
    outcome = "registered" if status == RegStatus.registered.value else "waitlisted"
    return RegisterResult(outcome, reg, event, waitlist_position(session, registration=reg),
                          remaining - len(attendees))


def _set_cancelled(reg: EventRegistration, now: datetime, reason: str) -> None:
    reg.status = RegStatus.cancelled.value
    reg.cancel_reason = reason
    reg.cancelled_at = now
    reg.updated_at = now
    reg.offer_expires_at = None


@dataclass
class SeatChange:
    """What a cancel / decline / expiry / capacity change did: who lost their place, who got an offer."""

    event: Event | None
    registration: EventRegistration | None = None
    changed: bool = False
    offers: list[EventRegistration] = field(default_factory=list)
    expired: list[EventRegistration] = field(default_factory=list)


def cancel(session: Session, *, registration_id: int, now: datetime, reason: str = "member",
           offer_from: datetime | None = None) -> SeatChange:
    """Cancel a registration (any active status); freed seats are offered down the waitlist."""
    reg = session.get(EventRegistration, registration_id)
    if reg is None:
        return SeatChange(None)
    event = lock_event(session, event_id=reg.event_id)
    session.refresh(reg)
    if reg.status not in ACTIVE:
        return SeatChange(event, reg)
    held = reg.status in HOLDS_SEATS
    _set_cancelled(reg, now, reason)
    session.add(reg)
    session.flush()
    offers = promote(session, event=event, now=now, offer_from=offer_from) if held and event else []
    return SeatChange(event, reg, True, offers)


def promote(session: Session, *, event: Event, now: datetime, offer_from: datetime | None = None) -> list[EventRegistration]:
    """Offer free seats down the waitlist, in order of arrival: each registration whose attendees fit the
    seats still free gets an offer valid 24 hours (or until the event starts). The event must be locked."""
    if event.status != EventStatus.published.value or event.starts_at <= now:
        return []
    free = event.capacity - seats_held(session, event_id=event.id)  # type: ignore[arg-type]
    if free <= 0:
        return []
    start = max(now, offer_from or now)
    expires = min(start + timedelta(hours=OFFER_HOURS), event.starts_at)
    offers = []
    waiting = session.exec(select(EventRegistration).where(
        EventRegistration.event_id == event.id, EventRegistration.status == RegStatus.waitlisted.value)
        .order_by(EventRegistration.id))
    for reg in list(waiting):
        if free <= 0:
            break
        if reg.seats > free:
            continue
        reg.status = RegStatus.offered.value
        reg.offer_count += 1
        reg.offered_at = now
        reg.offer_expires_at = expires
        reg.updated_at = now
        session.add(reg)
        offers.append(reg)
        free -= reg.seats
    session.flush()
    return offers


def accept_offer(session: Session, *, registration_id: int, now: datetime) -> tuple[str, EventRegistration | None]:
    """offered → registered. Returns (outcome, registration); outcome accepted | expired | not_offered."""
    reg = session.get(EventRegistration, registration_id)
    if reg is None:
        return "not_offered", None
    lock_event(session, event_id=reg.event_id)
    session.refresh(reg)
    if reg.status == RegStatus.registered.value:
        return "already", reg
    if reg.status != RegStatus.offered.value:
        return ("expired" if reg.cancel_reason == "offer_expired" else "not_offered"), reg
    if reg.offer_expires_at is not None and now >= reg.offer_expires_at:
        return "expired", reg  # the scan will pass it on
    reg.status = RegStatus.registered.value
    reg.offer_expires_at = None
    reg.updated_at = now
    session.add(reg)
    session.flush()
    return "accepted", reg


def expire_offers(session: Session, *, now: datetime, offer_from: datetime | None = None) -> list[SeatChange]:
    """Offers not accepted in time lose their place; the seats go to the next on the waitlist.
    Also marks published events that have ended as finished."""
    changes = []
    event_ids = sorted(set(session.exec(select(EventRegistration.event_id).where(
        EventRegistration.status == RegStatus.offered.value, EventRegistration.offer_expires_at <= now))))
    for event_id in event_ids:
        event = lock_event(session, event_id=event_id)
        expired = list(session.exec(select(EventRegistration).where(
            EventRegistration.event_id == event_id, EventRegistration.status == RegStatus.offered.value,
            EventRegistration.offer_expires_at <= now).execution_options(populate_existing=True)))
        for reg in expired:
            _set_cancelled(reg, now, "offer_expired")
            session.add(reg)
        session.flush()
        offers = promote(session, event=event, now=now, offer_from=offer_from) if event else []
        changes.append(SeatChange(event, None, bool(expired), offers, expired))
    for event in session.exec(select(Event).where(Event.status == EventStatus.published.value, Event.ends_at <= now)):
        event.status = EventStatus.finished.value
        session.add(event)
    session.flush()
    return changes


def set_capacity(session: Session, *, event_id: int, capacity: int, now: datetime,
                 offer_from: datetime | None = None) -> SeatChange:
    """Change the capacity; more seats are offered down the waitlist. Nobody already seated is bumped."""
    event = lock_event(session, event_id=event_id)
    if event is None:
        return SeatChange(None)
    changed = event.capacity != capacity
    event.capacity = capacity
    event.updated_at = now
    session.add(event)
    session.flush()
    return SeatChange(event, None, changed, promote(session, event=event, now=now, offer_from=offer_from))


def attendees_of(session: Session, *, registration_id: int) -> list[EventAttendee]:
    return list(session.exec(select(EventAttendee).where(EventAttendee.registration_id == registration_id)
                             .order_by(EventAttendee.id)))


def registrations_of_member(session: Session, *, member_id: int, since: datetime | None = None,
                            active_only: bool = True) -> list[tuple[EventRegistration, Event]]:
    stmt = (select(EventRegistration, Event).join(Event, Event.id == EventRegistration.event_id)
            .where(EventRegistration.member_id == member_id))
    if active_only:
        stmt = stmt.where(col(EventRegistration.status).in_(ACTIVE))
    if since is not None:
        stmt = stmt.where(Event.ends_at > since)
    return list(session.exec(stmt.order_by(Event.starts_at, EventRegistration.id)))


def registrations_of_event(session: Session, *, event_id: int, statuses: Sequence[str] | None = None,
                           offset: int = 0, limit: int | None = None, newest_first: bool = False
                           ) -> list[EventRegistration]:
    """In order of arrival (or newest first); a page of them with `offset` / `limit`."""
    stmt = select(EventRegistration).where(EventRegistration.event_id == event_id)
    if statuses:
        stmt = stmt.where(col(EventRegistration.status).in_(list(statuses)))
    order = col(EventRegistration.id).desc() if newest_first else col(EventRegistration.id)
    stmt = stmt.order_by(order).offset(offset)
    return list(session.exec(stmt.limit(limit) if limit is not None else stmt))


def attendees_of_many(session: Session, *, registration_ids: Sequence[int]) -> dict[int, list[EventAttendee]]:
    """The attendees of each registration (one query)."""
    people: dict[int, list[EventAttendee]] = {i: [] for i in registration_ids}
    if registration_ids:
        for person in session.exec(select(EventAttendee).where(
                col(EventAttendee.registration_id).in_(list(registration_ids))).order_by(EventAttendee.id)):
            people[person.registration_id].append(person)
    return people


def counts(session: Session, *, event_id: int) -> dict[str, int]:
    """Seats held, people waitlisted (attendees), attended, per status; ``<status>_regs``: registrations."""
    rows = session.exec(select(EventRegistration.status, func.count(), func.coalesce(func.sum(EventRegistration.seats), 0))
                        .where(EventRegistration.event_id == event_id).group_by(EventRegistration.status))
    out = {"registered": 0, "waitlisted": 0, "offered": 0, "cancelled": 0, "held": 0, "registrations": 0}
    for status, n, seats in rows:
        out[status] = int(seats)
        out[f"{status}_regs"] = int(n)
        if status in HOLDS_SEATS:
            out["held"] += int(seats)
    out["attended"] = int(session.exec(select(func.count()).select_from(EventAttendee).where(
        EventAttendee.event_id == event_id, EventAttendee.attended == True)).one())  # noqa: E712
    return out


# --- attendance and feedback ------------------------------------------------------------------------
def seated_attendees(session: Session, *, event_id: int) -> list[tuple[EventAttendee, EventRegistration]]:
    stmt = (select(EventAttendee, EventRegistration)
            .join(EventRegistration, EventRegistration.id == EventAttendee.registration_id)
            .where(EventAttendee.event_id == event_id, EventRegistration.status == RegStatus.registered.value)
            .order_by(EventRegistration.id, EventAttendee.id))
    return list(session.exec(stmt))


def set_attended(session: Session, *, attendee: EventAttendee, attended: bool, now: datetime) -> None:
    attendee.attended = attended
    attendee.attended_at = now if attended else None
    session.add(attendee)
    session.flush()


def check_in(session: Session, *, event_id: int, code: str, now: datetime) -> EventRegistration | None:
    """Mark every attendee of the registration with this check-in code as attended."""
    reg = session.exec(select(EventRegistration).where(
        EventRegistration.event_id == event_id, EventRegistration.checkin_code == code.strip(),
        EventRegistration.status == RegStatus.registered.value)).first()
    if reg is None:
        return None
    for att in attendees_of(session, registration_id=reg.id):  # type: ignore[arg-type]
        if not att.attended:
            set_attended(session, attendee=att, attended=True, now=now)
    return reg


def any_attendance(session: Session, *, event_id: int) -> bool:
    return session.exec(select(EventAttendee.id).where(EventAttendee.event_id == event_id,
                                                        EventAttendee.attended == True)).first() is not None  # noqa: E712


def save_feedback(session: Session, *, registration: EventRegistration, member_id: int | None, rating: int,
                  comment: str | None, now: datetime) -> EventFeedback:
    """One answer per registration; answering again replaces it."""
    fb = session.exec(select(EventFeedback).where(EventFeedback.registration_id == registration.id)).first()
    if fb is None:
        fb = EventFeedback(event_id=registration.event_id, registration_id=registration.id,  # type: ignore[arg-type]
                           member_id=member_id, rating=rating, comment=comment, created_at=now)
    else:
        fb.rating, fb.comment, fb.created_at = rating, comment, now
    session.add(fb)
    session.flush()
    return fb


def feedback_summary(session: Session, *, event_id: int) -> tuple[int, float | None]:
    n, avg = session.exec(select(func.count(), func.avg(EventFeedback.rating)).where(
        EventFeedback.event_id == event_id)).one()
    return int(n), (float(avg) if avg is not None else None)


# --- export -----------------------------------------------------------------------------------------
EXPORT_STATUSES = ("registered", "waitlisted", "cancelled", "attended")


def export_rows(session: Session, *, event_id: int) -> list[dict[str, Any]]:
    """One row per attendee: event_id, event_title, organization, province, attendee_name, position, phone,
    status (registered | waitlisted | cancelled | attended), registered_at."""
    event = session.get(Event, event_id)
    if event is None:
        return []
    stmt = (select(EventAttendee, EventRegistration, Organization)
            .join(EventRegistration, EventRegistration.id == EventAttendee.registration_id)
            .join(Organization, Organization.id == EventRegistration.organization_id, isouter=True)
            .where(EventAttendee.event_id == event_id)
            .order_by(EventRegistration.id, EventAttendee.id))
    rows = []
    for att, reg, org in session.exec(stmt):
        if reg.status == RegStatus.cancelled.value:
            status = "cancelled"
        elif att.attended:
            status = "attended"
        elif reg.status == RegStatus.registered.value:
            status = "registered"
        else:  # waitlisted, or waitlisted with an open offer
            status = "waitlisted"
        rows.append({"event_id": event.id, "event_title": event.title, "organization": org.name if org else "",
                     "province": org.province if org else "", "attendee_name": att.name,
                     "position": att.position or "", "phone": reg.phone or "", "status": status,
                     "registered_at": reg.created_at, "registration_id": reg.id, "attendee_id": att.id,
                     "checkin_code": reg.checkin_code, "attended": att.attended, "attended_at": att.attended_at})
    return rows


def erase_registration_copies(session: Session, member: Member) -> None:
    """A member deleting their data: their phone on registrations and their name as an attendee go too."""
    for reg in session.exec(select(EventRegistration).where(EventRegistration.member_id == member.id)):
        reg.phone = None
        session.add(reg)
        for attendee in session.exec(select(EventAttendee).where(EventAttendee.registration_id == reg.id)):
            if member.full_name and attendee.name == member.full_name:
                attendee.name = "-"
                attendee.position = None
                session.add(attendee)
