"""Questions to the office: office hours, telling the province's officers, sending an officer's answer.

Shared by the chat (handlers/tickets.py) and the console's inbox (bot/console/inbox.py). Everything here
runs inside the caller's transaction and only writes outbox rows (keys below), never calls a platform:

* ``ticket:<id>:msg:<message id>:officer:<member id>`` — a new question or follow-up, to each officer of
  the province (and the national ones) at their preferred chat; urgent questions ignore quiet hours.
* ``ticket:<id>:answer:<message id>`` — the answer, to the chat the member asked from: exactly once.
* ``ticket:<id>:wait:<epoch>:remind:<n>:officer:<member id>`` — the n-th reminder of a question still
  waiting after n × `ticket_remind_office_hours` office hours (at most 3 per wait).
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, or_, select

from bot import i18n, outbox
from bot.audiences import CHANNEL_PREFERENCE
from bot.clock import to_local
from bot.config import Settings
from bot.messages import Choice, Reply
from bot.registry import go
from storage.models import Member, MemberIdentity, Organization
from storage.models.tickets import Ticket, TicketMessage
from storage.repositories import tickets as repo

MAX_REMINDERS = 3
URGENT_WORDS = ("ด่วน", "urgent", "เร่งด่วน")


# --- office hours -----------------------------------------------------------------------------------
def _open_window(day: datetime, settings: Settings) -> tuple[datetime, datetime] | None:
    if day.weekday() >= 5:
        return None
    start = day.replace(hour=settings.office_hours_start, minute=0, second=0, microsecond=0)
    end = (day.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(hours=settings.office_hours_end))
    return start, end


def office_hours_between(start: datetime, end: datetime, settings: Settings) -> float:
    """Office hours (Monday–Friday, `office_hours_start`–`office_hours_end`, Bangkok) between two instants."""
    a, b = to_local(start, settings.tz), to_local(end, settings.tz)
    total = 0.0
    day = a.replace(hour=0, minute=0, second=0, microsecond=0)
    while day <= b and total < 10_000:
        window = _open_window(day, settings)
        if window:
            lo, hi = max(window[0], a), min(window[1], b)
            if hi > lo:
                total += (hi - lo).total_seconds() / 3600
        day += timedelta(days=1)
    return total


def add_office_hours(start: datetime, hours: float, settings: Settings) -> datetime:
    """The instant `hours` office hours after `start`."""
    at = to_local(start, settings.tz)
    left = hours * 3600.0
    day = at.replace(hour=0, minute=0, second=0, microsecond=0)
    for _ in range(400):
        window = _open_window(day, settings)
        if window:
            lo = max(window[0], at)
            if window[1] > lo:
                room = (window[1] - lo).total_seconds()
                if room >= left:
                    return lo + timedelta(seconds=left)
                left -= room
        day += timedelta(days=1)
    return at


def expected_answer(now: datetime, settings: Settings, locale: str) -> str:
    """"ภายใน ... " for the member: when an answer is due, in office hours."""
    due = add_office_hours(now, settings.ticket_answer_office_hours, settings)
    return i18n.t("tickets.expect_by", locale, when=i18n.format_datetime(due, locale),
                  start=f"{settings.office_hours_start:02d}.00", end=f"{settings.office_hours_end:02d}.00")


def is_urgent(text: str) -> bool:
    low = text.lower()
    return any(w in low for w in URGENT_WORDS)


# --- who hears about it ----------------------------------------------------------------------------
def officer_addresses(session: Session, province: str | None) -> list[tuple[int, str, str]]:
    """(member id, preferred reachable chat, locale) of the officers who oversee `province`."""
    stmt = (select(Member.id, Member.locale, MemberIdentity.address, MemberIdentity.channel)
            .join(MemberIdentity, col(MemberIdentity.member_id) == col(Member.id))
            .where(Member.role == "officer", MemberIdentity.reachable == True,  # noqa: E712
                   col(MemberIdentity.channel).in_(("line", "telegram"))))
    if province:
        stmt = stmt.where(or_(Member.officer_province == province, col(Member.officer_province).is_(None)))
    else:
        stmt = stmt.where(col(Member.officer_province).is_(None))
    best: dict[int, tuple[int, str, str]] = {}
    for member_id, locale, address, channel in session.exec(stmt):
        rank = CHANNEL_PREFERENCE.get(channel, 9)
        if member_id not in best or rank < best[member_id][0]:
            best[member_id] = (rank, address, locale or "th")
    return [(mid, addr, loc) for mid, (_r, addr, loc) in sorted(best.items())]


def asker_label(session: Session, ticket: Ticket) -> str:
    member = session.get(Member, ticket.member_id) if ticket.member_id else None
    org = session.get(Organization, ticket.organization_id) if ticket.organization_id else None
    name = (member.full_name if member else None) or "-"
    return f"{name} ({org.name})" if org else name


def _quote(message: TicketMessage, locale: str) -> str:
    text = message.text or ""
    if message.photos:
        photos = i18n.t("tickets.photos", locale, count=len(message.photos))
        text = f"{text}\n{photos}" if text else photos
    return text[:1500]


def notify_officers(session: Session, ticket: Ticket, message: TicketMessage) -> int:
    """Tell the province's officers about a new question or follow-up. Returns how many were told."""
    told = 0
    who = asker_label(session, ticket)
    for officer_id, address, locale in officer_addresses(session, ticket.province):
        if address == ticket.address:
            continue  # an officer asking their own office is not notified of their own question
        key = "tickets.officer_new" if message.id == _first_message_id(session, ticket) else "tickets.officer_follow_up"
        reply = Reply(text=i18n.t(key, locale, id=ticket.id, who=who, text=_quote(message, locale)),
                      choices=(Choice(i18n.t("tickets.answer_button", locale, id=ticket.id),
                                      go("ticket.answer", ticket.id)),))
        told += int(outbox.enqueue(session, key=f"ticket:{ticket.id}:msg:{message.id}:officer:{officer_id}",
                                   address=address, replies=[reply], kind="notice", member_id=officer_id,
                                   urgent=ticket.urgent))
    return told


def _first_message_id(session: Session, ticket: Ticket) -> int | None:
    return session.exec(select(TicketMessage.id).where(TicketMessage.ticket_id == ticket.id)
                        .order_by(col(TicketMessage.id)).limit(1)).first()


def send_answer(session: Session, ticket: Ticket, *, text: str, officer_name: str | None, channel: str) -> TicketMessage:
    """Record an officer's answer and queue it for the member's chat (exactly once, by its key)."""
    message = repo.add_message(session, ticket=ticket, author="officer", text=text, author_name=officer_name,
                               channel=channel)
    member = session.get(Member, ticket.member_id) if ticket.member_id else None
    locale = (member.locale if member else None) or "th"
    office = ticket.province or i18n.t("tickets.national_office", locale)
    reply = Reply(text=i18n.t("tickets.answer_to_member", locale, id=ticket.id, office=office, text=text),
                  choices=(Choice(i18n.t("menu.back_to_menu", locale), go("menu")),))
    outbox.enqueue(session, key=f"ticket:{ticket.id}:answer:{message.id}", address=ticket.address, replies=[reply],
                   kind="notice", member_id=ticket.member_id)
    return message


def may_handle(ticket: Ticket, province: str | None) -> bool:
    """An officer of `province` (None: national) may see and answer this ticket."""
    return province is None or ticket.province == province


# --- reminders --------------------------------------------------------------------------------------
def due_reminders(session: Session, now: datetime, settings: Settings):  # noqa: ANN201
    """Questions waiting longer than n × `ticket_remind_office_hours`: the n-th reminder to the officers."""
    from bot.reminders import DueReminder

    every = settings.ticket_remind_office_hours
    # A question cannot have waited `every` office hours in less than `every` hours of clock time.
    for ticket in repo.waiting(session, older_than=now - timedelta(hours=every)):
        since = ticket.waiting_since
        n = min(MAX_REMINDERS, int(office_hours_between(since, now, settings) // every))  # type: ignore[arg-type]
        if n < 1:
            continue
        stamp = int(since.timestamp())  # type: ignore[union-attr]
        waited = n * every
        for officer_id, address, locale in officer_addresses(session, ticket.province):
            reply = Reply(text=i18n.t("tickets.officer_reminder", locale, id=ticket.id, hours=waited,
                                      subject=ticket.subject),
                          choices=(Choice(i18n.t("tickets.answer_button", locale, id=ticket.id),
                                          go("ticket.answer", ticket.id)),))
            yield DueReminder(key=f"ticket:{ticket.id}:wait:{stamp}:remind:{n}:officer:{officer_id}",
                              address=address, replies=(reply,), member_id=officer_id, kind="notice",
                              about_own_obligation=True, description=f"ticket {ticket.id} waiting {waited}h")
