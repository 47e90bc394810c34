"""Who speaks for an organization: its representative (`organizations.representative_id`), members asking
to join it (`org_join_requests`), and the decisions of the representative or an officer.

A member joining an organization that has a representative waits (no `members.organization_id`) until one
of them approves; joining one without a representative makes the member its representative.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.clock import db_now
from storage.models import JoinStatus, Member, Organization, OrgJoinRequest


def representative(session: Session, org: Organization) -> Member | None:
    """The member who speaks for `org`, while they still belong to it."""
    if org.representative_id is None:
        return None
    member = session.get(Member, org.representative_id)
    if member is None or member.organization_id != org.id or member.consent_at is None:
        return None
    return member


def needs_approval(session: Session, *, org: Organization, member_id: int | None) -> bool:
    rep = representative(session, org)
    return rep is not None and rep.id != member_id


def make_representative(session: Session, *, org: Organization, member: Member) -> None:
    """`member` speaks for `org` and is its contact (name and phone)."""
    org.representative_id = member.id
    org.contact_name = member.full_name or org.contact_name
    org.phone = member.phone or org.phone
    session.add(org)


def join(session: Session, *, org: Organization, member: Member) -> None:
    """Belong to `org` now; the first to join an organization without a representative becomes it."""
    member.organization_id = org.id
    session.add(member)
    if representative(session, org) is None:
        session.flush()
        make_representative(session, org=org, member=member)


def request_join(session: Session, *, org: Organization, member: Member) -> OrgJoinRequest:
    """Ask to join `org` (any earlier pending request of the member is replaced)."""
    for old in session.exec(select(OrgJoinRequest).where(OrgJoinRequest.member_id == member.id,
                                                         OrgJoinRequest.status == JoinStatus.pending)):
        session.delete(old)
    member.organization_id = None
    session.add(member)
    req = OrgJoinRequest(member_id=member.id, organization_id=org.id)  # type: ignore[arg-type]
    session.add(req)
    session.flush()
    return req


def pending_of(session: Session, *, member_id: int) -> tuple[OrgJoinRequest, Organization] | None:
    """The member's request waiting for a decision, with its organization."""
    row = session.exec(select(OrgJoinRequest, Organization)
                       .join(Organization, col(Organization.id) == col(OrgJoinRequest.organization_id))
                       .where(OrgJoinRequest.member_id == member_id, OrgJoinRequest.status == JoinStatus.pending)
                       .order_by(col(OrgJoinRequest.id).desc())).first()
    return (row[0], row[1]) if row else None


def decide(session: Session, *, request: OrgJoinRequest, approve: bool, decided_by: int | None) -> bool:
    """Approve (the member joins) or decline a pending request; False when it was already decided."""
    if request.status != JoinStatus.pending:
        return False
    request.status = JoinStatus.approved if approve else JoinStatus.declined
    request.decided_by = decided_by
    request.decided_at = db_now()
    session.add(request)
    if approve:
        member = session.get(Member, request.member_id)
        org = session.get(Organization, request.organization_id)
        if member is not None and org is not None:
            join(session, org=org, member=member)
    return True


def may_decide(session: Session, *, request: OrgJoinRequest, member: Member) -> bool:
    """Whether `member` may decide `request` from the chat: the organization's representative."""
    org = session.get(Organization, request.organization_id)
    rep = representative(session, org) if org else None
    return rep is not None and rep.id == member.id


def pending_page(session: Session, *, province: str | None, organization_id: int | None = None, offset: int = 0,
                 limit: int = 50) -> tuple[list[dict[str, Any]], int]:
    """Requests waiting for a decision (oldest first) with the member and the organization; and how many."""
    def scoped(stmt: Any) -> Any:  # noqa: ANN401
        stmt = stmt.join(Organization, col(Organization.id) == col(OrgJoinRequest.organization_id)) \
            .where(OrgJoinRequest.status == JoinStatus.pending)
        if province:
            stmt = stmt.where(Organization.province == province)
        if organization_id:
            stmt = stmt.where(OrgJoinRequest.organization_id == organization_id)
        return stmt

    total = int(session.exec(scoped(select(func.count()).select_from(OrgJoinRequest))).one())
    rows = session.exec(scoped(select(OrgJoinRequest, Member, Organization).select_from(OrgJoinRequest)
                               .join(Member, col(Member.id) == col(OrgJoinRequest.member_id)))
                        .order_by(col(OrgJoinRequest.id)).offset(offset).limit(limit)).all()
    reps = {o.representative_id for _r, _m, o in rows if o.representative_id}
    names = dict(session.exec(select(Member.id, Member.full_name).where(col(Member.id).in_(reps or {0}))).all())
    return [{"request": r, "member": m, "org": o, "representative": names.get(o.representative_id)}
            for r, m, o in rows], total
