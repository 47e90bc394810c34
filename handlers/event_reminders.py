"""Reminder sources for events (registered with bot.reminders; the delivery engine's scan calls them).

* ``event_reminders``: 3 days and 1 day before the start, with venue, time and map link, to members whose
  registration holds seats (``registered``) — not to the waitlist. Key
  ``reminder:event:<id>:reg:<registration>:<address>:-3d|-1d``. An offset is skipped when it is stale:
  the event already started, a later offset is already due (a scan after downtime sends only the 1-day
  one), or the registration was made after the offset's moment (they just got the confirmation).
* ``event_feedback``: after the event (from its end up to 7 days), the one feedback question to each
  registration that attended (or to every registration when no attendance was taken). Key
  ``event:<id>:feedback:<registration>:<address>``.
* ``waitlist_offers``: offers not accepted within 24 hours lose their place and the seats are offered to
  the next on the waitlist (`expire_waitlist_offers`). This source *changes data* in the scan's session;
  the scan enqueues the yielded offers in that same transaction and commits (a dry run rolls back).
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from bot import i18n
from bot.config import Settings
from bot.messages import Choice, Reply
from bot.registry import go
from bot.reminders import DueReminder, reminder_source
from handlers import event_notify as notify
from storage.models import Member
from storage.models.events import Event, EventRegistration, EventStatus, RegStatus
from storage.repositories import events as repo
from storage.repositories import members as members_repo

OFFSETS = (("-3d", timedelta(days=3)), ("-1d", timedelta(days=1)))
FEEDBACK_WINDOW = timedelta(days=7)


def _addresses(session: Session, member_id: int | None) -> list[tuple[str, Member]]:
    member = session.get(Member, member_id) if member_id is not None else None
    if member is None:
        return []
    return [(a, member) for a in members_repo.addresses(session, member_id=member.id)]  # type: ignore[arg-type]


def due_offset(event: Event, reg: EventRegistration, now: datetime) -> str | None:
    """The reminder offset due now for this registration, or None."""
    if now >= event.starts_at:
        return None
    due = None
    for label, delta in OFFSETS:  # later offsets win: a late scan sends the nearest one only
        moment = event.starts_at - delta
        if now >= moment and reg.created_at < moment:
            due = label
        elif now >= moment:
            due = None
    return due


@reminder_source
def event_reminders(session: Session, now: datetime, settings: Settings) -> Iterator[DueReminder]:
    horizon = now + OFFSETS[0][1]
    events = session.exec(select(Event).where(Event.status == EventStatus.published.value, Event.starts_at > now,
                                              Event.starts_at <= horizon))
    for event in list(events):
        for reg in repo.registrations_of_event(session, event_id=event.id, statuses=(RegStatus.registered.value,)):  # type: ignore[arg-type]
            label = due_offset(event, reg, now)
            if label is None:
                continue
            for address, member in _addresses(session, reg.member_id):
                loc = member.locale
                card = notify.registration_card(session, reg, event, loc, title_key="event.remind.title")
                key_text = "event.remind.text_3d" if label == "-3d" else "event.remind.text_1d"
                text = i18n.t(key_text, loc, title=event.title, when=notify.when_text(event, loc), venue=event.venue,
                              map=notify.map_link(event) or "-")
                yield DueReminder(key=f"reminder:event:{event.id}:reg:{reg.id}:{address}:{label}", address=address,
                                  replies=(Reply(text=text, card=card),), member_id=member.id, kind="reminder",
                                  about_own_obligation=True,
                                  description=f"event {event.id} {label} → registration {reg.id}")


@reminder_source
def event_feedback(session: Session, now: datetime, settings: Settings) -> Iterator[DueReminder]:
    events = session.exec(select(Event).where(col(Event.status).in_((EventStatus.published.value,
                                                                     EventStatus.finished.value)),
                                              Event.ends_at <= now, Event.ends_at > now - FEEDBACK_WINDOW))
    for event in list(events):
        taken = repo.any_attendance(session, event_id=event.id)  # type: ignore[arg-type]
        for reg in repo.registrations_of_event(session, event_id=event.id, statuses=(RegStatus.registered.value,)):  # type: ignore[arg-type]
            if taken and not any(a.attended for a in repo.attendees_of(session, registration_id=reg.id)):  # type: ignore[arg-type]
                continue
            for address, member in _addresses(session, reg.member_id):
                loc = member.locale
                choices = tuple(Choice(i18n.t(f"event.fb.r{n}", loc), go("event.feedback", f"{reg.id}:{n}"))
                                for n in range(5, 0, -1))
                yield DueReminder(key=f"event:{event.id}:feedback:{reg.id}:{address}", address=address,
                                  replies=(Reply(text=i18n.t("event.fb.question", loc, title=event.title),
                                                 choices=choices),),
                                  member_id=member.id, kind="reminder", about_own_obligation=True,
                                  description=f"event {event.id} feedback → registration {reg.id}")


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


@reminder_source
def waitlist_offers(session: Session, now: datetime, settings: Settings) -> Iterable[DueReminder]:
    # The scan (bot.reminders.send_due_reminders) enqueues what we yield in this same session and commits
    # (a dry run rolls back, so nothing changes then).
    return expire_waitlist_offers(session, now, settings, enqueue=False)
