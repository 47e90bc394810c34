"""The training day: check-in at the door, walk-ins, needs, attendance per organization, feedback results,
certificates. Keyword-only functions shared by the chat, the console and the CLI.

Checking in is idempotent: the registration row is locked (``FOR UPDATE`` on PostgreSQL; SQLite's
``BEGIN IMMEDIATE`` serializes writers), and attendees already in are left as they are, so the same QR
scanned twice — or a queued scan sent again after the network came back — changes nothing the second time.
"""
from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from bot.clock import to_local
from storage.models import Member, Organization
from storage.models.events import Event, EventAttendee, EventFeedback, EventRegistration, RegStatus
from storage.models.training import NEEDS, Certificate, CertificateTemplate, EventNeeds, EventWalkIn
from storage.repositories import events as events_repo


# --- check-in -----------------------------------------------------------------------------------------
@dataclass
class CheckIn:
    outcome: str  # checked_in | already | waitlisted | cancelled | unknown
    registration: EventRegistration | None = None
    names: list[str] = field(default_factory=list)
    organization: str = ""


def _org_name(session: Session, reg: EventRegistration) -> str:
    walk_in = session.exec(select(EventWalkIn).where(EventWalkIn.registration_id == reg.id)).first()
    if walk_in is not None:
        return walk_in.organization
    org = session.get(Organization, reg.organization_id) if reg.organization_id else None
    return org.name if org else ""


def find_registration(session: Session, *, event_id: int, registration_id: int | None = None,
                      code: str | None = None) -> EventRegistration | None:
    stmt = select(EventRegistration).where(EventRegistration.event_id == event_id)
    if registration_id is not None:
        stmt = stmt.where(EventRegistration.id == registration_id)
    elif code:
        stmt = stmt.where(EventRegistration.checkin_code == code.strip())
    else:
        return None
    return session.exec(stmt.with_for_update().execution_options(populate_existing=True)).first()


def check_in(session: Session, *, event_id: int, now: datetime, registration_id: int | None = None,
             code: str | None = None) -> CheckIn:
    """Check in every attendee of a seated registration found by id (from a signed QR token) or by its
    check-in code. A waitlisted or cancelled registration is reported and not checked in."""
    reg = find_registration(session, event_id=event_id, registration_id=registration_id, code=code)
    if reg is None:
        return CheckIn("unknown")
    people = list(session.exec(select(EventAttendee).where(EventAttendee.registration_id == reg.id)
                               .order_by(EventAttendee.id).execution_options(populate_existing=True)))
    result = CheckIn("unknown", reg, [p.name for p in people], _org_name(session, reg))
    if reg.status in (RegStatus.waitlisted.value, RegStatus.offered.value):
        result.outcome = "waitlisted"
    elif reg.status == RegStatus.cancelled.value:
        result.outcome = "cancelled"
    elif people and all(p.attended for p in people):
        result.outcome = "already"
    else:
        for p in people:
            if not p.attended:
                p.attended, p.attended_at = True, now
                session.add(p)
        session.flush()
        result.outcome = "checked_in"
    return result


# --- walk-ins ----------------------------------------------------------------------------------------
def add_walk_in(session: Session, *, event_id: int, name: str, organization: str, phone: str | None,
                now: datetime, created_by: int | None = None) -> tuple[EventRegistration, bool]:
    """A person added at the door: seated and attended at once. The same name and phone added again
    (a form sent twice) returns the first one; the bool says whether it is new."""
    same = session.exec(select(EventRegistration).join(EventWalkIn, EventWalkIn.registration_id == EventRegistration.id)
                        .join(EventAttendee, EventAttendee.registration_id == EventRegistration.id)
                        .where(EventWalkIn.event_id == event_id, EventAttendee.name == name,
                               EventWalkIn.phone == phone)).first()
    if same is not None:
        return same, False
    org = session.exec(select(Organization).where(Organization.name == organization)).first()
    reg = EventRegistration(event_id=event_id, organization_id=org.id if org else None, member_id=None, phone=phone,
                            status=RegStatus.registered.value, seats=1, checkin_code=events_repo.new_checkin_code(session, event_id),
                            created_at=now, updated_at=now)
    session.add(reg)
    session.flush()
    session.add(EventAttendee(registration_id=reg.id, event_id=event_id, name=name, attended=True,  # type: ignore[arg-type]
                              attended_at=now))
    session.add(EventWalkIn(event_id=event_id, registration_id=reg.id, organization=organization, phone=phone,  # type: ignore[arg-type]
                            created_by=created_by, created_at=now))
    session.flush()
    return reg, True


def walk_in_ids(session: Session, *, event_id: int) -> dict[int, EventWalkIn]:
    return {w.registration_id: w for w in session.exec(select(EventWalkIn).where(EventWalkIn.event_id == event_id))}


# --- needs -------------------------------------------------------------------------------------------
def save_needs(session: Session, *, registration: EventRegistration, needs: Sequence[str], note: str | None) -> None:
    needs = [n for n in NEEDS if n in needs]
    if not needs and not note:
        return
    row = session.exec(select(EventNeeds).where(EventNeeds.registration_id == registration.id)).first()
    row = row or EventNeeds(event_id=registration.event_id, registration_id=registration.id)  # type: ignore[arg-type]
    row.needs, row.note = needs, note
    session.add(row)
    session.flush()


@dataclass
class NeedsSummary:
    counts: dict[str, int]  # need key -> people in registrations holding seats that asked for it
    notes: list[tuple[str, str]]  # (organization, what they wrote)


def needs_summary(session: Session, *, event_id: int) -> NeedsSummary:
    counts = {n: 0 for n in NEEDS}
    notes = []
    stmt = (select(EventNeeds, EventRegistration).join(EventRegistration, EventRegistration.id == EventNeeds.registration_id)
            .where(EventNeeds.event_id == event_id, EventRegistration.status == RegStatus.registered.value)
            .order_by(EventRegistration.id))
    for row, reg in session.exec(stmt):
        for n in row.needs:
            if n in counts:
                counts[n] += reg.seats
        if row.note:
            notes.append((_org_name(session, reg), row.note))
    return NeedsSummary(counts, notes)


# --- attendance per organization ----------------------------------------------------------------------
def attendance_by_org(session: Session, *, event_id: int) -> list[dict[str, Any]]:
    """Seated people and those who came, per organization (walk-ins under the organization they gave),
    with the rate in percent; one GROUP BY."""
    org_label = func.coalesce(EventWalkIn.organization, Organization.name, "-")
    stmt = (select(org_label, func.count(EventAttendee.id),
                   func.sum(case((EventAttendee.attended == True, 1), else_=0)))  # noqa: E712
            .select_from(EventAttendee)
            .join(EventRegistration, EventRegistration.id == EventAttendee.registration_id)
            .join(Organization, Organization.id == EventRegistration.organization_id, isouter=True)
            .join(EventWalkIn, EventWalkIn.registration_id == EventRegistration.id, isouter=True)
            .where(EventAttendee.event_id == event_id, EventRegistration.status == RegStatus.registered.value)
            .group_by(org_label).order_by(org_label))
    out = []
    for name, seated, came in session.exec(stmt):
        came = int(came or 0)
        out.append({"organization": name, "seated": int(seated), "attended": came,
                    "rate": round(100 * came / seated) if seated else 0})
    return out


def org_attendance_rate(session: Session, *, organization_id: int) -> tuple[int, int]:
    """(people seated, people who came) over the organization's past events that took attendance."""
    seated, came = session.exec(
        select(func.count(EventAttendee.id), func.sum(case((EventAttendee.attended == True, 1), else_=0)))  # noqa: E712
        .select_from(EventAttendee)
        .join(EventRegistration, EventRegistration.id == EventAttendee.registration_id)
        .join(Event, Event.id == EventRegistration.event_id)
        .where(EventRegistration.organization_id == organization_id,
               EventRegistration.status == RegStatus.registered.value, Event.status == "finished")).one()
    return int(seated or 0), int(came or 0)


COMMENTS_SHOWN = 50


# --- feedback --------------------------------------------------------------------------------------------
def feedback_results(session: Session, *, event_id: int) -> dict[str, Any]:
    dist = {n: 0 for n in range(5, 0, -1)}
    for rating, n in session.exec(select(EventFeedback.rating, func.count()).where(EventFeedback.event_id == event_id)
                                  .group_by(EventFeedback.rating)):
        if rating in dist:
            dist[rating] = int(n)
    comments = list(session.exec(select(EventFeedback.comment).where(  # the latest; the export has them all
        EventFeedback.event_id == event_id, col(EventFeedback.comment).is_not(None))
        .order_by(col(EventFeedback.id).desc()).limit(COMMENTS_SHOWN)))
    total = sum(dist.values())
    avg = sum(k * v for k, v in dist.items()) / total if total else None
    return {"count": total, "average": avg, "distribution": dist, "comments": comments}


# --- certificates ------------------------------------------------------------------------------------------
def template_of(session: Session, *, event_id: int) -> CertificateTemplate | None:
    return session.get(CertificateTemplate, event_id)


def save_template(session: Session, *, event_id: int, title: str, signer_name: str, signer_position: str,
                  office_name: str, now: datetime) -> CertificateTemplate:
    tpl = session.get(CertificateTemplate, event_id) or CertificateTemplate(event_id=event_id, title=title,
                                                                            signer_name=signer_name,
                                                                            signer_position=signer_position,
                                                                            office_name=office_name)
    tpl.title, tpl.signer_name, tpl.signer_position, tpl.office_name = title, signer_name, signer_position, office_name
    tpl.updated_at = now
    session.add(tpl)
    session.flush()
    return tpl


def issue_certificates(session: Session, *, event: Event, now: datetime) -> list[Certificate]:
    """A certificate for every attendee who came and has none yet (issuing again adds only the new ones)."""
    have = set(session.exec(select(Certificate.attendee_id).where(Certificate.event_id == event.id)))
    n = len(have)
    year = to_local(event.starts_at).year + 543
    out = []
    stmt = (select(EventAttendee).join(EventRegistration, EventRegistration.id == EventAttendee.registration_id)
            .where(EventAttendee.event_id == event.id, EventAttendee.attended == True,  # noqa: E712
                   EventRegistration.status == RegStatus.registered.value).order_by(EventAttendee.id))
    for att in session.exec(stmt):
        if att.id in have:
            continue
        n += 1
        cert = Certificate(event_id=event.id, registration_id=att.registration_id, attendee_id=att.id,  # type: ignore[arg-type]
                           number=f"{event.id}/{n:04d}/{year}", code=secrets.token_urlsafe(9), name=att.name,
                           issued_at=now)
        session.add(cert)
        out.append(cert)
    session.flush()
    return out


def certificates_of_event(session: Session, *, event_id: int) -> list[Certificate]:
    return list(session.exec(select(Certificate).where(Certificate.event_id == event_id).order_by(Certificate.id)))


def certificates_of_member(session: Session, *, member_id: int) -> list[tuple[Certificate, Event]]:
    stmt = (select(Certificate, Event).join(EventRegistration, EventRegistration.id == Certificate.registration_id)
            .join(Event, Event.id == Certificate.event_id)
            .where(EventRegistration.member_id == member_id).order_by(Event.starts_at, Certificate.id))
    return list(session.exec(stmt))


def certificate_by_code(session: Session, *, code: str) -> tuple[Certificate, Event] | None:
    row = session.exec(select(Certificate, Event).join(Event, Event.id == Certificate.event_id)
                       .where(Certificate.code == code)).first()
    return (row[0], row[1]) if row else None


# --- export extras ----------------------------------------------------------------------------------------
def export_extras(session: Session, *, event_id: int) -> dict[int, dict[str, Any]]:
    """Per registration: walk-in (and the organization they gave), needs, feedback; per attendee (key
    ``-attendee id``): certificate number. Merged into the event's registration export."""
    out: dict[int, dict[str, Any]] = {}
    for w in session.exec(select(EventWalkIn).where(EventWalkIn.event_id == event_id)):
        out.setdefault(w.registration_id, {}).update(walk_in=True, walk_in_org=w.organization)
    for n in session.exec(select(EventNeeds).where(EventNeeds.event_id == event_id)):
        out.setdefault(n.registration_id, {}).update(needs=list(n.needs), needs_note=n.note or "")
    for f in session.exec(select(EventFeedback).where(EventFeedback.event_id == event_id)):
        out.setdefault(f.registration_id, {}).update(feedback_rating=f.rating, feedback_comment=f.comment or "")
    for c in session.exec(select(Certificate).where(Certificate.event_id == event_id)):
        out.setdefault(-c.attendee_id, {}).update(certificate_no=c.number)
    return out


def erase_training_day(session: Session, member: Member) -> None:
    """A member deleting their data: their name on certificates (the verification page then shows "-") and
    the needs they gave (an allergy is health data) go too."""
    reg_ids = select(EventRegistration.id).where(EventRegistration.member_id == member.id)
    for cert in session.exec(select(Certificate).where(col(Certificate.registration_id).in_(reg_ids))):
        if member.full_name and cert.name == member.full_name:  # colleagues they registered keep theirs
            cert.name = "-"
            session.add(cert)
    for needs in session.exec(select(EventNeeds).where(col(EventNeeds.registration_id).in_(reg_ids))):
        session.delete(needs)


def day_summary(session: Session, *, event_id: int) -> dict[str, Any]:
    """What the event page shows of the day: needs for the venue, attendance per organization, feedback,
    walk-ins and certificates issued."""
    return {"needs": needs_summary(session, event_id=event_id), "by_org": attendance_by_org(session, event_id=event_id),
            "feedback": feedback_results(session, event_id=event_id),
            "walk_ins": len(walk_in_ids(session, event_id=event_id)),
            "certificates": int(session.exec(select(func.count()).select_from(Certificate)
                                             .where(Certificate.event_id == event_id)).one())}


# --- finding people at the door ------------------------------------------------------------------------
SEARCH_LIMIT = 200


def find_registered(session: Session, *, event_id: int, query: str, limit: int = SEARCH_LIMIT
                    ) -> list[EventRegistration]:
    """The seated registrations of an event whose check-in code is `query`, or whose attendee or
    organization name holds it (any case), in order of arrival."""
    q = " ".join(query.split())
    if not q:
        return []
    like = f"%{q.lower()}%"
    names = select(EventAttendee.registration_id).where(func.lower(EventAttendee.name).like(like))
    orgs = select(Organization.id).where(func.lower(Organization.name).like(like))
    stmt = (select(EventRegistration)
            .where(EventRegistration.event_id == event_id, EventRegistration.status == RegStatus.registered.value)
            .where((EventRegistration.checkin_code == q) | col(EventRegistration.id).in_(names)
                   | col(EventRegistration.organization_id).in_(orgs))
            .order_by(col(EventRegistration.id)).limit(limit))
    return list(session.exec(stmt))
