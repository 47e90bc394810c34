"""Events: list, create, edit, publish, registrants, waitlist, attendance, export.

Data changes go through `storage.repositories.events`; telling members (the announcement when an event is
published, offers when seats free up, notices of changes) goes through the events capability's notifier
(`bot.event_notify`) in the same transaction, exactly as the chat does.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from sqlmodel import Session, col, select

from bot.clock import clock, end_of_day, local_to_utc, to_local
from bot.console import redirect, render
from bot.console.audit import record
from bot.console.auth import Officer, Refused, current_officer
from bot.console.common import clean, export_response, page_of, provinces
from bot.console.confirm import confirm_page
from bot.console.when import parse_day, parse_moment, shown_day, shown_moment
from bot.cli.events import REGISTRATION_COLUMNS
from bot.org_kinds import KIND_KEYS
from bot.training_export import ATTENDANCE_COLUMNS, DAY_COLUMNS, with_day_columns
from bot import event_notify
from storage.models import Organization
from storage.models.events import Event
from storage.repositories import events as events_repo
from storage.repositories import training as training_repo

log = logging.getLogger(__name__)
router = APIRouter()
REGISTRANTS_PAGE = 100

EVENT_KINDS = ("training", "seminar", "forum")
STATUSES = ("draft", "published", "finished", "cancelled")


def _event(session: Session, officer: Officer, event_id: int) -> Event:
    return officer.fetch(session, Event, event_id)


@router.get("/events")
def events_list(request: Request, status: str | None = None, province: str | None = None,
                officer: Officer = Depends(current_officer)) -> Response:
    console = request.app.state.console
    scope = officer.scope(province)
    with console.runtime.db.session() as session:
        statuses = [status] if status in STATUSES else None
        events = events_repo.list_events(session, province=scope, statuses=statuses, limit=500)
        events.sort(key=lambda e: (e.status in ("finished", "cancelled"), e.starts_at if e.status not in (
            "finished", "cancelled") else -e.starts_at.timestamp()))  # type: ignore[operator]
        rows = [{"event": e, "counts": events_repo.counts(session, event_id=e.id)} for e in events]  # type: ignore[arg-type]
        all_provinces = provinces(session) if officer.national else []
    return render(request, "events.html", officer, active="events", rows=rows, status=status or "",
                  statuses=STATUSES, province=province or "", provinces=all_provinces)


# --- create / edit ------------------------------------------------------------------------------
def _form_values(event: Any | None, officer: Officer) -> dict[str, Any]:
    """The form's fields as text; dates in Thai with the BE year, as `bot.console.when` reads them back."""
    loc = officer.locale
    if event is None:
        start = to_local(clock.now()).replace(hour=9, minute=0, second=0, microsecond=0) + timedelta(days=14)
        return {"title": "", "kind": "training", "description": "", "venue": "", "map_url": "",
                "starts_at": shown_moment(start, loc), "ends_at": shown_moment(start.replace(hour=16), loc),
                "registration_deadline": "", "capacity": "100", "seats_per_org": "2",
                "audience_kinds": [], "all_provinces": False, "province": officer.province or ""}
    deadline = event.registration_deadline
    return {"title": event.title, "kind": event.kind, "description": event.description or "",
            "venue": event.venue, "map_url": event.map_url or "",
            "starts_at": shown_moment(event.starts_at, loc), "ends_at": shown_moment(event.ends_at, loc),
            "registration_deadline": shown_day(to_local(deadline).date(), loc) if deadline else "",
            "capacity": str(event.capacity), "seats_per_org": str(event.seats_per_org),
            "audience_kinds": list(event.audience_kinds), "all_provinces": not event.audience_provinces,
            "province": event.province}


def _parse_local(value: str | None, kind: str) -> datetime | None:
    moment = parse_moment(value, kind, today=clock.today())
    return local_to_utc(moment) if moment else None


def _parse_form(form: Any, officer: Officer) -> tuple[dict[str, Any], dict[str, Any], dict[str, str]]:
    """(raw values for re-showing the form, parsed values, errors by field)."""
    from bot.thai import match_province

    raw = {k: (form.get(k) or "") for k in ("title", "kind", "description", "venue", "map_url", "starts_at",
                                            "ends_at", "registration_deadline", "capacity", "seats_per_org",
                                            "province")}
    raw["audience_kinds"] = [k for k in form.getlist("audience_kinds") if k in KIND_KEYS]
    raw["all_provinces"] = bool(form.get("all_provinces"))
    errors: dict[str, str] = {}
    title = clean(raw["title"], 300)
    if not title or len(title) < 3:
        errors["title"] = "console.events.error.title"
    kind = raw["kind"] if raw["kind"] in EVENT_KINDS else None
    if kind is None:
        errors["kind"] = "console.events.error.kind"
    venue = clean(raw["venue"], 300)
    if not venue:
        errors["venue"] = "console.events.error.venue"
    starts, ends = _parse_local(raw["starts_at"], "start"), _parse_local(raw["ends_at"], "end")
    if starts is None:
        errors["starts_at"] = "console.events.error.starts_at"
    if ends is None:
        errors["ends_at"] = "console.when.error.end"
    elif starts is not None and ends < starts:
        errors["ends_at"] = "console.events.error.ends_at"
    reg_deadline = None
    if raw["registration_deadline"].strip():
        day = parse_day(raw["registration_deadline"], today=clock.today())
        if day is None:
            errors["registration_deadline"] = "console.events.error.deadline"
        else:
            reg_deadline = end_of_day(day)
            if starts is not None and day > to_local(starts).date():
                errors["registration_deadline"] = "console.events.error.deadline_after"
            elif starts is not None:
                reg_deadline = min(reg_deadline, starts)  # registering ends when the event begins
    numbers = {}
    for name, low in (("capacity", 1), ("seats_per_org", 1)):
        try:
            numbers[name] = int(str(raw[name]).strip().replace(",", ""))
            if numbers[name] < low or numbers[name] > 100000:
                raise ValueError
        except ValueError:
            errors[name] = f"console.events.error.{name}"
    province = officer.province
    if officer.national:
        province = match_province(raw["province"]) if raw["province"].strip() else None
        if not province:
            errors["province"] = "console.events.error.province"
    map_url = clean(raw["map_url"], 500)
    if map_url and not map_url.startswith(("https://", "http://")):
        errors["map_url"] = "console.events.error.map_url"
    parsed = {"title": title, "kind": kind, "description": clean(raw["description"], 2000) if raw["description"]
              else None, "venue": venue, "map_url": map_url, "starts_at": starts, "ends_at": ends,
              "registration_deadline": reg_deadline, "capacity": numbers.get("capacity"),
              "seats_per_org": numbers.get("seats_per_org"), "audience_kinds": raw["audience_kinds"],
              "province": province}
    parsed["audience_provinces"] = [] if raw["all_provinces"] else [province]
    if raw["description"]:
        parsed["description"] = raw["description"].strip()[:2000] or None
    return raw, parsed, errors


def _form_page(request: Request, officer: Officer, event: Any | None, values: dict[str, Any],
               errors: dict[str, str], status: int = 200) -> Response:
    return render(request, "event_form.html", officer, code=status, active="events", event=event, v=values,
                  errors=errors, kinds=KIND_KEYS, event_kinds=EVENT_KINDS)


@router.get("/events/new")
def new_event(request: Request, officer: Officer = Depends(current_officer)) -> Response:
    return _form_page(request, officer, None, _form_values(None, officer), {})


@router.post("/events/new")
async def create_event(request: Request, officer: Officer = Depends(current_officer)) -> Response:
    form = await request.form()
    raw, v, errors = _parse_form(form, officer)
    if errors:
        return _form_page(request, officer, None, raw, errors, 422)
    return await _run(request, _create, officer, v)


def _create(request: Request, officer: Officer, v: dict[str, Any]) -> Response:
    console = request.app.state.console
    with console.runtime.db.session() as session:
        event = events_repo.create(session, title=v["title"], starts_at=v["starts_at"], ends_at=v["ends_at"],
                               venue=v["venue"], province=v["province"], capacity=v["capacity"], kind=v["kind"],
                               description=v["description"], seats_per_org=v["seats_per_org"],
                               registration_deadline=v["registration_deadline"], map_url=v["map_url"],
                               audience_kinds=v["audience_kinds"], audience_provinces=v["audience_provinces"],
                               created_by=officer.login.member_id)
        record(session, officer, "event.create", province=event.province, target_type="event", target_id=event.id,
               details={"title": event.title, "starts_at": v["starts_at"].isoformat()}, request=request)
        event_id = event.id
    return redirect(f"/admin/events/{event_id}", "console.flash.event_created")


async def _run(request: Request, fn: Any, *args: Any) -> Response:
    """Database work off the event loop (the async routes only read the form)."""
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(fn, request, *args)


@router.get("/events/{event_id}/edit")
def edit_event(request: Request, event_id: int, officer: Officer = Depends(current_officer)) -> Response:
    console = request.app.state.console
    with console.runtime.db.session() as session:
        event = _event(session, officer, event_id)
    if event.status in ("cancelled", "finished"):
        raise Refused(409, "console.events.error.closed")
    return _form_page(request, officer, event, _form_values(event, officer), {})


@router.post("/events/{event_id}/edit")
async def save_event(request: Request, event_id: int, officer: Officer = Depends(current_officer)) -> Response:
    form = await request.form()
    raw, v, errors = _parse_form(form, officer)
    if errors:
        from starlette.concurrency import run_in_threadpool

        def show() -> Response:
            with request.app.state.console.runtime.db.session() as session:
                event = _event(session, officer, event_id)
            return _form_page(request, officer, event, raw, errors, 422)

        return await run_in_threadpool(show)
    return await _run(request, _save, officer, event_id, v)


def _save(request: Request, officer: Officer, event_id: int, v: dict[str, Any]) -> Response:
    console = request.app.state.console
    now = clock.now()
    with console.runtime.db.session() as session:
        event = _event(session, officer, event_id)
        if event.status in ("cancelled", "finished"):
            raise Refused(409, "console.events.error.closed")
        fields = {k: v[k] for k in ("title", "kind", "description", "venue", "map_url", "starts_at", "ends_at",
                                    "registration_deadline", "seats_per_org", "audience_kinds",
                                    "audience_provinces", "province")}
        changed = events_repo.update(session, event=event, now=now, **fields)
        seat_change = None
        if v["capacity"] != event.capacity:
            offer_from = event_notify.offer_from(now, console.settings)
            seat_change = events_repo.set_capacity(session, event_id=event.id, capacity=v["capacity"], now=now,
                                            offer_from=offer_from)
            changed.append("capacity")
        if changed:
            told = set(event_notify.CHANGE_LABELS)
            if event.status == "published" and told & set(changed):
                event_notify.notify_change(session, event=event, changed=[c for c in changed if c in told])
            if seat_change is not None and seat_change.offers:
                event_notify.send_offers(session, event=event, offers=seat_change.offers)
            record(session, officer, "event.edit", province=event.province, target_type="event",
                   target_id=event.id, details={"title": event.title, "changed": changed}, request=request)
    return redirect(f"/admin/events/{event_id}", "console.flash.saved" if changed else "console.flash.unchanged")


# --- detail, publish, attendance, export --------------------------------------------------------
@router.get("/events/{event_id}")
def event_detail(request: Request, event_id: int, page: str | None = None, q: str = "",
                 officer: Officer = Depends(current_officer)) -> Response:
    """The event, its registrants a page at a time (`REGISTRANTS_PAGE`) or those matching `q` (a name or a
    check-in code, at the door), the first of its waitlist and the latest cancellations: the page costs the
    same for 50 registrations and for 5,000."""
    console = request.app.state.console
    n = page_of(page)
    q = " ".join(q.split())[:100]
    with console.runtime.db.session() as session:
        event = _event(session, officer, event_id)
        counts = events_repo.counts(session, event_id=event_id)
        if q:
            seated = training_repo.find_registered(session, event_id=event_id, query=q)
        else:
            seated = events_repo.registrations_of_event(session, event_id=event_id, statuses=("registered",),
                                                        offset=(n - 1) * REGISTRANTS_PAGE, limit=REGISTRANTS_PAGE)
        waiting = events_repo.registrations_of_event(session, event_id=event_id, statuses=("waitlisted", "offered"),
                                                     limit=REGISTRANTS_PAGE)
        cancelled = events_repo.registrations_of_event(session, event_id=event_id, statuses=("cancelled",),
                                                       limit=REGISTRANTS_PAGE, newest_first=True)
        regs = seated + waiting + cancelled
        org_ids = {r.organization_id for r in regs if r.organization_id}
        orgs = {o.id: o for o in session.exec(select(Organization).where(col(Organization.id).in_(org_ids or {0})))}
        people = events_repo.attendees_of_many(session, registration_ids=[r.id for r in regs])  # type: ignore[misc]
        # Waitlist positions in order of arrival (the waitlisted among `waiting`, which is in id order).
        positions = {r.id: i for i, r in enumerate((r for r in waiting if r.status == "waitlisted"), 1)}
        audience = events_repo.audience_count(session, event=event) if event.status == "draft" else None
        feedback = events_repo.feedback_summary(session, event_id=event_id)
        day = training_repo.day_summary(session, event_id=event_id)
    total = {s: counts.get(f"{s}_regs", 0) for s in ("registered", "waitlisted", "offered", "cancelled")}
    return render(request, "event.html", officer, active="events", event=event, counts=counts, seated=seated,
                  waiting=waiting, cancelled=cancelled, orgs=orgs, people=people, positions=positions,
                  audience=audience, feedback=feedback, kinds=KIND_KEYS, now=clock.now(), page=n,
                  pages=1 if q else max(1, -(-total["registered"] // REGISTRANTS_PAGE)), total=total, day=day, q=q)


@router.post("/events/{event_id}/publish")
def publish_event(request: Request, event_id: int, confirmed: str = Form(""),
                  officer: Officer = Depends(current_officer)) -> Response:
    """Publish after a confirmation page saying how many people will be told (and when, in quiet hours)."""
    from bot import i18n
    from bot.outbox import in_quiet_hours, quiet_hours_end

    console = request.app.state.console
    now = clock.now()
    with console.runtime.db.session() as session:
        event = _event(session, officer, event_id)
        if event.starts_at <= now:
            raise Refused(409, "console.events.error.past")
        if confirmed != "1" and event.status == "draft":
            n = events_repo.audience_count(session, event=event)
            settings = console.settings
            warning = i18n.t("console.events.quiet_warning", officer.locale,
                             when=i18n.format_datetime(quiet_hours_end(now, settings), officer.locale)) \
                if in_quiet_hours(now, settings) else None
            return confirm_page(request, officer, action=f"/admin/events/{event_id}/publish",
                                title=i18n.t("console.events.confirm_publish_title", officer.locale),
                                message=i18n.t("console.events.confirm_publish", officer.locale, title=event.title,
                                               count=i18n.format_number(n)),
                                button=i18n.t("console.events.publish", officer.locale),
                                back=f"/admin/events/{event_id}", warning=warning)
        if not events_repo.publish(session, event=event, now=now):
            return redirect(f"/admin/events/{event_id}", "console.flash.unchanged")
        announced = event_notify.announce(session, event=event)
        record(session, officer, "event.publish", province=event.province, target_type="event",
               target_id=event.id, details={"title": event.title, "announced": announced}, request=request)
    return redirect(f"/admin/events/{event_id}", "console.flash.published")


@router.post("/events/{event_id}/cancel")
def cancel_event(request: Request, event_id: int, officer: Officer = Depends(current_officer)) -> Response:
    console = request.app.state.console
    now = clock.now()
    with console.runtime.db.session() as session:
        event = _event(session, officer, event_id)
        if event.status == "cancelled":
            return redirect(f"/admin/events/{event_id}", "console.flash.unchanged")
        event, regs = events_repo.cancel_event(session, event_id=event_id, now=now)
        if regs:
            event_notify.notify_cancelled(session, event=event, registrations=regs)
        record(session, officer, "event.cancel", province=event.province, target_type="event",  # type: ignore[union-attr]
               target_id=event_id, details={"title": event.title, "registrations": len(regs)},  # type: ignore[union-attr]
               request=request)
    return redirect(f"/admin/events/{event_id}", "console.flash.event_cancelled")


@router.post("/events/{event_id}/attendance")
async def attendance(request: Request, event_id: int, officer: Officer = Depends(current_officer)) -> Response:
    form = await request.form()
    present = {int(x) for x in form.getlist("present") if str(x).isdigit()}
    # The attendees the page showed (one page of registrants): only they are marked present or absent.
    shown = {int(x) for x in form.getlist("shown") if str(x).isdigit()} if "shown" in form else None
    return await _run(request, _attendance, officer, event_id, present, shown)


def _attendance(request: Request, officer: Officer, event_id: int, present: set[int],
                shown: set[int] | None = None) -> Response:
    console = request.app.state.console
    now = clock.now()
    with console.runtime.db.session() as session:
        event = _event(session, officer, event_id)
        marked, unmarked = [], []
        for attendee, _reg in events_repo.seated_attendees(session, event_id=event_id):
            if shown is not None and attendee.id not in shown:
                continue
            want = attendee.id in present
            if attendee.attended != want:
                events_repo.set_attended(session, attendee=attendee, attended=want, now=now)
                (marked if want else unmarked).append(attendee.name)
        if marked or unmarked:
            record(session, officer, "event.attendance", province=event.province, target_type="event",
                   target_id=event_id, details={"present": marked, "absent": unmarked}, request=request)
    return redirect(f"/admin/events/{event_id}#attendance",
                    "console.flash.saved" if (marked or unmarked) else "console.flash.unchanged")



@router.get("/events/{event_id}/export")
def export_event(request: Request, event_id: int, fmt: str = "csv",
                 officer: Officer = Depends(current_officer)) -> Response:
    console = request.app.state.console
    with console.runtime.db.session() as session:
        event = _event(session, officer, event_id)
        rows = with_day_columns(session, event_id, events_repo.export_rows(session, event_id=event_id))
        record(session, officer, "export.registrations", province=event.province, target_type="event",
               target_id=event_id, details={"format": fmt, "rows": len(rows)}, request=request)
    return export_response(fmt, REGISTRATION_COLUMNS + ATTENDANCE_COLUMNS + DAY_COLUMNS, rows, f"event-{event_id}")
