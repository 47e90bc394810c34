"""Reminder sources for events (registered with bot.reminders; the delivery engine's scan calls them).

* ``event_reminders``: 3 days and 1 day before the start, with venue, time and map link, to members whose
  registration holds seats (``registered``) — not to the waitlist. Key
  ``reminder:event:<id>:reg:<registration>:<address>:-3d|-1d``. An offset is skipped when it is stale:
  the event already started, a later offset is already due (a scan after downtime sends only the 1-day
  one), or the registration was made after the offset's moment (they just got the confirmation).
* ``event_feedback``: the day after the event (from the next morning up to 7 days after its end), the one
  feedback question to each registration that attended (or to every registration when no attendance was taken). Key
  ``event:<id>:feedback:<registration>:<address>``.
* ``waitlist_offers``: offers not accepted within 24 hours lose their place and the seats are offered to
  the next on the waitlist (`expire_waitlist_offers`). This source *changes data* in the scan's session;
  the scan enqueues the yielded offers in that same transaction and commits (a dry run rolls back).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime, timedelta

from sqlalchemy import Row, Select, String, cast, exists, literal
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from bot import i18n
from bot.clock import to_local
from bot.config import Settings
from bot.bulk_reminders import BulkReminders, bulk_reminder_source
from bot.messages import Choice, Reply, replies_to_json
from bot.outbox import quiet_hours_end
from bot.registry import go
from bot.reminders import DueReminder, reminder_source
from bot import event_notify as notify
from storage.models import Member, MemberIdentity, Organization
from storage.models.events import Event, EventAttendee, EventRegistration, EventStatus, RegStatus
from storage.repositories import events as repo
from storage.repositories import members as members_repo

OFFSETS = (("-3d", timedelta(days=3)), ("-1d", timedelta(days=1)))
FEEDBACK_WINDOW = timedelta(days=7)


def _addresses(session: Session, member_id: int | None) -> list[tuple[str, Member]]:
    member = session.get(Member, member_id) if member_id is not None else None
    if member is None:
        return []
    return [(a, member) for a in members_repo.addresses(session, member_id=member.id)]  # type: ignore[arg-type]


def event_offset(event: Event, now: datetime) -> tuple[str | None, datetime | None]:
    """The offset due now for the event (later offsets win: a late scan sends the nearest one only) and the
    moment it came: registrations made after it just got their confirmation and are not reminded."""
    if now >= event.starts_at:
        return None, None
    due: tuple[str | None, datetime | None] = (None, None)
    for label, delta in OFFSETS:
        moment = event.starts_at - delta
        if now >= moment:
            due = (label, moment)
    return due


def _registrations_at_addresses(event_id: int, key_prefix: str, key_suffix: str, *conditions: object
                                ) -> Callable[[int | None, int | None], Select]:
    """A SELECT of the event's seat-holding registrations (meeting `conditions`) at each reachable address of
    the member who made them, with the outbox key ``<prefix><registration id>:<address><suffix>``."""
    def due(low: int | None, high: int | None) -> Select:
        key = (literal(key_prefix, String) + cast(EventRegistration.id, String) + literal(":", String)
               + MemberIdentity.address + literal(key_suffix, String))
        stmt = (sa_select(key.label("key"), col(MemberIdentity.address).label("address"),
                          col(MemberIdentity.channel).label("channel"), col(Member.id).label("member_id"),
                          col(Member.locale).label("locale"), col(EventRegistration.id).label("registration_id"))
                .select_from(EventRegistration)
                .join(Member, col(Member.id) == col(EventRegistration.member_id))
                .join(MemberIdentity, col(MemberIdentity.member_id) == col(Member.id))
                .where(EventRegistration.event_id == event_id,
                       EventRegistration.status == RegStatus.registered.value,
                       MemberIdentity.reachable == True, *conditions))  # noqa: E712
        if low is not None:
            stmt = stmt.where(col(Member.id) >= low, col(Member.id) <= high)
        return stmt
    return due


def _registrations(session: Session, event_id: int) -> tuple[dict[int, Row], dict[int, list[Row]]]:
    """The event's registrations (with their organization's name as ``org_name``) and their attendees,
    read with two queries as plain rows: the cards need a few columns of each, and ORM objects for
    thousands of registrations cost more than the cards."""
    R, A, O = EventRegistration.__table__.c, EventAttendee.__table__.c, Organization.__table__.c
    conn = session.connection()
    regs = {reg.id: reg for reg in conn.execute(
        sa_select(R.id, R.status, R.organization_id, R.phone, R.checkin_code, R.seats, R.offer_expires_at,
                  R.event_id, O.name.label("org_name"))
        .select_from(EventRegistration.__table__.outerjoin(Organization.__table__, O.id == R.organization_id))
        .where(R.event_id == event_id))}
    people: dict[int, list[Row]] = {}
    for person in conn.execute(sa_select(A.registration_id, A.name, A.position).where(A.event_id == event_id)
                               .order_by(A.id)):
        people.setdefault(person.registration_id, []).append(person)
    return regs, people


def event_reminders(session: Session, now: datetime, settings: Settings) -> Iterator[BulkReminders]:
    horizon = now + OFFSETS[0][1]
    events = session.exec(select(Event).where(Event.status == EventStatus.published.value, Event.starts_at > now,
                                              Event.starts_at <= horizon))
    # Worded for the moment it arrives: a reminder held by quiet hours goes out when they end, which may
    # be the event's own day ("วันนี้", not "พรุ่งนี้").
    arrives = to_local(quiet_hours_end(now, settings), settings.tz).date()
    for event in list(events):
        label, cutoff = event_offset(event, now)
        if label is None:
            continue
        days = (to_local(event.starts_at, settings.tz).date() - arrives).days
        key_text = "event.remind.text_today" if days <= 0 else "event.remind.text_1d" if days == 1 \
            else "event.remind.text_3d"

        def render(session: Session, rows: Sequence[Row], event: Event = event, key_text: str = key_text,
                   days: int = days) -> list[list[dict]]:
            regs, people = _registrations(session, event.id)  # type: ignore[arg-type]
            made: dict[tuple[int, str], list[dict]] = {}  # a member on two channels gets the same message
            texts: dict[str, str] = {}  # the same for everyone of a locale
            cards: dict[str, notify.RegistrationCards] = {}
            out = []
            for row in rows:
                loc, reg = row.locale, regs[row.registration_id]
                if loc not in texts:
                    texts[loc] = i18n.t(key_text, loc, title=event.title, when=notify.when_text(event, loc),
                                        venue=event.venue, map=notify.map_link(event) or "-", days=days)
                    cards[loc] = notify.RegistrationCards(event, loc, title_key="event.remind.title")
                if (reg.id, loc) not in made:
                    card = cards[loc].card(session, reg, org_name=reg.org_name, attendees=people.get(reg.id, []))
                    made[(reg.id, loc)] = replies_to_json([Reply(text=texts[loc], card=card)])
                out.append(made[(reg.id, loc)])
            return out

        prefix = f"reminder:event:{event.id}:reg:"
        yield BulkReminders(description=f"event {event.id} {label}", kind="reminder", render=render,
                            due=_registrations_at_addresses(event.id, prefix, f":{label}",  # type: ignore[arg-type]
                                                            col(EventRegistration.created_at) < cutoff),
                            key_prefix=prefix)


def event_feedback(session: Session, now: datetime, settings: Settings) -> Iterator[BulkReminders]:
    events = session.exec(select(Event).where(col(Event.status).in_((EventStatus.published.value,
                                                                     EventStatus.finished.value)),
                                              Event.ends_at <= now, Event.ends_at > now - FEEDBACK_WINDOW))
    today = to_local(now).date()
    for event in list(events):
        if to_local(event.ends_at).date() >= today:
            continue  # the day after: people have gone home, and the evening is not for questions
        conditions = []
        if repo.any_attendance(session, event_id=event.id):  # type: ignore[arg-type]
            conditions.append(exists(sa_select(EventAttendee.id).where(
                EventAttendee.registration_id == EventRegistration.id, EventAttendee.attended == True)))  # noqa: E712

        def render(session: Session, rows: Sequence[Row], event: Event = event) -> list[list[dict]]:
            out = []
            for row in rows:
                loc = row.locale
                choices = tuple(Choice(i18n.t(f"event.fb.r{n}", loc), go("event.feedback", f"{row.registration_id}:{n}"))
                                for n in range(5, 0, -1))
                out.append(replies_to_json([Reply(text=i18n.t("event.fb.question", loc, title=event.title),
                                                  choices=choices)]))
            return out

        prefix = f"event:{event.id}:feedback:"
        yield BulkReminders(description=f"event {event.id} feedback", kind="reminder", render=render,
                            due=_registrations_at_addresses(event.id, prefix, "", *conditions),  # type: ignore[arg-type]
                            key_prefix=prefix)


def expire_waitlist_offers(session: Session, now: datetime, settings: Settings | None = None, *,
                           enqueue: bool = True) -> list[DueReminder]:
    """Expire offers older than 24 hours, offer the freed seats to the next on the waitlist, and tell both.

    Changes data in `session` (the caller commits) and returns the messages as DueReminders; with
    `enqueue` (the default) it also puts them in the outbox itself. Marks ended events finished."""
    from bot import outbox

    offer_start = notify.offer_from(now, settings) if settings is not None else now
    out: list[DueReminder] = []
    for change in repo.expire_offers(session, now=now, offer_from=offer_start):
        event = change.event
        if event is None:
            continue
        for reg in change.expired:
            for address, member in _addresses(session, reg.member_id):
                text = i18n.t("event.offer.expired_notice", member.locale, title=event.title)
                out.append(DueReminder(key=f"event:{event.id}:offer_expired:{reg.id}:{address}", address=address,
                                       replies=(Reply(text=text),), member_id=member.id, kind="notice",
                                       description=f"event {event.id} offer expired → registration {reg.id}"))
        for reg in change.offers:
            for address, member in _addresses(session, reg.member_id):
                loc = member.locale
                card = notify.registration_card(session, reg, event, loc, title_key="event.offer.title")
                text = i18n.t("event.offer.text", loc, title=event.title, seats=reg.seats,
                              until=i18n.format_datetime(reg.offer_expires_at, loc))
                out.append(DueReminder(key=f"event:{event.id}:offer:{reg.id}:{reg.offer_count}:{address}",
                                       address=address, replies=(Reply(text=text, card=card, choices=card.buttons),),
                                       member_id=member.id, kind="waitlist",
                                       description=f"event {event.id} waitlist offer → registration {reg.id}"))
    for due in out if enqueue else ():
        outbox.enqueue(session, key=due.key, address=due.address, replies=list(due.replies), kind=due.kind,
                       member_id=due.member_id, urgent=due.kind == "waitlist")
    return out


def waitlist_offers(session: Session, now: datetime, settings: Settings) -> Iterable[DueReminder]:
    # The scan (bot.reminders.send_due_reminders) enqueues what we yield in this same session and commits
    # (a dry run rolls back, so nothing changes then).
    return expire_waitlist_offers(session, now, settings, enqueue=False)


def register() -> None:
    """Register what this module adds to the bot (called by the composition root, bot.wiring)."""
    reminder_source(waitlist_offers)
    bulk_reminder_source(event_reminders)
    bulk_reminder_source(event_feedback)
