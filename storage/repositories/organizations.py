from __future__ import annotations

from sqlalchemy import func, inspect as sa_inspect, select as sa_select
from sqlmodel import Session, select

from bot.clock import db_now
from storage.models import Member, Organization


def create(session: Session, *, name: str, kind: str, province: str, district: str | None = None,
           certification_no: str | None = None, contact_name: str | None = None, phone: str | None = None,
           listed: bool = True, is_demo: bool = False) -> Organization:
    from bot.thai import org_name_key

    org = Organization(name=name.strip(), name_key=org_name_key(name), kind=kind, province=province,
                       district=district, certification_no=certification_no, contact_name=contact_name,
                       phone=phone, listed=listed, is_demo=is_demo)
    session.add(org)
    session.flush()
    return org


def search(session: Session, *, query: str, limit: int = 5, min_score: float = 60.0,
           province: str | None = None) -> list[tuple[Organization, float]]:
    """Organizations whose name resembles `query`, best first (typos and missing prefixes tolerated)."""
    from bot.thai import fuzzy_org_score

    stmt = select(Organization)
    if province:
        stmt = stmt.where(Organization.province == province)
    scored = [(org, fuzzy_org_score(query, org.name)) for org in session.exec(stmt)]
    scored = [(o, s) for o, s in scored if s >= min_score]
    scored.sort(key=lambda pair: (-pair[1], pair[0].name))
    return scored[:limit]


def directory(session: Session, *, province: str | None = None, kind: str | None = None,
              keyword: str | None = None, limit: int = 10) -> list[Organization]:
    """Listed organizations for the network directory."""
    from bot.thai import fuzzy_org_score

    stmt = select(Organization).where(Organization.listed == True)  # noqa: E712
    if province:
        stmt = stmt.where(Organization.province == province)
    if kind:
        stmt = stmt.where(Organization.kind == kind)
    orgs = list(session.exec(stmt.order_by(Organization.name)))
    if keyword:
        scored = [(o, max(fuzzy_org_score(keyword, o.name), 100.0 if keyword in (o.district or "") else 0.0))
                  for o in orgs]
        orgs = [o for o, s in sorted(scored, key=lambda p: -p[1]) if s >= 60]
    return orgs[:limit]


def member_count(session: Session, *, organization_id: int) -> int:
    return session.exec(
        select(func.count()).select_from(Member).where(Member.organization_id == organization_id,
                                                       Member.consent_at.is_not(None))  # type: ignore[union-attr]
    ).one()


def is_referenced(session: Session, *, organization_id: int, except_member_id: int | None = None) -> bool:
    """Whether anything but `except_member_id` still needs the organization (members, reports, registrations…).

    Looks at every table with an `organization_id` column, so later capabilities are covered without
    having to remember to update this function.
    """
    if session.exec(select(Member.id).where(Member.organization_id == organization_id,
                                            Member.id != except_member_id,
                                            Member.consent_at.is_not(None))).first():  # type: ignore[union-attr]
        return True
    from storage.models import metadata

    for table in metadata.sorted_tables:
        if table.name == "members" or "organization_id" not in table.c:
            continue
        if session.execute(sa_select(table.c.organization_id).where(
                table.c.organization_id == organization_id).limit(1)).first():
            return True
    return False


def verify(session: Session, *, organization: Organization, officer_id: int | None) -> None:
    organization.verified = True
    organization.verified_at = db_now()
    organization.verified_by = officer_id
    session.add(organization)


def unverified(session: Session, *, province: str | None, limit: int = 10) -> list[Organization]:
    stmt = select(Organization).where(Organization.verified == False)  # noqa: E712
    if province:
        stmt = stmt.where(Organization.province == province)
    return list(session.exec(stmt.order_by(Organization.created_at).limit(limit)))


def all_for_export(session: Session, *, province: str | None = None) -> list[tuple[Organization, int]]:
    counts = dict(session.exec(
        select(Member.organization_id, func.count()).where(Member.consent_at.is_not(None))  # type: ignore[union-attr]
        .group_by(Member.organization_id)).all())
    stmt = select(Organization).order_by(Organization.id)
    if province:
        stmt = stmt.where(Organization.province == province)
    return [(o, counts.get(o.id, 0)) for o in session.exec(stmt)]


_ = sa_inspect  # kept for callers that introspect models
