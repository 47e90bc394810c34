"""อบรม/สัมมนา for members: list open events, register attendees (or join the waitlist), and the reply a
registration gets (its card and check-in QR code).

What a member does with a registration once made (my registrations, cancel, accept or decline a waitlist
offer, the feedback question) is in handlers/event_registrations.py, which shows its outcome with
`registration_outcome` from here. Officer conversations are in handlers/event_officer.py, outbox messages
in bot/event_notify.py, reminder sources in handlers/event_reminders.py. State diagrams: docs/events.mmd
(registration), docs/event_officer.mmd, docs/event_attendance.mmd.
"""
from __future__ import annotations

from typing import Any

from bot.context import Context
from bot.forms import Field, Form, Invalid, Reask
from bot.labels import shorten
from bot.messages import CardField, Choice, Reply
from bot.registry import add_flows, add_intents, go, intent, menu_choices
from bot.checkin import qr_media
from handlers.membership import not_in_org
from handlers import event_needs, phrasings
from bot import event_notify as notify
from handlers.fields import clean_text, parse_phone_field, show_phone
from storage.models import Organization
from storage.models.events import Event, RegStatus
from storage.repositories import events as repo

SELF = "@self"
DONE = "@done"


def _org(ctx: Context) -> Organization | None:
    m = ctx.member
    return ctx.session.get(Organization, m.organization_id) if m and m.organization_id else None


def _event(ctx: Context, arg: str | None) -> Event | None:
    return ctx.session.get(Event, int(arg)) if arg and arg.strip().isdigit() else None


def back_choices(ctx: Context) -> list[Choice]:
    return [ctx.choice("event.list_button", go("event.list")), ctx.choice("menu.back_to_menu", go("menu"))]


def open_events(ctx: Context) -> list[Event]:
    m = ctx.member
    officer_only = m is not None and ctx.is_officer and m.organization_id is None
    return repo.open_events_for(ctx.session, org=_org(ctx), now=ctx.clock.now(), officer=officer_only,
                                province_scope=m.officer_province if m else None)


# --- the list -----------------------------------------------------------------------------------------
@intent("event.list", needs_org=True, menu_key="menu.events", order=20,
        words=phrasings.EVENT_LIST)
def list_events(ctx: Context, arg: str | None) -> list[Reply]:
    events = open_events(ctx)
    if not events:
        return [ctx.say("event.none_open", choices=[ctx.choice("event.mine_button", go("event.mine"))]
                        + menu_choices(ctx)[:6])]
    lines = []
    for i, e in enumerate(events, 1):
        free = max(0, e.capacity - repo.seats_held(ctx.session, event_id=e.id))  # type: ignore[arg-type]
        seats = ctx.t("event.row_free", free=free) if free else ctx.t("event.row_full")
        lines.append(ctx.t("event.row", n=i, title=e.title, when=notify.when_text(e, ctx.locale), venue=e.venue,
                           seats=seats))
    choices = [Choice(shorten(f"{i}. {e.title}"), go("event.register", e.id)) for i, e in enumerate(events, 1)][:12]
    choices.append(ctx.choice("menu.back_to_menu", go("menu")))
    return [Reply(text=ctx.t("event.list_intro", count=len(events)) + "\n\n" + "\n\n".join(lines),
                  choices=tuple(choices))]


# --- registering -------------------------------------------------------------------------------------
def _seats_left_for_org(ctx: Context, event_id: int) -> int:
    event = ctx.session.get(Event, event_id)
    used = repo.org_seats(ctx.session, event_id=event_id, organization_id=ctx.member.organization_id if ctx.member else None)
    return max(0, (event.seats_per_org if event else 1) - used)


def _valid_name(name: str) -> bool:
    return 2 <= len(name) <= 120 and not any(ch.isdigit() for ch in name)


def _parse_attendees(raw: str, ctx: Context) -> list[list[str | None]]:
    event_id = int(REGISTER.values(ctx)["event_id"])
    room = _seats_left_for_org(ctx, event_id)
    buf: list[list[str | None]] = list(ctx.data.get("att_buf", []))
    if raw == DONE or (buf and clean_text(raw) in ("เสร็จ", "เสร็จแล้ว", "พอแล้ว", "ครบแล้ว", "done")):
        if not buf:
            raise Invalid("event.reg.need_one")
        ctx.data.pop("att_buf", None)
        return buf
    if raw == SELF or clean_text(raw) in ("ตัวฉันเอง", "ฉันเอง", "ตัวเอง", "myself", "me"):
        m = ctx.member
        new = [[m.full_name or "-", m.position]] if m else []
    else:
        from bot.thai.people import is_position, split_people

        new = []
        for person in split_people(raw):  # "นางสมศรี ใจดี เลขานุการ และนายสมชาย ใจงาม เหรัญญิก": two people
            if is_position(person.name):
                raise Invalid("form.name_is_position", position=person.name)
            if not _valid_name(person.name):
                raise Invalid("event.reg.bad_attendee")
            new.append([person.name, person.position])
    if not new:
        raise Invalid("event.reg.bad_attendee")
    names = {str(n).replace(" ", "") for n, _ in buf}
    whole_list = not buf and len(new) >= 2  # several people in the first message: everyone at once
    new = [a for a in new if str(a[0]).replace(" ", "") not in names]
    buf += new
    if len(buf) > room:
        raise Invalid("event.reg.too_many", max=room)
    if len(buf) >= room or whole_list:
        ctx.data.pop("att_buf", None)
        return buf
    ctx.data["att_buf"] = buf
    raise Reask([ctx.say("event.reg.added", names=", ".join(str(n) for n, _ in buf), left=room - len(buf))])


def _attendee_choices(ctx: Context) -> list[Choice]:
    buf = ctx.data.get("att_buf", [])
    m = ctx.member
    choices = []
    if m and m.full_name and all(str(n).replace(" ", "") != m.full_name.replace(" ", "") for n, _ in buf):
        choices.append(Choice(shorten(ctx.t("event.reg.myself", name=m.full_name)), SELF))
    if buf:
        choices.append(ctx.choice("event.reg.done", DONE))
    return choices


def _attendee_prompt_values(ctx: Context) -> dict[str, object]:
    event_id = int(REGISTER.values(ctx)["event_id"])
    return {"max": _seats_left_for_org(ctx, event_id)}


def _show_attendees(value: Any, ctx: Context) -> str:
    return "\n".join(f"{i}. {n}" + (f" ({p})" if p else "") for i, (n, p) in enumerate(value, 1))


def _phone_choices(ctx: Context) -> list[Choice]:
    m = ctx.member
    if m and m.phone:
        return [Choice(show_phone(m.phone, ctx), m.phone)]
    return []


class RegisterForm(event_needs.NeedsAtReadBack, Form):
    name = "event.register"
    title = "event.reg.summary_title"
    fields = (
        Field("attendees", "event.reg.ask_attendees", _parse_attendees, example="event.reg.example_attendee",
              choices=_attendee_choices, show=_show_attendees, prompt_values=_attendee_prompt_values),
        Field("phone", "event.reg.ask_phone", parse_phone_field, example="signup.example_phone",
              choices=_phone_choices, show=show_phone, aliases=("เบอร์โทร", "เบอร์", "โทร", "phone")),
        event_needs.NEEDS_FIELD,
    )

    def summary_extra(self, ctx: Context, values: dict[str, Any]) -> list[CardField]:
        event = ctx.session.get(Event, int(values["event_id"]))
        if event is None:
            return []
        return [CardField(ctx.t("event.f.title"), event.title),
                CardField(ctx.t("event.f.when"), notify.when_text(event, ctx.locale))]

    def on_confirm(self, ctx: Context, values: dict[str, Any]) -> list[Reply]:
        m = ctx.member
        assert m is not None
        event_id = int(values["event_id"])
        attendees = [(str(n), p) for n, p in values["attendees"]]
        res = repo.register(ctx.session, event_id=event_id, member_id=m.id, organization_id=m.organization_id,
                            attendees=attendees, phone=values["phone"], now=ctx.clock.now())
        if res.outcome in ("registered", "waitlisted"):
            event_needs.save(ctx, res.registration, values.get("needs"))
        return registration_outcome(ctx, res)


def registration_outcome(ctx: Context, res: repo.RegisterResult) -> list[Reply]:
    after = [ctx.choice("event.mine_button", go("event.mine")), ctx.choice("menu.back_to_menu", go("menu"))]
    if res.outcome in ("registered", "waitlisted", "already"):
        reg, event = res.registration, res.event
        assert reg is not None and event is not None
        key = {"registered": "event.reg.done_registered", "waitlisted": "event.reg.done_waitlisted",
               "already": "event.reg.already"}[res.outcome]
        card = notify.registration_card(ctx.session, reg, event, ctx.locale)
        text = ctx.t(key, title=event.title, position=res.position or "-", code=reg.checkin_code)
        if reg.status == RegStatus.registered.value:  # the QR code to show at the door
            return [Reply(card=card, text=text),
                    Reply(text=ctx.t("checkin.qr_caption", code=reg.checkin_code), media=qr_media(ctx.settings, reg.id),  # type: ignore[arg-type]
                          choices=tuple(card.buttons) + tuple(after))]
        return [Reply(card=card, text=text, choices=tuple(card.buttons) + tuple(after))]
    if res.outcome == "org_full":
        return [ctx.say("event.reg.org_full", left=res.org_remaining or 0, choices=after)]
    return [ctx.say("event.reg.closed", choices=back_choices(ctx))]


REGISTER = RegisterForm()


@intent("event.register", order=21, words=phrasings.EVENT_REGISTER)
def start_register(ctx: Context, arg: str | None) -> list[Reply]:
    event = _event(ctx, arg)
    if event is None:
        # "ลงทะเบียน", "ขอต่อคิวสำรอง" with no event named: the only open one is meant (its card is shown
        # next); with several, the list to choose from.
        events = open_events(ctx) if arg is None else []
        if len(events) != 1:
            return list_events(ctx, None)
        event = events[0]
    m = ctx.member
    assert m is not None
    now = ctx.clock.now()
    if not repo.is_open(event, now):
        key = "event.reg.cancelled_event" if event.status == "cancelled" else "event.reg.closed"
        return [ctx.say(key, title=event.title, choices=back_choices(ctx))]
    org = _org(ctx)
    if org is None:
        return not_in_org(ctx, "event.reg.no_org")
    existing = repo.active_registration(ctx.session, event_id=event.id, member_id=m.id)  # type: ignore[arg-type]
    if existing is not None:
        res = repo.RegisterResult("already", existing, event, repo.waitlist_position(ctx.session, registration=existing))
        return registration_outcome(ctx, res)
    if not repo.in_audience(event, org):
        return [ctx.say("event.reg.not_for_you", title=event.title,
                        audience=notify.audience_text(event, ctx.locale), choices=back_choices(ctx))]
    room = _seats_left_for_org(ctx, event.id)  # type: ignore[arg-type]
    if room <= 0:
        return [ctx.say("event.reg.org_used_all", max=event.seats_per_org, choices=back_choices(ctx))]
    card = notify.event_card(ctx.session, event, ctx.locale, register_button=False)
    free = event.capacity - repo.seats_held(ctx.session, event_id=event.id)  # type: ignore[arg-type]
    if free <= 0:
        position = repo.waitlist_length(ctx.session, event_id=event.id) + 1  # type: ignore[arg-type]
        intro = [Reply(card=card), ctx.say("event.reg.full_waitlist", position=position)]
    else:
        intro = [Reply(card=card), ctx.say("event.reg.intro", title=event.title)]
    values: dict[str, Any] = {"event_id": event.id}
    if m.phone:  # the member's own phone is the contact unless changed at the read-back
        values["phone"] = m.phone
    return REGISTER.start(ctx, values, intro=intro)


def register() -> None:
    """Register what this module adds to the bot (called by the composition root, bot.wiring)."""
    add_flows(REGISTER)
    add_intents(list_events, start_register)
