"""The door of a training: the check-in page for an officer's phone, walk-ins, and the sign-in sheet PDF.

* ``GET /admin/events/<id>/checkin`` — a camera view that reads the QR code of a confirmation
  (`static/checkin.js` with the vendored jsQR; the page's CSP allows scripts of this origin only), a box
  for the six-digit code, the result in large Thai text, and the walk-in form.
* ``POST /admin/events/<id>/checkin`` (JSON, ``X-CSRF-Token``) — checks in by signed token or code;
  idempotent (`storage.repositories.training.check_in`): a second scan answers "already in".
* ``GET /admin/events/<id>/checkin/roster`` — who is expected (registration id, code, names, organization,
  status), kept in the page's memory only, so a scan while the network is down still says who it is; the
  scan waits in the phone's localStorage (the token, never a name) and is sent when the network is back.
* ``POST /admin/events/<id>/walkin`` — a person added at the door (name, organization, phone).
* ``GET /admin/events/<id>/signin.pdf`` — the sign-in sheet (`bot/pdf.py`).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from sqlmodel import Session, select

from bot import i18n
from bot.checkin import registration_of
from bot.clock import clock
from bot.console import redirect, render
from bot.console.audit import record
from bot.console.auth import Officer, Refused, current_officer
from bot.console.common import clean
from storage.models import Organization
from storage.models.events import EventAttendee, EventRegistration
from storage.repositories import events as events_repo
from storage.repositories import training as training_repo

router = APIRouter()
STATIC = Path(__file__).resolve().parent / "static"


def _event(session: Session, officer: Officer, event_id: int):  # noqa: ANN202
    event = events_repo.get(session, event_id=event_id)
    if event is None:
        raise Refused(404, "console.error.not_found")
    officer.check(event.province)
    return event


def _static(path: Path) -> Response:
    return Response(path.read_text(encoding="utf-8"), media_type="text/javascript",
                    headers={"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"})


@router.get("/static/checkin.js")
def checkin_script() -> Response:
    return _static(STATIC / "checkin.js")


@router.get("/static/vendor/jsQR.js")
def jsqr_script() -> Response:
    return _static(STATIC / "vendor" / "jsQR.js")


# Strings the page's script shows, from the catalogs (a script file cannot call t()).
SCRIPT_TEXTS = ("checkin.outcome.checked_in", "checkin.outcome.already", "checkin.outcome.waitlisted",
                "checkin.outcome.cancelled", "checkin.outcome.unknown", "checkin.offline_saved",
                "checkin.offline_unknown", "checkin.queue", "checkin.camera_off", "checkin.sending")


@router.get("/events/{event_id}/checkin")
def checkin_page(request: Request, event_id: int, officer: Officer = Depends(current_officer)) -> Response:
    console = request.app.state.console
    with console.runtime.db.session() as session:
        event = _event(session, officer, event_id)
        counts = events_repo.counts(session, event_id=event_id)
    texts = json.dumps({k: i18n.t(k, officer.locale) for k in SCRIPT_TEXTS}, ensure_ascii=False)
    return render(request, "checkin.html", officer, active="events", event=event, counts=counts, texts=texts)


def _roster(session: Session, event_id: int) -> list[dict[str, Any]]:
    regs = events_repo.registrations_of_event(session, event_id=event_id)
    walk_ins = training_repo.walk_in_ids(session, event_id=event_id)
    org_ids = {r.organization_id for r in regs if r.organization_id}
    orgs = {o.id: o.name for o in session.exec(select(Organization).where(Organization.id.in_(org_ids or {0})))}  # type: ignore[union-attr]
    people: dict[int, list[EventAttendee]] = {}
    for att in session.exec(select(EventAttendee).where(EventAttendee.event_id == event_id).order_by(EventAttendee.id)):
        people.setdefault(att.registration_id, []).append(att)
    out = []
    for r in regs:
        ps = people.get(r.id, [])  # type: ignore[arg-type]
        status = "waitlisted" if r.status in ("waitlisted", "offered") else r.status
        if status == "registered" and ps and all(p.attended for p in ps):
            status = "already"
        org = walk_ins[r.id].organization if r.id in walk_ins else orgs.get(r.organization_id, "")  # type: ignore[operator]
        out.append({"id": r.id, "code": r.checkin_code, "names": [p.name for p in ps], "organization": org,
                    "status": status})
    return out


@router.get("/events/{event_id}/checkin/roster")
def roster(request: Request, event_id: int, officer: Officer = Depends(current_officer)) -> Response:
    console = request.app.state.console
    with console.runtime.db.session() as session:
        _event(session, officer, event_id)
        rows = _roster(session, event_id)
    return JSONResponse({"registrations": rows}, headers={"Cache-Control": "no-store"})


def result_json(officer: Officer, res: training_repo.CheckIn) -> dict[str, Any]:
    loc = officer.locale
    return {"outcome": res.outcome, "message": i18n.t(f"checkin.outcome.{res.outcome}", loc),
            "names": res.names, "organization": res.organization,
            "registration_id": res.registration.id if res.registration else None}


@router.post("/events/{event_id}/checkin")
async def checkin(request: Request, event_id: int, officer: Officer = Depends(current_officer)) -> Response:
    try:
        body = await request.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return JSONResponse({"error": "bad request"}, status_code=400)
    token, code = str(body.get("token") or "")[:200], str(body.get("code") or "").strip()[:12]
    console = request.app.state.console
    reg_id = registration_of(console.secret, token) if token else None
    if token and reg_id is None:
        return JSONResponse(result_json(officer, training_repo.CheckIn("unknown")))
    if not token and not code.isdigit():
        return JSONResponse(result_json(officer, training_repo.CheckIn("unknown")))
    with console.runtime.db.session() as session:
        event = _event(session, officer, event_id)
        res = training_repo.check_in(session, event_id=event.id, now=clock.now(), registration_id=reg_id,  # type: ignore[arg-type]
                                     code=None if reg_id is not None else code)
        if res.outcome == "checked_in":
            record(session, officer, "event.checkin", province=event.province, target_type="registration",
                   target_id=res.registration.id if res.registration else None, request=request)
        out = result_json(officer, res)
    return JSONResponse(out, headers={"Cache-Control": "no-store"})


@router.post("/events/{event_id}/walkin")
async def walk_in(request: Request, event_id: int, officer: Officer = Depends(current_officer)) -> Response:
    from bot.thai import parse_phone

    form = await request.form()
    name, org = clean(str(form.get("name") or ""), 120), clean(str(form.get("organization") or ""), 300)
    raw_phone = clean(str(form.get("phone") or ""), 40)
    phone = parse_phone(raw_phone) if raw_phone else None
    if not name or not org or (raw_phone and phone is None):
        return redirect(f"/admin/events/{event_id}/checkin", "console.flash.walkin_invalid")
    console = request.app.state.console
    with console.runtime.db.session() as session:
        event = _event(session, officer, event_id)
        reg, new = training_repo.add_walk_in(session, event_id=event.id, name=name, organization=org,  # type: ignore[arg-type]
                                             phone=phone, now=clock.now(), created_by=officer.login.id)
        if new:
            record(session, officer, "event.walkin", province=event.province, target_type="registration",
                   target_id=reg.id, details={"name": name, "organization": org}, request=request)
    return redirect(f"/admin/events/{event_id}/checkin", "console.flash.walkin_added" if new else "console.flash.unchanged")


@router.get("/events/{event_id}/signin.pdf")
def signin_sheet(request: Request, event_id: int, officer: Officer = Depends(current_officer)) -> Response:
    from bot.pdf import signin_sheet_pdf

    console = request.app.state.console
    with console.runtime.db.session() as session:
        event = _event(session, officer, event_id)
        body = signin_sheet_pdf(session, event)
        record(session, officer, "export.signin_sheet", province=event.province, target_type="event",
               target_id=event_id, request=request)
    return Response(body, media_type="application/pdf", headers={
        "Content-Disposition": f'inline; filename="signin-{event_id}.pdf"', "Cache-Control": "no-store"})
