"""Event cards and everything the office tells members about events, through the outbox.

Every message here is enqueued in the caller's transaction with a key decided before sending:

| message | key |
|---|---|
| announcement when published | ``event:<id>:announce:<address>`` |
| waitlist offer | ``event:<id>:offer:<registration>:<offer n>:<address>`` |
| offer expired | ``event:<id>:offer_expired:<registration>:<address>`` |
| event changed | ``event:<id>:changed:v<version>:<address>`` |
| event cancelled | ``event:<id>:cancelled:<address>`` |
| reminders / feedback question | handlers/event_reminders.py |
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session

from bot import audiences, i18n, outbox
from bot.clock import to_local
from bot.labels import shorten
from bot.messages import Card, CardField, Choice, Reply, replies_to_json
from bot.registry import go
from storage.models import Member, Organization
from storage.models.events import Event, EventRegistration, RegStatus
from storage.repositories import events as repo
from storage.repositories import members as members_repo

# Changes members are told about, and how each is named in the notice.
CHANGE_LABELS = {"starts_at": "event.f.when", "ends_at": "event.f.when", "venue": "event.f.venue",
                 "map_url": "event.f.map", "latitude": "event.f.map", "longitude": "event.f.map",
                 "title": "event.f.title"}
KIND_KEYS = {"training": "event.kind.training", "seminar": "event.kind.seminar", "forum": "event.kind.forum"}


# --- formatting -----------------------------------------------------------------------------------
# An event's name in the broadcast form's list (the chat's buttons shorten it again to fit).
EVENT_LABEL = 60


def kind_label(kind: str, loc: str) -> str:
    return i18n.t(KIND_KEYS.get(kind, "event.kind.training"), loc)


def when_text(event: Event, loc: str) -> str:
    """'29–31 ม.ค. 2570 เวลา 09.00–16.00 น.' (times are each day's)."""
    return when_text_of(event.starts_at, event.ends_at, loc)


def when_text_of(starts_at: datetime, ends_at: datetime, loc: str) -> str:
    s, e = to_local(starts_at), to_local(ends_at)
    return i18n.t("event.when", loc, dates=i18n.format_date_range(s.date(), e.date(), loc),
                  start=_hm(s, loc), end=_hm(e, loc))


def _hm(dt: datetime, loc: str) -> str:
    return dt.strftime("%H:%M") if i18n.normalize_locale(loc) == "en" else dt.strftime("%H.%M")


def map_link(event: Event) -> str | None:
    if event.map_url:
        return event.map_url
    if event.latitude is not None and event.longitude is not None:
        return f"https://www.google.com/maps/search/?api=1&query={event.latitude:.6f},{event.longitude:.6f}"
    return None


def audience_text(event: Event, loc: str) -> str:
    kinds = ", ".join(i18n.t(f"kind.{k}", loc) for k in event.audience_kinds) or i18n.t("event.audience_all_kinds", loc)
    provinces = ", ".join(event.audience_provinces) or i18n.t("event.audience_all_provinces", loc)
    return f"{kinds} · {provinces}"


def event_fields(session: Session, event: Event, loc: str, *, seats: bool = True) -> list[CardField]:
    rows = [CardField(i18n.t("event.f.kind", loc), kind_label(event.kind, loc)),
            CardField(i18n.t("event.f.when", loc), when_text(event, loc)),
            CardField(i18n.t("event.f.venue", loc), event.venue)]
    link = map_link(event)
    if link:
        rows.append(CardField(i18n.t("event.f.map", loc), link))
    if seats:
        free = max(0, event.capacity - repo.seats_held(session, event_id=event.id))  # type: ignore[arg-type]
        rows.append(CardField(i18n.t("event.f.seats", loc),
                              i18n.t("event.seats_left", loc, capacity=event.capacity, free=free)))
        rows.append(CardField(i18n.t("event.f.seats_per_org", loc), str(event.seats_per_org)))
    if event.registration_deadline:
        rows.append(CardField(i18n.t("event.f.deadline", loc), i18n.format_datetime(event.registration_deadline, loc)))
    return rows


def event_card(session: Session, event: Event, loc: str, *, register_button: bool = True,
               title_key: str | None = None) -> Card:
    buttons = (Choice(i18n.t("event.register_button", loc), go("event.register", event.id)),) if register_button else ()
    title = i18n.t(title_key, loc, title=event.title) if title_key else event.title
    return Card(title=title, fields=tuple(event_fields(session, event, loc)), text=event.description,
                buttons=buttons, link_url=map_link(event))


def status_text(session: Session, reg: EventRegistration, loc: str) -> str:
    if reg.status == RegStatus.waitlisted.value:
        return i18n.t("event.status.waitlisted", loc, position=repo.waitlist_position(session, registration=reg))
    if reg.status == RegStatus.offered.value:
        return i18n.t("event.status.offered", loc, until=i18n.format_datetime(reg.offer_expires_at, loc))
    return i18n.t(f"event.status.{reg.status}", loc)


def attendee_lines(session: Session, reg: EventRegistration, attendees: list | None = None) -> str:
    if attendees is None:
        attendees = repo.attendees_of(session, registration_id=reg.id)  # type: ignore[arg-type]
    return "\n".join(f"{i}. {a.name}" + (f" ({a.position})" if a.position else "")
                     for i, a in enumerate(attendees, 1))


class RegistrationCards:
    """The cards of registrations of one event in one locale. What is the same on every card (the labels,
    the time, the venue, the map) is made once: a reminder scan renders thousands."""

    def __init__(self, event: Event, loc: str, *, title_key: str = "event.reg.card_title") -> None:
        self.event, self.loc = event, loc
        self.title = i18n.t(title_key, loc, title=event.title)
        self.label = {k: i18n.t(f"event.f.{k}", loc) for k in ("status", "org", "attendees", "phone", "checkin")}
        self.head = (CardField(i18n.t("event.f.when", loc), when_text(event, loc)),
                     CardField(i18n.t("event.f.venue", loc), event.venue))
        self.link = map_link(event)
        self.tail = (CardField(i18n.t("event.f.map", loc), self.link),) if self.link else ()
        self._status: dict[str, str] = {}

    def _status_text(self, session: Session, reg: EventRegistration) -> str:
        if reg.status in (RegStatus.waitlisted.value, RegStatus.offered.value):  # a place or a time of its own
            return status_text(session, reg, self.loc)
        if reg.status not in self._status:
            self._status[reg.status] = status_text(session, reg, self.loc)
        return self._status[reg.status]

    def card(self, session: Session, reg: EventRegistration, *, org_name: str | None = None,
             attendees: list | None = None) -> Card:
        """`reg` and `attendees` may be ORM objects or rows with the same attributes; the organization's
        name and the attendees are read when not given."""
        if org_name is None and reg.organization_id:
            org = session.get(Organization, reg.organization_id)
            org_name = org.name if org is not None else None
        label, loc = self.label, self.loc
        rows = [*self.head, CardField(label["status"], self._status_text(session, reg))]
        if org_name is not None:
            rows.append(CardField(label["org"], org_name))
        rows.append(CardField(label["attendees"], attendee_lines(session, reg, attendees)))
        if reg.phone:
            from bot.thai import format_phone

            rows.append(CardField(label["phone"], format_phone(reg.phone)))
        if reg.status == RegStatus.registered.value:
            rows.append(CardField(label["checkin"], reg.checkin_code))
        rows += self.tail
        buttons: list[Choice] = []
        if reg.status == RegStatus.offered.value:
            buttons += [Choice(i18n.t("event.offer.accept", loc), go("event.accept", reg.id)),
                        Choice(i18n.t("event.offer.decline", loc), go("event.decline", reg.id))]
        if reg.status in (RegStatus.registered.value, RegStatus.waitlisted.value):
            buttons.append(Choice(i18n.t("event.cancel_button", loc), go("event.cancel", reg.id)))
        return Card(title=self.title, fields=tuple(rows), buttons=tuple(buttons), link_url=self.link)


def registration_card(session: Session, reg: EventRegistration, event: Event, loc: str, *,
                      title_key: str = "event.reg.card_title") -> Card:
    """What a member keeps: the event, their status, the attendees and the check-in code to show."""
    return RegistrationCards(event, loc, title_key=title_key).card(session, reg)


# --- outbox ------------------------------------------------------------------------------------------
def _member_addresses(session: Session, member_id: int | None) -> list[tuple[str, str]]:
    if member_id is None:
        return []
    member = session.get(Member, member_id)
    if member is None:
        return []
    return [(a, member.locale) for a in members_repo.addresses(session, member_id=member_id)]


def announce(session: Session, *, event: Event) -> int:
    """The announcement card to every member of the audience (one outbox row per address). Returns how
    many members it goes to. Members who opted out of announcements get nothing."""
    cards: dict[str, list] = {}
    rows = []
    members = set()
    for member_id, address, loc in repo.audience_recipients(session, event=event):
        if loc not in cards:
            card = event_card(session, event, loc, title_key="event.announce_title")
            cards[loc] = replies_to_json([Reply(text=i18n.t("event.announce_text", loc, kind=kind_label(event.kind, loc)),
                                                       card=card)])
        rows.append(outbox.outbox_row(key=f"event:{event.id}:announce:{address}", address=address,
                                      content=cards[loc], kind="broadcast", member_id=member_id))
        members.add(member_id)
    outbox.enqueue_many(session, rows)
    return len(members)


def send_offers(session: Session, *, event: Event, offers: Sequence[EventRegistration]) -> None:
    for reg in offers:
        for address, loc in _member_addresses(session, reg.member_id):
            card = registration_card(session, reg, event, loc, title_key="event.offer.title")
            text = i18n.t("event.offer.text", loc, title=event.title, seats=reg.seats,
                          until=i18n.format_datetime(reg.offer_expires_at, loc))
            outbox.enqueue(session, key=f"event:{event.id}:offer:{reg.id}:{reg.offer_count}:{address}",
                           address=address, replies=[Reply(text=text, card=card, choices=card.buttons)],
                           kind="waitlist", member_id=reg.member_id, urgent=True)


def send_expired(session: Session, *, event: Event, expired: Sequence[EventRegistration]) -> None:
    for reg in expired:
        for address, loc in _member_addresses(session, reg.member_id):
            outbox.enqueue(session, key=f"event:{event.id}:offer_expired:{reg.id}:{address}", address=address,
                           replies=[Reply(text=i18n.t("event.offer.expired_notice", loc, title=event.title))],
                           kind="notice", member_id=reg.member_id)


def notify_change(session: Session, *, event: Event, changed: Sequence[str]) -> int:
    """Tell every registrant (registered, waitlisted, offered) what changed. Returns how many addresses."""
    n = 0
    for reg in repo.registrations_of_event(session, event_id=event.id,  # type: ignore[arg-type]
                                           statuses=("registered", "waitlisted", "offered")):
        for address, loc in _member_addresses(session, reg.member_id):
            what = ", ".join(dict.fromkeys(i18n.t(CHANGE_LABELS.get(name, "event.f.details"), loc)
                                           for name in changed))
            card = registration_card(session, reg, event, loc)
            outbox.enqueue(session, key=f"event:{event.id}:changed:v{event.version}:{address}", address=address,
                           replies=[Reply(text=i18n.t("event.changed_notice", loc, title=event.title, what=what),
                                          card=card)], kind="notice", member_id=reg.member_id, urgent=True)
            n += 1
    return n


def notify_cancelled(session: Session, *, event: Event, registrations: Sequence[EventRegistration]) -> int:
    n = 0
    for reg in registrations:
        for address, loc in _member_addresses(session, reg.member_id):
            outbox.enqueue(session, key=f"event:{event.id}:cancelled:{address}", address=address,
                           replies=[Reply(text=i18n.t("event.cancelled_notice", loc, title=event.title,
                                                      when=when_text(event, loc)))],
                           kind="notice", member_id=reg.member_id, urgent=True)
            n += 1
    return n


def offer_from(now: datetime, settings) -> datetime:  # noqa: ANN001
    """When an offer made now can first reach the member: after the quiet hours, so they get 24 waking hours."""
    return outbox.quiet_hours_end(now, settings)


# --- broadcasts: "registrants of an event" audience and event cards attached to announcements ---------------
def _scoped_events(session: Session, scope: str | None) -> list[Event]:
    from bot.clock import clock

    return repo.list_events(session, province=scope, statuses=("published",), upcoming_after=clock.now(), limit=12)


def _event_options(session: Session, scope: str | None, locale: str) -> list[tuple[str, str]]:
    return [(shorten(e.title), str(e.id)) for e in _scoped_events(session, scope)]


def _describe_event(session: Session, param: str | None, locale: str) -> str:
    event = session.get(Event, int(param)) if param and param.isdigit() else None
    return event.title if event else "-"


def _registrant_ids(session: Session, param: str | None, scope: str | None):  # noqa: ANN202
    """Members with an active registration (registered, waitlisted, offered) for the event."""
    from sqlalchemy import select as sa_select

    from storage.models.events import ACTIVE

    event_id = int(param) if param and param.isdigit() else -1
    return (sa_select(EventRegistration.member_id)
            .where(EventRegistration.event_id == event_id, EventRegistration.status.in_(ACTIVE),  # type: ignore[attr-defined]
                   EventRegistration.member_id.is_not(None)))  # type: ignore[union-attr]


def _event_choices(session: Session, scope: str | None) -> list[tuple[int, str]]:
    return [(e.id, shorten(e.title, EVENT_LABEL)) for e in _scoped_events(session, scope)]  # type: ignore[misc]


def _event_card_reply(session: Session, event_id: int, locale: str) -> Reply | None:
    event = session.get(Event, event_id)
    if event is None or event.status == "cancelled":
        return None
    return Reply(card=event_card(session, event, locale))


def register() -> None:
    """Broadcasts can reach an event's registrants and carry the event's card (bot.wiring calls this)."""
    audiences.audience_provider("event_registrants", label_key="event.audience.registrants", order=30,
                                options=_event_options, describe=_describe_event,
                                about_own_obligation=True)(_registrant_ids)
    audiences.register_event_hooks(_event_choices, _event_card_reply)
