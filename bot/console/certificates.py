"""Certificates in the console: the template of an event (title, signer, position, office), issuing to
everyone who attended (each gets theirs in the chat through the outbox), the list with numbers, and a
preview. The public side (files and /verify) is `bot/certificates.py`."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlmodel import Session

from bot import certificates as certs
from bot.clock import clock
from bot.console import redirect, render
from bot.console.audit import record
from bot.console.auth import Officer, Refused, current_officer
from bot.console.common import clean
from storage.models.training import Certificate
from storage.repositories import events as events_repo
from storage.repositories import training as training_repo

router = APIRouter()


def _event(session: Session, officer: Officer, event_id: int):  # noqa: ANN202
    event = events_repo.get(session, event_id=event_id)
    if event is None:
        raise Refused(404, "console.error.not_found")
    officer.check(event.province)
    return event


@router.get("/events/{event_id}/certificates")
def certificates_page(request: Request, event_id: int, officer: Officer = Depends(current_officer)) -> Response:
    console = request.app.state.console
    with console.runtime.db.session() as session:
        event = _event(session, officer, event_id)
        tpl = training_repo.template_of(session, event_id=event_id)
        issued = training_repo.certificates_of_event(session, event_id=event_id)
        counts = events_repo.counts(session, event_id=event_id)
    values = {"title": tpl.title if tpl else event.title, "signer_name": tpl.signer_name if tpl else "",
              "signer_position": tpl.signer_position if tpl else "",
              "office_name": tpl.office_name if tpl else certs.default_office(event, officer.locale)}
    settings = console.runtime.settings
    return render(request, "certificates.html", officer, active="events", event=event, values=values, tpl=tpl,
                  issued=issued, counts=counts, verify=lambda c: certs.verify_url(settings, c.code),
                  ended=event.ends_at <= clock.now())


@router.post("/events/{event_id}/certificates/template")
async def save_template(request: Request, event_id: int, officer: Officer = Depends(current_officer)) -> Response:
    form = await request.form()
    v = {k: clean(str(form.get(k) or ""), 300) for k in ("title", "signer_name", "signer_position", "office_name")}
    if not all(v.values()):
        return redirect(f"/admin/events/{event_id}/certificates", "console.flash.cert_template_incomplete")
    console = request.app.state.console
    with console.runtime.db.session() as session:
        event = _event(session, officer, event_id)
        training_repo.save_template(session, event_id=event.id, now=clock.now(), **v)  # type: ignore[arg-type]
        record(session, officer, "event.certificate_template", province=event.province, target_type="event",
               target_id=event_id, details=v, request=request)
    return redirect(f"/admin/events/{event_id}/certificates", "console.flash.saved")


@router.post("/events/{event_id}/certificates/issue")
def issue(request: Request, event_id: int, officer: Officer = Depends(current_officer)) -> Response:
    console = request.app.state.console
    now = clock.now()
    with console.runtime.db.session() as session:
        event = _event(session, officer, event_id)
        if training_repo.template_of(session, event_id=event_id) is None:
            return redirect(f"/admin/events/{event_id}/certificates", "console.flash.cert_template_incomplete")
        if event.ends_at > now:
            raise Refused(409, "console.error.cert_before_end")
        new = training_repo.issue_certificates(session, event=event, now=now)
        sent = certs.deliver(session, console.runtime.settings, event, new)
        record(session, officer, "event.certificates", province=event.province, target_type="event",
               target_id=event_id, details={"issued": len(new), "messages": sent}, request=request)
    return redirect(f"/admin/events/{event_id}/certificates",
                    "console.flash.certs_issued" if new else "console.flash.unchanged")


def _one(request: Request, officer: Officer, event_id: int, cert_id: int):  # noqa: ANN202
    console = request.app.state.console
    with console.runtime.db.session() as session:
        event = _event(session, officer, event_id)
        cert = session.get(Certificate, cert_id)
        if cert is None or cert.event_id != event_id:
            raise Refused(404, "console.error.not_found")
        return certs.certificate_text(console.runtime.settings, cert, event,
                                      training_repo.template_of(session, event_id=event_id))


@router.get("/events/{event_id}/certificates/{cert_id}.png")
def certificate_png(request: Request, event_id: int, cert_id: int, officer: Officer = Depends(current_officer)) -> Response:
    return Response(certs.render_png(_one(request, officer, event_id, cert_id)), media_type="image/png",
                    headers={"Cache-Control": "no-store"})


@router.get("/events/{event_id}/certificates/{cert_id}.pdf")
def certificate_pdf(request: Request, event_id: int, cert_id: int, officer: Officer = Depends(current_officer)) -> Response:
    return Response(certs.render_pdf(_one(request, officer, event_id, cert_id)), media_type="application/pdf",
                    headers={"Cache-Control": "no-store", "Content-Disposition": f'inline; filename="certificate-{cert_id}.pdf"'})
