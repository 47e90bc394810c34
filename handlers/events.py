"""อบรม/สัมมนา for members: list open events, register attendees (or join the waitlist), my registrations,
cancel, accept or decline a waitlist offer, answer the feedback question.

Officer conversations are in handlers/event_officer.py, outbox messages in bot/event_notify.py,
reminder sources in handlers/event_reminders.py. State diagrams: docs/events.mmd (registration),
docs/event_officer.mmd, docs/event_attendance.mmd.
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
from handlers.fields import clean_text, parse_phone_field, show_phone, yes_no_answer
from storage.models import Organization
from storage.models.events import Event, EventRegistration, RegStatus
from storage.repositories import events as repo

SELF = "@self"
DONE = "@done"


def _org(ctx: Context) -> Organization | None:
    m = ctx.member
    return ctx.session.get(Organization, m.organization_id) if m and m.organization_id else None


def _event(ctx: Context, arg: str | None) -> Event | None:
    return ctx.session.get(Event, int(arg)) if arg and arg.strip().isdigit() else None


def _back_choices(ctx: Context) -> list[Choice]:
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
    return [ctx.say("event.reg.closed", choices=_back_choices(ctx))]


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
        return [ctx.say(key, title=event.title, choices=_back_choices(ctx))]
    org = _org(ctx)
    if org is None:
        return not_in_org(ctx, "event.reg.no_org")
    existing = repo.active_registration(ctx.session, event_id=event.id, member_id=m.id)  # type: ignore[arg-type]
    if existing is not None:
        res = repo.RegisterResult("already", existing, event, repo.waitlist_position(ctx.session, registration=existing))
        return registration_outcome(ctx, res)
    if not repo.in_audience(event, org):
        return [ctx.say("event.reg.not_for_you", title=event.title,
                        audience=notify.audience_text(event, ctx.locale), choices=_back_choices(ctx))]
    room = _seats_left_for_org(ctx, event.id)  # type: ignore[arg-type]
    if room <= 0:
        return [ctx.say("event.reg.org_used_all", max=event.seats_per_org, choices=_back_choices(ctx))]
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


# --- my registrations ----------------------------------------------------------------------------------
@intent("event.mine", needs_org=True, menu_key="menu.my_registrations", order=22,
        words=phrasings.EVENT_MINE)
def my_registrations(ctx: Context, arg: str | None) -> list[Reply]:
    m = ctx.member
    assert m is not None
    regs = repo.registrations_of_member(ctx.session, member_id=m.id, since=ctx.clock.now())  # type: ignore[arg-type]
    if arg is None and ctx.msg.postback is None and _asks_to_cancel(ctx.msg.input):
        live = [reg for reg, _ in regs if reg.status in CANCELLABLE]
        if len(live) == 1:  # "ยกเลิกการลงทะเบียน" with one registration: that one, asked once to be sure
            return start_cancel(ctx, str(live[0].id))
    if not regs:
        return [ctx.say("event.mine_none", choices=[ctx.choice("event.list_button", go("event.list"))]
                        + menu_choices(ctx)[:6])]
    replies = [ctx.say("event.mine_intro", count=len(regs))]
    for reg, event in regs[:4]:
        replies.append(Reply(card=notify.registration_card(ctx.session, reg, event, ctx.locale)))
    if len(regs) > 4:
        more = "\n".join(f"• {e.title} — {notify.status_text(ctx.session, r, ctx.locale)}" for r, e in regs[4:])
        replies.append(Reply(text=more))
    replies[-1] = Reply(text=replies[-1].text, card=replies[-1].card,
                        choices=(ctx.choice("event.list_button", go("event.list")),
                                 ctx.choice("menu.back_to_menu", go("menu"))))
    return replies


def _own_registration(ctx: Context, arg: str | None) -> EventRegistration | None:
    head = (arg or "").split(":")[0].strip()
    reg = ctx.session.get(EventRegistration, int(head)) if head.isdigit() else None
    m = ctx.member
    if reg is None or m is None:
        return None
    if reg.member_id == m.id or (reg.organization_id is not None and reg.organization_id == m.organization_id):
        return reg
    return None


# --- cancel ------------------------------------------------------------------------------------------
class CancelFlow:
    """Asks once to be sure, then cancels; freed seats are offered down the waitlist."""

    name = "event.cancel"

    def reprompt(self, ctx: Context) -> list[Reply]:
        reg = ctx.session.get(EventRegistration, int(ctx.data["reg"]))
        event = ctx.session.get(Event, reg.event_id) if reg else None
        return [ctx.say("event.cancel_confirm", title=event.title if event else "-",
                        choices=[ctx.choice("event.cancel_yes", "yes"), ctx.choice("event.cancel_no", "no")])]

    def back(self, ctx: Context) -> list[Reply]:
        ctx.end()
        return my_registrations(ctx, None)

    def handle(self, ctx: Context) -> list[Reply]:
        answer = yes_no_answer(ctx)
        if answer is None:
            return [ctx.say("form.yes_or_no")] + self.reprompt(ctx)
        no = not answer
        reg_id = int(ctx.data["reg"])
        ctx.end()
        if no:
            return [ctx.say("event.cancel_kept", choices=[ctx.choice("event.mine_button", go("event.mine"))]
                            + menu_choices(ctx)[:5])]
        now = ctx.clock.now()
        change = repo.cancel(ctx.session, registration_id=reg_id, now=now,
                             offer_from=notify.offer_from(now, ctx.settings))
        if change.event is not None and change.offers:
            notify.send_offers(ctx.session, event=change.event, offers=change.offers)
        title = change.event.title if change.event else "-"
        key = "event.cancel_done" if change.changed else "event.cancel_nothing"
        return [ctx.say(key, title=title, choices=_back_choices(ctx))]


CANCEL = CancelFlow()


CANCELLABLE = (RegStatus.registered.value, RegStatus.waitlisted.value, RegStatus.offered.value)


def _asks_to_cancel(text: str) -> bool:
    from bot.thai import match_keyword

    return match_keyword(text, {"cancel": list(phrasings.EVENT_CANCEL)}) == "cancel"


@intent("event.cancel", order=23)
def start_cancel(ctx: Context, arg: str | None) -> list[Reply]:
    reg = _own_registration(ctx, arg)
    if reg is None or reg.status not in CANCELLABLE:
        return my_registrations(ctx, None)
    ctx.begin(CANCEL.name, {"reg": reg.id})
    return CANCEL.reprompt(ctx)


# --- waitlist offers -------------------------------------------------------------------------------------
@intent("event.accept", order=24)
def accept_offer(ctx: Context, arg: str | None) -> list[Reply]:
    reg = _own_registration(ctx, arg)
    if reg is None:
        return my_registrations(ctx, None)
    outcome, reg = repo.accept_offer(ctx.session, registration_id=reg.id, now=ctx.clock.now())  # type: ignore[arg-type]
    event = ctx.session.get(Event, reg.event_id) if reg else None
    if outcome in ("accepted", "already") and reg is not None and event is not None:
        res = repo.RegisterResult("registered", reg, event)
        return registration_outcome(ctx, res)
    if outcome == "expired":
        return [ctx.say("event.offer.too_late", title=event.title if event else "-", choices=_back_choices(ctx))]
    return my_registrations(ctx, None)


@intent("event.decline", order=25)
def decline_offer(ctx: Context, arg: str | None) -> list[Reply]:
    reg = _own_registration(ctx, arg)
    if reg is None or reg.status != RegStatus.offered.value:
        return my_registrations(ctx, None)
    now = ctx.clock.now()
    change = repo.cancel(ctx.session, registration_id=reg.id, now=now, reason="declined",  # type: ignore[arg-type]
                         offer_from=notify.offer_from(now, ctx.settings))
    if change.event is not None and change.offers:
        notify.send_offers(ctx.session, event=change.event, offers=change.offers)
    return [ctx.say("event.offer.declined", title=change.event.title if change.event else "-",
                    choices=_back_choices(ctx))]


# --- feedback ------------------------------------------------------------------------------------------------
def rating_choices(ctx: Context, reg_id: int) -> list[Choice]:
    labels = {1: "event.fb.r1", 2: "event.fb.r2", 3: "event.fb.r3", 4: "event.fb.r4", 5: "event.fb.r5"}
    return [Choice(ctx.t(labels[n]), go("event.feedback", f"{reg_id}:{n}")) for n in range(5, 0, -1)]


class FeedbackFlow:
    """Rating first (buttons 1–5 or a typed digit), then one optional comment."""

    name = "event.feedback"

    def reprompt(self, ctx: Context) -> list[Reply]:
        if ctx.data.get("rating"):
            return [ctx.say("event.fb.ask_comment", choices=[ctx.choice("form.skip", "ข้าม")])]
        reg_id = int(ctx.data["reg"])
        return [ctx.say("event.fb.ask_rating", choices=rating_choices(ctx, reg_id))]

    def back(self, ctx: Context) -> list[Reply]:
        ctx.data.pop("rating", None)
        return self.reprompt(ctx)

    def rate(self, ctx: Context, reg: EventRegistration, rating: int) -> list[Reply]:
        ctx.data["rating"] = rating
        repo.save_feedback(ctx.session, registration=reg, member_id=ctx.member.id if ctx.member else None,
                           rating=rating, comment=None, now=ctx.clock.now())
        return self.reprompt(ctx)

    def handle(self, ctx: Context) -> list[Reply]:
        from bot.forms import _is_skip
        from bot.thai import parse_number

        reg = ctx.session.get(EventRegistration, int(ctx.data["reg"]))
        text = ctx.msg.input.strip()
        if reg is None:
            ctx.end()
            return [ctx.say("menu.title", choices=menu_choices(ctx))]
        if not ctx.data.get("rating"):
            n = parse_number(text)
            if n is None or int(n) != n or not 1 <= int(n) <= 5:
                return [ctx.say("event.fb.bad_rating")] + self.reprompt(ctx)
            return self.rate(ctx, reg, int(n))
        comment = None if _is_skip(text) else clean_text(text)[:1000] or None
        repo.save_feedback(ctx.session, registration=reg, member_id=ctx.member.id if ctx.member else None,
                           rating=int(ctx.data["rating"]), comment=comment, now=ctx.clock.now())
        ctx.end()
        return [ctx.say("event.fb.thanks", choices=menu_choices(ctx))]


FEEDBACK = FeedbackFlow()


@intent("event.feedback", order=26)
def start_feedback(ctx: Context, arg: str | None) -> list[Reply]:
    reg = _own_registration(ctx, arg)
    if reg is None:
        return [ctx.say("menu.title", choices=menu_choices(ctx))]
    rating = arg.split(":")[1] if arg and arg.count(":") == 1 else None
    ctx.begin(FEEDBACK.name, {"reg": reg.id})
    if rating and rating.isdigit() and 1 <= int(rating) <= 5:
        return FEEDBACK.rate(ctx, reg, int(rating))  # the tapped button is the answer
    return FEEDBACK.reprompt(ctx)


def register() -> None:
    """Register what this module adds to the bot (called by the composition root, bot.wiring)."""
    add_flows(REGISTER, CANCEL, FEEDBACK)
    add_intents(list_events, start_register, my_registrations, start_cancel, accept_offer, decline_offer,
                start_feedback)
