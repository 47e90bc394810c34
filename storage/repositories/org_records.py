"""One organization's record for its page in the console: its registrations with attendance, and the
messages the bot sent its members — each a page at a time, counted and aggregated in the database."""
from __future__ import annotations

from typing import Any

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from storage.models import Event, EventAttendee, EventRegistration, Member, OutboxMessage
from storage.models.outbox import stored_content


def registrations_page(session: Session, *, organization_id: int, offset: int = 0, limit: int = 10
                       ) -> tuple[list[dict[str, Any]], int]:
    """The organization's registrations, latest event first, each with its people seated and those who
    came; and how many there are."""
    total = int(session.exec(select(func.count()).select_from(EventRegistration)
                             .where(EventRegistration.organization_id == organization_id)).one())
    people = (select(EventAttendee.registration_id.label("rid"),  # type: ignore[attr-defined]
                     func.count(EventAttendee.id).label("seated"),  # type: ignore[arg-type]
                     func.sum(case((EventAttendee.attended == True, 1), else_=0)).label("came"))  # noqa: E712
              .group_by(EventAttendee.registration_id).subquery())
    stmt = (select(EventRegistration, Event, people.c.seated, people.c.came)
            .join(Event, col(Event.id) == col(EventRegistration.event_id))
            .outerjoin(people, people.c.rid == col(EventRegistration.id))
            .where(EventRegistration.organization_id == organization_id)
            .order_by(col(Event.starts_at).desc(), col(EventRegistration.id).desc()).offset(offset).limit(limit))
    rows = [{"registration": r, "event": e, "seated": int(seated or 0), "came": int(came or 0)}
            for r, e, seated, came in session.exec(stmt).all()]
    return rows, total


def messages_page(session: Session, *, organization_id: int, offset: int = 0, limit: int = 10
                  ) -> tuple[list[dict[str, Any]], int]:
    """Messages queued for the organization's current members, newest first, with whom each went to."""
    members = select(Member.id).where(Member.organization_id == organization_id)
    scoped = col(OutboxMessage.member_id).in_(members.scalar_subquery())
    total = int(session.exec(select(func.count()).select_from(OutboxMessage).where(scoped)).one())
    stmt = (select(OutboxMessage, Member.full_name, stored_content()).join(Member, col(Member.id) == col(OutboxMessage.member_id))
            .where(scoped).order_by(col(OutboxMessage.id).desc()).offset(offset).limit(limit))
    rows = []
    for message, name, content in session.exec(stmt).all():
        first = (content or [{}])[0]
        text = first.get("text") or (first.get("card") or {}).get("title") or ""
        rows.append({"message": message, "to": name or "-", "text": text})
    return rows, total
