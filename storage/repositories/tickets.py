"""Tickets (questions to the office): keyword-only functions shared by the chat, the console and jobs."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_
from sqlmodel import Session, col, select

from bot.clock import db_now
from storage.models.tickets import Ticket, TicketMessage

VIEWS = ("open", "mine", "answered", "closed")


def create(session: Session, *, member_id: int | None, organization_id: int | None, province: str | None,
           address: str, subject: str, urgent: bool = False) -> Ticket:
    now = db_now()
    ticket = Ticket(member_id=member_id, organization_id=organization_id, province=province, address=address,
                    subject=" ".join(subject.split())[:120], urgent=urgent, status="open", created_at=now,
                    updated_at=now, waiting_since=now)
    session.add(ticket)
    session.flush()
    return ticket


def active_for(session: Session, *, member_id: int, follow_up_days: int) -> Ticket | None:
    """The member's ticket that takes their next message: open, or answered in the last days."""
    since = db_now() - timedelta(days=follow_up_days)
    stmt = (select(Ticket).where(Ticket.member_id == member_id,
                                 or_(Ticket.status == "open",
                                     (Ticket.status == "answered") & (col(Ticket.updated_at) >= since)))
            .order_by(col(Ticket.updated_at).desc(), col(Ticket.id).desc()))
    return session.exec(stmt).first()


def add_message(session: Session, *, ticket: Ticket, author: str, text: str, photos: list[str] | None = None,
                author_name: str | None = None, channel: str = "") -> TicketMessage:
    now = db_now()
    message = TicketMessage(ticket_id=ticket.id, author=author, text=text, photos=list(photos or []),  # type: ignore[arg-type]
                            author_name=author_name, channel=channel, created_at=now)
    session.add(message)
    if author == "member":
        if ticket.status != "open" or ticket.waiting_since is None:
            ticket.waiting_since = now
            ticket.reminders_sent = 0
        ticket.status = "open"
    elif author == "officer":
        ticket.status = "answered"
        ticket.answered_at = now
        ticket.waiting_since = None
    ticket.updated_at = now
    session.add(ticket)
    session.flush()
    return message


def get(session: Session, *, ticket_id: int) -> Ticket | None:
    return session.get(Ticket, ticket_id)


def thread(session: Session, *, ticket_id: int) -> list[TicketMessage]:
    return list(session.exec(select(TicketMessage).where(TicketMessage.ticket_id == ticket_id)
                             .order_by(col(TicketMessage.created_at), col(TicketMessage.id))))


def _scoped(stmt, province: str | None):  # noqa: ANN001, ANN202
    return stmt if province is None else stmt.where(Ticket.province == province)


def _viewed(stmt, view: str, login_id: int | None):  # noqa: ANN001, ANN202
    if view == "mine":
        return stmt.where(Ticket.assigned_login_id == login_id, Ticket.status != "closed")
    if view in ("answered", "closed"):
        return stmt.where(Ticket.status == view)
    return stmt.where(Ticket.status == "open")


def page(session: Session, *, view: str, province: str | None, login_id: int | None, offset: int,
         limit: int) -> tuple[list[Ticket], int]:
    """One page of the console's inbox (oldest waiting first for open ones, newest first otherwise)."""
    stmt = _viewed(_scoped(select(Ticket), province), view, login_id)
    order = ([col(Ticket.urgent).desc(), col(Ticket.waiting_since), col(Ticket.id)] if view == "open"
             else [col(Ticket.updated_at).desc(), col(Ticket.id).desc()])
    rows = list(session.exec(stmt.order_by(*order).offset(offset).limit(limit)))
    total = session.exec(_viewed(_scoped(select(func.count()).select_from(Ticket), province), view, login_id)).one()
    return rows, int(total)


def counts(session: Session, *, province: str | None, login_id: int | None) -> dict[str, int]:
    return {view: int(session.exec(_viewed(_scoped(select(func.count()).select_from(Ticket), province),
                                           view, login_id)).one()) for view in VIEWS}


def waiting(session: Session, *, older_than: datetime | None = None) -> list[Ticket]:
    """Open tickets with an unanswered message (for the reminder source)."""
    stmt = select(Ticket).where(Ticket.status == "open", col(Ticket.waiting_since).is_not(None))
    if older_than is not None:
        stmt = stmt.where(col(Ticket.waiting_since) <= older_than)
    return list(session.exec(stmt.order_by(col(Ticket.id))))


def erase_member(session: Session, *, member_id: int) -> int:
    """PDPA erasure: the member's questions and their whole threads go (answers quote them)."""
    ids = list(session.exec(select(Ticket.id).where(Ticket.member_id == member_id)))
    if ids:
        session.execute(delete(TicketMessage).where(col(TicketMessage.ticket_id).in_(ids)))
        session.execute(delete(Ticket).where(col(Ticket.id).in_(ids)))
    return len(ids)
