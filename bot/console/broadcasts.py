"""Broadcasts: compose (text, audience with a live recipient count, optional event card, schedule),
history with delivery results.

Audiences are the delivery capability's providers (`bot.audiences`); a broadcast is recorded with
`bot.outbox.create_broadcast` and expanded into the outbox by the scheduler when it is due — the same
path as "ประกาศ" in the chat. A provincial officer's broadcast is limited to their province.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import func
from sqlmodel import Session, col, select

from bot import i18n
from bot.broadcast_state import state_of
from bot.clock import clock, local_to_utc
from bot.console import redirect, render
from bot.console.audit import record
from bot.console.auth import Officer, Refused, current_officer
from bot.console.common import PAGE_SIZE, page_of, provinces
from bot.console.confirm import confirm_page, confirmed
from bot.console.when import parse_moment
from bot.reach import reach_counts
from storage.models import Broadcast, OutboxMessage

router = APIRouter()
MAX_TEXT = 4000
# The state each flash message speaks of: shown only while the broadcast is still in it.
FLASH_STATE = {"console.flash.queued": "sending", "console.flash.scheduled": "scheduled",
               "console.flash.broadcast_cancelled": "withdrawn"}
ALL = "*"


def _audiences():  # noqa: ANN202
    from bot import audiences

    return audiences


def _choices(session: Session, officer: Officer) -> list[dict[str, Any]]:
    """Each audience with its options (label, value) in the officer's language."""
    aud = _audiences()
    out = []
    for p in aud.providers():
        if p.name == "province":
            if officer.national:
                options = [(i18n.t("broadcast.all_provinces", officer.locale), ALL)] + [(x, x) for x in provinces(session)]
                label = i18n.t("broadcast.by_province", officer.locale)
            else:
                options, label = [], i18n.t("broadcast.everyone_in", officer.locale, province=officer.province)
        else:
            options = p.options(session, officer.province, officer.locale) if p.options else []
            label = i18n.t(p.label_key, officer.locale)
        out.append({"name": p.name, "label": label, "options": options,
                    "needs_param": p.name == "province" and officer.national or (p.needs_param and p.name != "province")})
    return out


def _audience(officer: Officer, name: str | None, param: str | None) -> dict[str, Any] | None:
    aud = _audiences()
    providers = {p.name: p for p in aud.providers()}
    if not name or name not in providers:
        return None
    if name == "province":
        return {"name": name, "param": officer.province or (param or ALL)}
    if providers[name].needs_param and not param:
        return None
    return {"name": name, "param": param or None}


def _count(session: Session, officer: Officer, audience: dict[str, Any] | None) -> dict[str, Any] | None:
    if audience is None:
        return None
    c = _audiences().count(session, audience, officer.province)
    return {"members": c.members, "opted_out": c.opted_out, "by_channel": c.by_channel,
            "text": i18n.t("console.broadcasts.count_value", officer.locale, count=c.members,
                           line=c.by_channel.get("line", 0), telegram=c.by_channel.get("telegram", 0),
                           web=c.by_channel.get("web", 0), opted_out=c.opted_out)}


def _events(session: Session, officer: Officer) -> list[tuple[int, str]]:
    hooks = _audiences().event_hooks()
    return hooks.choices(session, officer.province)[:30] if hooks else []


@router.get("/broadcasts")
def history(request: Request, page: str | None = None, officer: Officer = Depends(current_officer)) -> Response:
    from bot.delivery import broadcast_counts

    console = request.app.state.console
    n = page_of(page)
    with console.runtime.db.session() as session:
        stmt = select(Broadcast)
        total_stmt = select(func.count()).select_from(Broadcast)
        if not officer.national:
            stmt = stmt.where(Broadcast.scope_province == officer.province)
            total_stmt = total_stmt.where(Broadcast.scope_province == officer.province)
        rows = list(session.exec(stmt.order_by(col(Broadcast.created_at).desc(), col(Broadcast.id).desc())
                                 .offset((n - 1) * PAGE_SIZE).limit(PAGE_SIZE)))
        total = session.exec(total_stmt).one()
        live = {b.id: broadcast_counts(session, b.id) for b in rows if b.status == "sending"}  # type: ignore[arg-type]
    now = clock.now()
    states = {b.id: state_of(b, now, console.settings) for b in rows}
    return render(request, "broadcasts.html", officer, active="broadcasts", rows=rows, live=live, page=n,
                  pages=max(1, -(-total // PAGE_SIZE)), states=states)


def _compose(request: Request, officer: Officer, values: dict[str, Any], errors: dict[str, str],
             status: int = 200) -> Response:
    console = request.app.state.console
    with console.runtime.db.session() as session:
        choices = _choices(session, officer)
        events = _events(session, officer)
        count = _count(session, officer, _audience(officer, values.get("audience"), values.get("param")))
        reachable, unreachable = reach_counts(session, province=officer.province)
    return render(request, "broadcast_new.html", officer, code=status, active="broadcasts", v=values,
                  errors=errors, audiences=choices, events=events, count=count, max_text=MAX_TEXT,
                  reachable=reachable, unreachable=unreachable)


@router.get("/broadcasts/new")
def compose(request: Request, audience: str | None = None, param: str | None = None,
            officer: Officer = Depends(current_officer)) -> Response:
    values = {"text": "", "audience": audience or "province", "param": param or "", "event_id": "",
              "schedule": "now", "scheduled_at": "", "urgent": False}
    return _compose(request, officer, values, {})


@router.get("/broadcasts/count")
def count(request: Request, audience: str | None = None, param: str | None = None,
          officer: Officer = Depends(current_officer)) -> JSONResponse:
    """The live recipient count for the compose form (a tiny fetch(); the form's "count" button works without JS)."""
    console = request.app.state.console
    with console.runtime.db.session() as session:
        result = _count(session, officer, _audience(officer, audience, param))
    if result is None:
        return JSONResponse({"members": None, "text": i18n.t("console.broadcasts.pick_audience", officer.locale)})
    return JSONResponse(result)


def _read_form(form: Any) -> dict[str, Any]:
    audience = form.get("audience") or ""
    return {"text": (form.get("text") or "").strip(), "audience": audience,
            "param": form.get(f"param_{audience}") or form.get("param") or "",
            "event_id": form.get("event_id") or "", "schedule": form.get("schedule") or "now",
            "scheduled_at": form.get("scheduled_at") or "", "urgent": bool(form.get("urgent"))}


@router.post("/broadcasts/new")
async def send(request: Request, officer: Officer = Depends(current_officer)) -> Response:
    from starlette.concurrency import run_in_threadpool

    form = await request.form()
    values = _read_form(form)
    if form.get("action") == "count":  # the no-JS "count recipients" button
        return await run_in_threadpool(_compose, request, officer, values, {})
    return await run_in_threadpool(_send, request, officer, values, confirmed(form))


def _quiet_warning(request: Request, officer: Officer, when: datetime, urgent: bool) -> str | None:
    """Said before sending when quiet hours will hold a (not urgent) broadcast until morning."""
    from bot.outbox import in_quiet_hours, quiet_hours_end

    settings = request.app.state.console.settings
    if urgent or not in_quiet_hours(when, settings):
        return None
    return i18n.t("console.broadcasts.quiet_warning", officer.locale,
                  start=f"{settings.quiet_hours_start:02d}.00", end=f"{settings.quiet_hours_end:02d}.00",
                  when=i18n.format_datetime(quiet_hours_end(when, settings), officer.locale))


def _ask_to_send(request: Request, officer: Officer, v: dict[str, Any], recipients: int, label: str,
                 scheduled_at: datetime | None) -> Response:
    when = scheduled_at or clock.now()
    key = "console.broadcasts.confirm_later" if scheduled_at else "console.broadcasts.confirm_now"
    message = i18n.t(key, officer.locale, count=i18n.format_number(recipients), audience=label,
                     when=i18n.format_datetime(when, officer.locale))
    fields = {"text": v["text"], "audience": v["audience"], f"param_{v['audience']}": v["param"],
              "event_id": v["event_id"], "schedule": v["schedule"], "scheduled_at": v["scheduled_at"],
              "urgent": v["urgent"], "action": "send"}
    return confirm_page(request, officer, action="/admin/broadcasts/new",
                        title=i18n.t("console.broadcasts.confirm_title", officer.locale), message=message,
                        button=i18n.t("console.broadcasts.confirm_button", officer.locale, count=recipients),
                        back="/admin/broadcasts/new", fields=fields,
                        warning=_quiet_warning(request, officer, when, v["urgent"]))


def _send(request: Request, officer: Officer, v: dict[str, Any], sure: bool = False) -> Response:
    from bot.outbox import create_broadcast

    console = request.app.state.console
    errors: dict[str, str] = {}
    if len(v["text"]) < 5:
        errors["text"] = "console.broadcasts.error.short"
    elif len(v["text"]) > MAX_TEXT:
        errors["text"] = "console.broadcasts.error.long"
    audience = _audience(officer, v["audience"], v["param"])
    if audience is None:
        errors["audience"] = "console.broadcasts.error.audience"
    scheduled_at: datetime | None = None
    if v["schedule"] == "later":
        moment = parse_moment(v["scheduled_at"], "at", today=clock.today())
        if moment is None:
            errors["scheduled_at"] = "console.broadcasts.error.when"
        else:
            scheduled_at = local_to_utc(moment)
            if scheduled_at <= clock.now():
                errors["scheduled_at"] = "console.broadcasts.error.past"
    event_id = int(v["event_id"]) if str(v["event_id"]).isdigit() else None
    with console.runtime.db.session() as session:
        if event_id is not None and event_id not in {eid for eid, _ in _events(session, officer)}:
            errors["event_id"] = "console.broadcasts.error.event"
        if not errors:
            c = _audiences().count(session, audience, officer.province)  # type: ignore[arg-type]
            if c.members == 0:
                errors["audience"] = "console.broadcasts.error.nobody"
        if not errors and not sure:  # nothing is written until the officer confirms
            shown = _audiences().describe(session, audience, officer.locale)  # type: ignore[arg-type]
            return _ask_to_send(request, officer, v, c.members, shown, scheduled_at)
        if not errors:
            label = _audiences().describe(session, audience, "th")  # type: ignore[arg-type]
            b = create_broadcast(session, text=v["text"], audience=audience, scope_province=officer.province,  # type: ignore[arg-type]
                                 created_by=officer.login.member_id, urgent=v["urgent"], event_id=event_id,
                                 scheduled_at=scheduled_at, audience_label=label)
            record(session, officer, "broadcast.create", province=officer.province, target_type="broadcast",
                   target_id=b.id, details={"audience": label, "recipients": c.members, "urgent": v["urgent"],
                                            "scheduled_at": scheduled_at.isoformat() if scheduled_at else None,
                                            "text": v["text"][:200]}, request=request)
            broadcast_id = b.id
    if errors:
        return _compose(request, officer, v, errors, 422)
    return redirect(f"/admin/broadcasts/{broadcast_id}",
                    "console.flash.scheduled" if scheduled_at else "console.flash.queued")


def _broadcast(session: Session, officer: Officer, broadcast_id: int) -> Broadcast:
    return officer.fetch(session, Broadcast, broadcast_id, province="scope_province")


@router.get("/broadcasts/{broadcast_id}")
def detail(request: Request, broadcast_id: int, officer: Officer = Depends(current_officer)) -> Response:
    console = request.app.state.console
    with console.runtime.db.session() as session:
        b = _broadcast(session, officer, broadcast_id)
        by = session.exec(select(OutboxMessage.channel, OutboxMessage.status, func.count())
                          .where(OutboxMessage.broadcast_id == broadcast_id)
                          .group_by(OutboxMessage.channel, OutboxMessage.status)).all()
        failures = list(session.exec(select(OutboxMessage).where(
            OutboxMessage.broadcast_id == broadcast_id, col(OutboxMessage.status).in_(("failed", "unreachable")))
            .order_by(OutboxMessage.id).limit(50)))
    table: dict[str, dict[str, int]] = {}
    totals: dict[str, int] = {}
    for channel, status, n in by:
        table.setdefault(channel, {})[status] = n
        totals[status] = totals.get(status, 0) + n
    state = state_of(b, clock.now(), console.settings)
    done = request.query_params.get("done", "")
    return render(request, "broadcast.html", officer, active="broadcasts", b=b, table=table, totals=totals,
                  failures=failures, statuses=("pending", "sending", "delivered", "failed", "unreachable"),
                  state=state, stale_flash=FLASH_STATE.get(done, state.name) != state.name)


@router.post("/broadcasts/{broadcast_id}/cancel")
def cancel(request: Request, broadcast_id: int, officer: Officer = Depends(current_officer)) -> Response:
    """Withdraw a broadcast that has not started (still queued, e.g. scheduled for later)."""
    console = request.app.state.console
    with console.runtime.db.session() as session:
        b = session.exec(select(Broadcast).where(Broadcast.id == broadcast_id).with_for_update()).first()
        if b is None:
            raise Refused(404, "console.error.not_found")
        _broadcast(session, officer, broadcast_id)
        if not state_of(b, clock.now()).withdrawable:
            raise Refused(409, "console.broadcasts.error.started")
        b.status = "cancelled"
        b.finished_at = clock.now()
        session.add(b)
        record(session, officer, "broadcast.cancel", province=officer.province, target_type="broadcast",
               target_id=b.id, details={"audience": b.audience_label, "text": b.text[:200]}, request=request)
    return redirect(f"/admin/broadcasts/{broadcast_id}", "console.flash.broadcast_cancelled")
