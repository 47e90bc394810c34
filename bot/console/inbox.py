"""The inbox: members' questions to the office (open, mine, answered, closed), one question's thread,
answer (with ready-made answers), internal note, assign, close. Every change is audited.

Answers go to the member through the outbox (bot/tickets.py, key ``ticket:<id>:answer:<message id>``).
Opening a question marks the member's LINE messages as read, from a job after the response
(bot/read_receipts.py).
"""
from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, BackgroundTasks, Depends, Request
from fastapi.responses import Response
from sqlmodel import Session, col, or_, select
from starlette.concurrency import run_in_threadpool

from bot import i18n
from bot import tickets as service
from bot.console import redirect, render
from bot.console.audit import record
from bot.console.auth import Officer, Refused, current_officer
from bot.console.common import PAGE_SIZE, page_of
from bot.images import sniff_image
from bot.read_receipts import mark_ticket_read
from storage.models import Member, MemberIdentity, OfficerLogin, Organization
from storage.models.tickets import Ticket, TicketMessage
from storage.repositories import tickets as repo

log = logging.getLogger(__name__)
router = APIRouter()
CANNED = ("tickets.canned.received", "tickets.canned.documents", "tickets.canned.call", "tickets.canned.event")
MAX_TEXT = 2000


def _ticket(session: Session, officer: Officer, ticket_id: int) -> Ticket:
    return officer.fetch(session, Ticket, ticket_id)


@router.get("/inbox")
def inbox(request: Request, view: str = "open", page: str | None = None,
          officer: Officer = Depends(current_officer)) -> Response:
    console = request.app.state.console
    view = view if view in repo.VIEWS else "open"
    n = page_of(page)
    with console.runtime.db.session() as session:
        rows, total = repo.page(session, view=view, province=officer.province, login_id=officer.login.id,
                                offset=(n - 1) * PAGE_SIZE, limit=PAGE_SIZE)
        counts = repo.counts(session, province=officer.province, login_id=officer.login.id)
        who = {t.id: service.asker_label(session, t) for t in rows}
    return render(request, "inbox.html", officer, active="inbox", rows=rows, view=view, counts=counts, who=who,
                  page=n, pages=max(1, -(-total // PAGE_SIZE)))


def _colleagues(session: Session, ticket: Ticket) -> list[OfficerLogin]:
    stmt = select(OfficerLogin).where(OfficerLogin.active == True)  # noqa: E712
    if ticket.province:
        stmt = stmt.where(or_(OfficerLogin.province == ticket.province, col(OfficerLogin.province).is_(None)))
    return list(session.exec(stmt.order_by(col(OfficerLogin.email)).limit(100)))


@router.get("/inbox/{ticket_id}")
def ticket_page(request: Request, ticket_id: int, background: BackgroundTasks,
                officer: Officer = Depends(current_officer)) -> Response:
    console = request.app.state.console
    with console.runtime.db.session() as session:
        ticket = _ticket(session, officer, ticket_id)
        messages = repo.thread(session, ticket_id=ticket_id)
        member = session.get(Member, ticket.member_id) if ticket.member_id else None
        org = session.get(Organization, ticket.organization_id) if ticket.organization_id else None
        channels = sorted(set(session.exec(select(MemberIdentity.channel).where(
            MemberIdentity.member_id == ticket.member_id)))) if member else []
        colleagues = _colleagues(session, ticket)
        record(session, officer, "ticket.open", province=ticket.province, target_type="ticket",
               target_id=ticket.id, request=request)
        wants_receipt = bool(ticket.mark_as_read_token)
    if wants_receipt:  # after the response, outside any transaction
        background.add_task(mark_ticket_read, console.runtime, ticket_id)
    canned = [(key, i18n.t(key, officer.locale)) for key in CANNED]
    return render(request, "ticket.html", officer, active="inbox", ticket=ticket, messages=messages, member=member,
                  org=org, channels=channels, colleagues=colleagues, canned=canned, max_text=MAX_TEXT,
                  asked_via=ticket.address.partition(":")[0])


def _text(form: Any) -> str:
    text = (form.get("text") or "").strip()
    canned = form.get("canned") or ""
    if not text and canned in CANNED:
        return i18n.t(canned, "th")
    return text[:MAX_TEXT]


@router.get("/inbox/{ticket_id}/photos/{message_id}/{index}")
async def photo(request: Request, ticket_id: int, message_id: int, index: int,
                officer: Officer = Depends(current_officer)) -> Response:
    """A photo of the member's message, fetched from LINE or Telegram when the officer looks (the ticket
    keeps only the platform's reference; LINE keeps sent content for a while), with the content fetchers
    the server was built with, outside any transaction. Only real images are served, judged by their bytes."""
    channel, ref = await run_in_threadpool(_photo_ref, request, officer, ticket_id, message_id, index)
    fetch = request.app.state.content_fetchers.get(channel)
    data = None
    if fetch is not None:
        try:
            data = await fetch(ref)
        except Exception as exc:  # noqa: BLE001 - expired or unreachable: the page says the photo is gone
            log.info("a question's photo could not be fetched: %s", type(exc).__name__)
    kind = sniff_image(data) if data else None
    if kind is None:
        raise Refused(404, "console.error.not_found")
    return Response(data, media_type=kind, headers={"Cache-Control": "private, max-age=3600",
                                                    "X-Content-Type-Options": "nosniff"})


def _photo_ref(request: Request, officer: Officer, ticket_id: int, message_id: int, index: int) -> tuple[str, str]:
    with request.app.state.console.runtime.db.session() as session:
        _ticket(session, officer, ticket_id)
        message = session.get(TicketMessage, message_id)
        if message is None or message.ticket_id != ticket_id or not 0 <= index < len(message.photos):
            raise Refused(404, "console.error.not_found")
        return message.channel, message.photos[index]


@router.post("/inbox/{ticket_id}/answer")
async def answer(request: Request, ticket_id: int, officer: Officer = Depends(current_officer)) -> Response:
    from starlette.concurrency import run_in_threadpool

    form = await request.form()
    return await run_in_threadpool(_answer, request, officer, ticket_id, _text(form))


def _answer(request: Request, officer: Officer, ticket_id: int, text: str) -> Response:
    if len(text) < 2:
        return redirect(f"/admin/inbox/{ticket_id}", "console.flash.inbox_empty")
    console = request.app.state.console
    with console.runtime.db.session() as session:
        ticket = _ticket(session, officer, ticket_id)
        if ticket.status == "closed":
            raise Refused(409, "console.inbox.error.closed")
        service.send_answer(session, ticket, text=text, channel="console",
                            officer_name=officer.login.display_name or officer.login.email)
        record(session, officer, "ticket.answer", province=ticket.province, target_type="ticket",
               target_id=ticket.id, details={"text": text[:200]}, request=request)
    return redirect(f"/admin/inbox/{ticket_id}", "console.flash.inbox_answered")


@router.post("/inbox/{ticket_id}/note")
async def note(request: Request, ticket_id: int, officer: Officer = Depends(current_officer)) -> Response:
    from starlette.concurrency import run_in_threadpool

    form = await request.form()
    text = (form.get("text") or "").strip()[:MAX_TEXT]
    return await run_in_threadpool(_note, request, officer, ticket_id, text)


def _note(request: Request, officer: Officer, ticket_id: int, text: str) -> Response:
    if len(text) < 2:
        return redirect(f"/admin/inbox/{ticket_id}", "console.flash.inbox_empty")
    console = request.app.state.console
    with console.runtime.db.session() as session:
        ticket = _ticket(session, officer, ticket_id)
        repo.add_message(session, ticket=ticket, author="note", text=text, channel="console",
                         author_name=officer.login.display_name or officer.login.email)
        record(session, officer, "ticket.note", province=ticket.province, target_type="ticket",
               target_id=ticket.id, details={"text": text[:200]}, request=request)
    return redirect(f"/admin/inbox/{ticket_id}", "console.flash.inbox_noted")


@router.post("/inbox/{ticket_id}/assign")
async def assign(request: Request, ticket_id: int, officer: Officer = Depends(current_officer)) -> Response:
    from starlette.concurrency import run_in_threadpool

    form = await request.form()
    return await run_in_threadpool(_assign, request, officer, ticket_id, str(form.get("login_id") or ""))


def _assign(request: Request, officer: Officer, ticket_id: int, login_id: str) -> Response:
    console = request.app.state.console
    with console.runtime.db.session() as session:
        ticket = _ticket(session, officer, ticket_id)
        target = None
        if login_id.isdigit():
            target = next((c for c in _colleagues(session, ticket) if c.id == int(login_id)), None)
            if target is None:
                raise Refused(403, "console.error.other_province")
        ticket.assigned_login_id = target.id if target else None
        ticket.assigned_name = (target.display_name or target.email) if target else None
        session.add(ticket)
        record(session, officer, "ticket.assign", province=ticket.province, target_type="ticket",
               target_id=ticket.id, details={"to": ticket.assigned_name or "-"}, request=request)
    return redirect(f"/admin/inbox/{ticket_id}", "console.flash.inbox_assigned")


@router.post("/inbox/{ticket_id}/close")
def close(request: Request, ticket_id: int, officer: Officer = Depends(current_officer)) -> Response:
    console = request.app.state.console
    with console.runtime.db.session() as session:
        ticket = _ticket(session, officer, ticket_id)
        ticket.status = "closed"
        ticket.waiting_since = None
        session.add(ticket)
        record(session, officer, "ticket.close", province=ticket.province, target_type="ticket",
               target_id=ticket.id, request=request)
    return redirect("/admin/inbox", "console.flash.inbox_closed")
