"""Officers' event conversations: create (a form that reads Thai dates and times), manage, publish
(announce), edit (registrants are told), cancel, take attendance (tick numbers or type a check-in code).

State diagrams: docs/event_officer.mmd, docs/event_attendance.mmd.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from bot.clock import end_of_day, local_to_utc, to_local
from bot.context import Context
from bot.forms import SUMMARY, Field, Form, Invalid
from bot.labels import shorten
from bot.messages import Card, CardField, Choice, Reply
from bot.registry import add_flows, add_intents, go, intent, menu_choices
from bot import event_notify as notify
from handlers.fields import KIND_KEYS, clean_text, keyword_choice, parse_province_field, parse_text, yes_no_answer
from storage.models.events import Event, EventStatus
from storage.repositories import events as repo

OWN = "@own"
ALL = "@all"
_KIND_WORDS = {"training": ("อบรม", "training", "ฝึก"), "seminar": ("สัมมนา", "seminar"),
               "forum": ("เสวนา", "เวที", "forum", "ประชุม")}
_LATLNG = re.compile(r"(-?\d{1,2}\.\d+)\s*[, ]\s*(-?\d{1,3}\.\d+)")


def may_manage(ctx: Context, event: Event) -> bool:
    m = ctx.member
    return m is not None and ctx.is_officer and (m.officer_province is None or m.officer_province == event.province)


def _event(ctx: Context, arg: str | None) -> Event | None:
    return ctx.session.get(Event, int(arg)) if arg and arg.strip().isdigit() else None


# --- the create / edit form ----------------------------------------------------------------------------
_parse_kind, _kind_choices = keyword_choice(notify.KIND_KEYS, _KIND_WORDS)


def _parse_when(raw: str, ctx: Context) -> list[datetime]:
    from bot.thai import parse_datetime_range

    found = parse_datetime_range(raw, today=ctx.today())
    if found is None:
        raise Invalid("event.new.bad_when")
    start, end = found
    if local_to_utc(start) <= ctx.clock.now():
        raise Invalid("event.new.when_past")
    return [start, end]


def _show_when(value: Any, ctx: Context) -> str:
    return notify.when_text_of(local_to_utc(value[0]), local_to_utc(value[1]), ctx.locale)


def _parse_map(raw: str, ctx: Context) -> dict[str, Any]:
    for att in ctx.msg.attachments:  # a LINE / Telegram location
        if att.kind == "location" and att.latitude is not None and att.longitude is not None:
            return {"lat": att.latitude, "lng": att.longitude}
    text = raw.strip()
    url = re.search(r"https?://\S+", text)
    if url:
        return {"url": url.group(0)[:500]}
    m = _LATLNG.search(text)
    if m:
        lat, lng = float(m.group(1)), float(m.group(2))
        if -90 <= lat <= 90 and -180 <= lng <= 180:
            return {"lat": lat, "lng": lng}
    raise Invalid("event.new.bad_map")


def _show_map(value: Any, ctx: Context) -> str:
    if value.get("url"):
        return str(value["url"])
    return f"{value['lat']:.5f}, {value['lng']:.5f}"


def _province_choices(ctx: Context) -> list[Choice]:
    p = ctx.member.officer_province if ctx.member else None
    return [Choice(p, p)] if p else []


def _parse_event_province(raw: str, ctx: Context) -> str:
    province = parse_province_field(raw, ctx)
    own = ctx.member.officer_province if ctx.member else None
    if own and province != own:
        raise Invalid("event.new.not_your_province", province=own)
    return province


def _int_between(low: int, high: int, key: str):  # noqa: ANN202
    def parse(raw: str, ctx: Context) -> int:
        from bot.thai import parse_number

        n = parse_number(raw)
        if n is None or int(n) != n or not low <= int(n) <= high:
            raise Invalid(key, low=low, high=high)
        return int(n)

    return parse


def _seat_choices(ctx: Context) -> list[Choice]:
    return [Choice(str(n), str(n)) for n in (1, 2, 3, 4)]


def _parse_deadline(raw: str, ctx: Context) -> Any:
    from bot.thai import parse_date

    d = parse_date(raw, today=ctx.today())
    if d is None:
        raise Invalid("event.new.bad_deadline")
    if d < ctx.today():
        raise Invalid("event.new.deadline_past")
    when = FORM.values(ctx).get("when")
    if when and d > when[0].date():
        raise Invalid("event.new.deadline_after_start")
    return d


def _show_date(value: Any, ctx: Context) -> str:
    from bot.i18n import format_date

    return format_date(value, ctx.locale)


def _audience_kind_choices(ctx: Context) -> list[Choice]:
    return [ctx.choice("event.audience_all_kinds", ALL)] + [
        Choice(ctx.t(key), kind) for kind, key in KIND_KEYS.items() if kind != "other"]


def _parse_audience_kinds(raw: str, ctx: Context) -> list[str]:
    if raw == ALL or clean_text(raw) in ("ทั้งหมด", "ทุกประเภท", "all"):
        return []
    if raw in KIND_KEYS:
        return [raw]
    text = clean_text(raw).lower()
    kinds = [k for k, words in (("public_benefit", ("สาธารณ", "public")), ("community_welfare", ("ชุมชน", "community")))
             if any(w in text for w in words)]
    if not kinds:
        raise Invalid()
    return kinds


def _show_audience_kinds(value: Any, ctx: Context) -> str:
    return ", ".join(ctx.t(KIND_KEYS[k]) for k in value) or ctx.t("event.audience_all_kinds")


def _audience_province_choices(ctx: Context) -> list[Choice]:
    province = FORM.values(ctx).get("province")
    choices = [ctx.choice("event.audience_only", OWN, province=province)] if province else []
    if not (ctx.member and ctx.member.officer_province):
        choices.append(ctx.choice("event.audience_all_provinces", ALL))
    return choices


def _parse_audience_provinces(raw: str, ctx: Context) -> list[str]:
    from bot.thai import match_province

    province = FORM.values(ctx).get("province")
    own = ctx.member.officer_province if ctx.member else None
    if raw == OWN:
        return [province] if province else []
    if raw == ALL or clean_text(raw) in ("ทุกจังหวัด", "ทั้งประเทศ", "all"):
        if own:
            raise Invalid("event.new.not_your_province", province=own)
        return []
    names = []
    for part in re.split(r"[,\n/]+|\s{2,}|\sและ\s", raw):
        if part.strip():
            p = match_province(part)
            if p is None:
                raise Invalid("form.bad_province")
            names.append(p)
    if own and any(p != own for p in names):
        raise Invalid("event.new.not_your_province", province=own)
    return list(dict.fromkeys(names))


def _show_audience_provinces(value: Any, ctx: Context) -> str:
    return ", ".join(value) or ctx.t("event.audience_all_provinces")


class EventForm(Form):
    name = "event.new"
    title = "event.new.summary_title"
    fields = (
        Field("kind", "event.new.ask_kind", _parse_kind, choices=_kind_choices,
              show=lambda v, ctx: notify.kind_label(v, ctx.locale)),
        Field("title", "event.new.ask_title", parse_text(3, 300), example="event.new.example_title"),
        Field("description", "event.new.ask_description", parse_text(2, 2000), optional=True),
        Field("when", "event.new.ask_when", _parse_when, example="event.new.example_when", show=_show_when),
        Field("venue", "event.new.ask_venue", parse_text(3, 300), example="event.new.example_venue"),
        Field("map", "event.new.ask_map", _parse_map, example="event.new.example_map", optional=True,
              accepts=("location",),
              show=_show_map),
        Field("province", "event.new.ask_province", _parse_event_province, choices=_province_choices,
              example="signup.example_province"),
        Field("capacity", "event.new.ask_capacity", _int_between(1, 100000, "event.new.bad_number"),
              example="event.new.example_capacity"),
        Field("seats_per_org", "event.new.ask_seats_per_org", _int_between(1, 50, "event.new.bad_number"),
              choices=_seat_choices),
        Field("deadline", "event.new.ask_deadline", _parse_deadline, example="event.new.example_deadline",
              optional=True, show=_show_date),
        Field("audience_kinds", "event.new.ask_audience_kinds", _parse_audience_kinds,
              choices=_audience_kind_choices, show=_show_audience_kinds),
        Field("audience_provinces", "event.new.ask_audience_provinces", _parse_audience_provinces,
              choices=_audience_province_choices, show=_show_audience_provinces),
    )

    def on_confirm(self, ctx: Context, values: dict[str, Any]) -> list[Reply]:
        now = ctx.clock.now()
        start, end = (local_to_utc(v) for v in values["when"])
        if start <= now:
            return [ctx.say("event.new.when_past")] + self.start(ctx, values, at=SUMMARY)
        mp = values.get("map") or {}
        deadline = None
        if values.get("deadline"):
            deadline = min(end_of_day(values["deadline"]), start)
        fields = dict(kind=values["kind"], title=values["title"], description=values.get("description"),
                      starts_at=start, ends_at=end, venue=values["venue"], map_url=mp.get("url"),
                      latitude=mp.get("lat"), longitude=mp.get("lng"), province=values["province"],
                      seats_per_org=values["seats_per_org"], registration_deadline=deadline,
                      audience_kinds=values["audience_kinds"], audience_provinces=values["audience_provinces"])
        event_id = values.get("event_id")
        if event_id is None:
            event = repo.create(ctx.session, capacity=values["capacity"], created_by=ctx.member.id if ctx.member else None,
                                **fields)
            return [ctx.say("event.new.created", title=event.title)] + manage_replies(ctx, event)
        event = ctx.session.get(Event, int(event_id))
        if event is None or not may_manage(ctx, event):
            return [ctx.say("event.officer.not_found", choices=menu_choices(ctx))]
        changed = repo.update(ctx.session, event=event, now=now, **fields)
        change = repo.set_capacity(ctx.session, event_id=event.id, capacity=values["capacity"], now=now,  # type: ignore[arg-type]
                                   offer_from=notify.offer_from(now, ctx.settings))
        if change.offers and change.event is not None:
            notify.send_offers(ctx.session, event=change.event, offers=change.offers)
        told = 0
        relevant = [c for c in changed if c in notify.CHANGE_LABELS]
        if relevant and event.status == EventStatus.published.value:
            told = notify.notify_change(ctx.session, event=event, changed=relevant)
        return [ctx.say("event.edit.saved", title=event.title, told=told)] + manage_replies(ctx, event)


FORM = EventForm()


@intent("event.new", audience="officer", menu_key="menu.event_new", order=41,
        words=("สร้างงานอบรม", "สร้างอบรม", "เพิ่มงานอบรม", "new event"))
def start_new_event(ctx: Context, arg: str | None) -> list[Reply]:
    return FORM.start(ctx, intro=[ctx.say("event.new.intro")])


@intent("event.edit", audience="officer", order=43)
def start_edit(ctx: Context, arg: str | None) -> list[Reply]:
    event = _event(ctx, arg)
    if event is None or not may_manage(ctx, event):
        return manage_list(ctx, None)
    if event.status in (EventStatus.cancelled.value, EventStatus.finished.value):
        return [ctx.say("event.edit.closed", title=event.title)] + manage_replies(ctx, event)
    s, e = to_local(event.starts_at).replace(tzinfo=None), to_local(event.ends_at).replace(tzinfo=None)
    values: dict[str, Any] = {
        "event_id": event.id, "kind": event.kind, "title": event.title, "description": event.description,
        "when": [s, e], "venue": event.venue, "province": event.province, "capacity": event.capacity,
        "seats_per_org": event.seats_per_org, "audience_kinds": list(event.audience_kinds),
        "audience_provinces": list(event.audience_provinces),
        "map": ({"url": event.map_url} if event.map_url else
                {"lat": event.latitude, "lng": event.longitude} if event.latitude is not None else None),
        "deadline": to_local(event.registration_deadline).date() if event.registration_deadline else None,
    }
    return FORM.start(ctx, values, at=SUMMARY)


# --- manage ---------------------------------------------------------------------------------------------
def manage_replies(ctx: Context, event: Event) -> list[Reply]:
    loc = ctx.locale
    c = repo.counts(ctx.session, event_id=event.id)  # type: ignore[arg-type]
    n_fb, avg = repo.feedback_summary(ctx.session, event_id=event.id)  # type: ignore[arg-type]
    rows = notify.event_fields(ctx.session, event, loc) + [
        CardField(ctx.t("event.f.status"), ctx.t(f"event.estatus.{event.status}")),
        CardField(ctx.t("event.f.audience"), notify.audience_text(event, loc)),
        CardField(ctx.t("event.f.counts"), ctx.t("event.counts", registered=c["registered"] + c["offered"],
                                                  capacity=event.capacity, waitlisted=c["waitlisted"],
                                                  attended=c["attended"])),
    ]
    if n_fb:
        rows.append(CardField(ctx.t("event.f.feedback"), ctx.t("event.feedback_avg", n=n_fb, avg=f"{avg:.1f}")))
    buttons: list[Choice] = []
    if event.status == EventStatus.draft.value:
        n = repo.audience_count(ctx.session, event=event)
        buttons.append(ctx.choice("event.officer.publish", go("event.publish", event.id), n=n))
    if event.status in (EventStatus.draft.value, EventStatus.published.value):
        buttons.append(ctx.choice("event.officer.edit", go("event.edit", event.id)))
    if event.status in (EventStatus.published.value, EventStatus.finished.value):
        buttons.append(ctx.choice("event.officer.attendance", go("event.attendance", event.id)))
        buttons.append(ctx.choice("event.officer.registrants", go("event.registrants", event.id)))
    if event.status in (EventStatus.draft.value, EventStatus.published.value):
        buttons.append(ctx.choice("event.officer.cancel", go("event.cancel_event", event.id)))
    card = Card(title=event.title, fields=tuple(rows), text=ctx.t("event.officer.export_hint", id=event.id),
                buttons=tuple(buttons), link_url=notify.map_link(event))
    return [Reply(card=card, choices=tuple(buttons) + (ctx.choice("event.officer.all", go("event.manage")),))]


@intent("event.manage", audience="officer", menu_key="menu.event_manage", order=40,
        words=("จัดการงานอบรม", "จัดการอบรม", "manage events"))
def manage_list(ctx: Context, arg: str | None) -> list[Reply]:
    event = _event(ctx, arg)
    if event is not None:
        if not may_manage(ctx, event):
            return [ctx.say("event.officer.not_your_event", choices=menu_choices(ctx))]
        return manage_replies(ctx, event)
    province = ctx.member.officer_province if ctx.member else None
    since = ctx.clock.now() - timedelta(days=30)
    events = repo.list_events(ctx.session, province=province, upcoming_after=since, limit=12)
    new = ctx.choice("menu.event_new", go("event.new"))
    if not events:
        return [ctx.say("event.officer.none", choices=[new] + menu_choices(ctx)[:5])]
    lines = [f"{i}. {e.title} — {notify.when_text(e, ctx.locale)} ({ctx.t(f'event.estatus.{e.status}')})"
             for i, e in enumerate(events, 1)]
    choices = [Choice(shorten(f"{i}. {e.title}"), go("event.manage", e.id)) for i, e in enumerate(events, 1)]
    return [Reply(text=ctx.t("event.officer.list", count=len(events)) + "\n" + "\n".join(lines),
                  choices=tuple(choices[:12]) + (new,))]


@intent("event.publish", audience="officer", order=42)
def publish(ctx: Context, arg: str | None) -> list[Reply]:
    event = _event(ctx, arg)
    if event is None or not may_manage(ctx, event):
        return manage_list(ctx, None)
    if event.starts_at <= ctx.clock.now():
        return [ctx.say("event.officer.too_late_to_publish")] + manage_replies(ctx, event)
    if not repo.publish(ctx.session, event=event, now=ctx.clock.now()):
        return [ctx.say("event.officer.already_published")] + manage_replies(ctx, event)
    n = notify.announce(ctx.session, event=event)
    return [ctx.say("event.officer.published", title=event.title, n=n)] + manage_replies(ctx, event)


@intent("event.registrants", audience="officer", order=44)
def registrants(ctx: Context, arg: str | None) -> list[Reply]:
    from bot.thai import format_phone
    from storage.models import Organization

    event = _event(ctx, arg)
    if event is None or not may_manage(ctx, event):
        return manage_list(ctx, None)
    lines = []
    for reg in repo.registrations_of_event(ctx.session, event_id=event.id,  # type: ignore[arg-type]
                                           statuses=("registered", "offered", "waitlisted")):
        org = ctx.session.get(Organization, reg.organization_id) if reg.organization_id else None
        names = ", ".join(a.name for a in repo.attendees_of(ctx.session, registration_id=reg.id))  # type: ignore[arg-type]
        lines.append(f"• {org.name if org else '-'}: {names} "
                     f"[{notify.status_text(ctx.session, reg, ctx.locale)}] {format_phone(reg.phone or '')}")
    back = (ctx.choice("event.officer.back_to_event", go("event.manage", event.id)),)
    if not lines:
        return [ctx.say("event.officer.no_registrants", choices=back)]
    text = ctx.t("event.officer.registrants_intro", title=event.title, id=event.id) + "\n" + "\n".join(lines)
    return [Reply(text=text[:4900], choices=back)]


# --- cancel the event -------------------------------------------------------------------------------------
class CancelEventFlow:
    name = "event.cancel_event"

    def reprompt(self, ctx: Context) -> list[Reply]:
        event = ctx.session.get(Event, int(ctx.data["event"]))
        c = repo.counts(ctx.session, event_id=int(ctx.data["event"]))
        return [ctx.say("event.officer.cancel_confirm", title=event.title if event else "-",
                        n=c["registered"] + c["offered"] + c["waitlisted"],
                        choices=[ctx.choice("event.officer.cancel_yes", "yes"), ctx.choice("event.cancel_no", "no")])]

    def back(self, ctx: Context) -> list[Reply]:
        event = ctx.session.get(Event, int(ctx.data["event"]))
        ctx.end()
        return manage_replies(ctx, event) if event else manage_list(ctx, None)

    def handle(self, ctx: Context) -> list[Reply]:
        answer = yes_no_answer(ctx)
        if answer is None:
            return [ctx.say("form.yes_or_no")] + self.reprompt(ctx)
        no = not answer
        if no:
            return self.back(ctx)
        event_id = int(ctx.data["event"])
        ctx.end()
        event, regs = repo.cancel_event(ctx.session, event_id=event_id, now=ctx.clock.now())
        if event is None:
            return manage_list(ctx, None)
        told = notify.notify_cancelled(ctx.session, event=event, registrations=regs)
        return [ctx.say("event.officer.cancelled", title=event.title, n=told)] + manage_replies(ctx, event)


CANCEL_EVENT = CancelEventFlow()


@intent("event.cancel_event", audience="officer", order=45)
def start_cancel_event(ctx: Context, arg: str | None) -> list[Reply]:
    event = _event(ctx, arg)
    if event is None or not may_manage(ctx, event):
        return manage_list(ctx, None)
    if event.status not in (EventStatus.draft.value, EventStatus.published.value):
        return manage_replies(ctx, event)
    ctx.begin(CANCEL_EVENT.name, {"event": event.id})
    return CANCEL_EVENT.reprompt(ctx)


# --- attendance -----------------------------------------------------------------------------------------
_RANGE = re.compile(r"(\d+)\s*[-–ถึง]+\s*(\d+)")


class AttendanceFlow:
    """The officer sees the numbered list of seated attendees and types numbers to tick ("1 3 5", "2-6"),
    a member's check-in code (6 digits, on their registration card), "ทั้งหมด" for everyone, or "เสร็จ"."""

    name = "event.attendance"

    def _list(self, ctx: Context) -> list[Reply]:
        event_id = int(ctx.data["event"])
        seated = repo.seated_attendees(ctx.session, event_id=event_id)
        lines = [f"{i}. {'✅' if a.attended else '⬜'} {a.name}" + (f" ({a.position})" if a.position else "")
                 for i, (a, _r) in enumerate(seated, 1)]
        done = sum(1 for a, _ in seated if a.attended)
        head = ctx.t("event.att.header", done=done, total=len(seated))
        choices = (ctx.choice("event.att.all", "@all"), ctx.choice("event.att.finish", "@finish"))
        return [Reply(text=(head + "\n" + "\n".join(lines))[:4900]),
                ctx.say("event.att.how", choices=choices)]

    def reprompt(self, ctx: Context) -> list[Reply]:
        return self._list(ctx)

    def back(self, ctx: Context) -> list[Reply]:
        return self._finish(ctx)

    def _finish(self, ctx: Context) -> list[Reply]:
        event = ctx.session.get(Event, int(ctx.data["event"]))
        ctx.end()
        return [ctx.say("event.att.saved")] + (manage_replies(ctx, event) if event else [])

    def handle(self, ctx: Context) -> list[Reply]:
        from bot.thai import normalize

        event_id = int(ctx.data["event"])
        raw = ctx.msg.input.strip()
        text = normalize(raw).strip()
        now = ctx.clock.now()
        if raw == "@finish" or clean_text(raw) in ("เสร็จ", "เสร็จแล้ว", "จบ", "done", "finish"):
            return self._finish(ctx)
        seated = repo.seated_attendees(ctx.session, event_id=event_id)
        if raw == "@all" or clean_text(raw) in ("ทั้งหมด", "ทุกคน", "all"):
            marked = [a for a, _ in seated if not a.attended]
            for a in marked:
                repo.set_attended(ctx.session, attendee=a, attended=True, now=now)
            self._audit(ctx, event_id, present=len(marked), absent=0)
            return self._list(ctx)
        code = re.fullmatch(r"\s*(\d{6})\s*", text)
        if code:
            reg = repo.check_in(ctx.session, event_id=event_id, code=code.group(1), now=now)
            if reg is None:
                return [ctx.say("event.att.bad_code", code=code.group(1))] + self._list(ctx)[1:]
            attendees = repo.attendees_of(ctx.session, registration_id=reg.id)  # type: ignore[arg-type]
            self._audit(ctx, event_id, present=len(attendees), absent=0, check_in=True)
            names = ", ".join(a.name for a in attendees)
            return [ctx.say("event.att.checked_in", names=names)] + self._list(ctx)
        numbers: set[int] = set()
        for a, b in _RANGE.findall(text):
            numbers |= set(range(int(a), int(b) + 1))
        numbers |= {int(n) for n in re.findall(r"\d+", _RANGE.sub(" ", text))}
        if not numbers or any(not 1 <= n <= len(seated) for n in numbers):
            return [ctx.say("event.att.bad_numbers", max=len(seated))] + self._list(ctx)[1:]
        present = absent = 0
        for n in sorted(numbers):
            att = seated[n - 1][0]
            present, absent = (present, absent + 1) if att.attended else (present + 1, absent)
            repo.set_attended(ctx.session, attendee=att, attended=not att.attended, now=now)
        self._audit(ctx, event_id, present=present, absent=absent)
        return self._list(ctx)

    @staticmethod
    def _audit(ctx: Context, event_id: int, **details: Any) -> None:
        event = ctx.session.get(Event, event_id)
        ctx.audit("event.attendance", province=event.province if event else None, target_type="event",
                  target_id=event_id, details={"title": event.title if event else None, **details})


ATTENDANCE = AttendanceFlow()


@intent("event.attendance", audience="officer", order=46, words=("เช็คชื่อ", "เช็กชื่อ", "ลงชื่อเข้าร่วม", "attendance"))
def start_attendance(ctx: Context, arg: str | None) -> list[Reply]:
    event = _event(ctx, arg)
    if event is None:
        return manage_list(ctx, None)
    if not may_manage(ctx, event):
        return [ctx.say("event.officer.not_your_event", choices=menu_choices(ctx))]
    ctx.begin(ATTENDANCE.name, {"event": event.id})
    return [ctx.say("event.att.intro", title=event.title)] + ATTENDANCE.reprompt(ctx)


def register() -> None:
    """Register what this module adds to the bot (called by the composition root, bot.wiring)."""
    add_flows(FORM, CANCEL_EVENT, ATTENDANCE)
    add_intents(start_new_event, start_edit, manage_list, publish, registrants, start_cancel_event,
                start_attendance)
