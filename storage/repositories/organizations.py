from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import func, inspect as sa_inspect, select as sa_select
from sqlmodel import Session, col, select

from bot.clock import db_now
from storage.models import Member, Organization
from storage.repositories import org_search


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
    """Organizations whose name resembles `query`, best first (typos and missing prefixes tolerated).
    Candidates come from the trigram index (`org_search`); only those are scored."""
    from bot.thai import org_name_key

    return _ranked(session, org_name_key(query), limit=limit, min_score=min_score, province=province)


def _ranked(session: Session, key: str, *, limit: int, min_score: float = 60.0, province: str | None = None,
            kind: str | None = None, listed_only: bool = False, district: str | None = None
            ) -> list[tuple[Organization, float]]:
    from bot.thai import fuzzy_key_score

    scores: dict[int, tuple[float, str]] = {}
    if key:
        for org_id, name, name_key in org_search.name_candidates(session, key, province=province, kind=kind,
                                                                 listed_only=listed_only):
            score = fuzzy_key_score(key, name_key)
            if score >= min_score:
                scores[org_id] = (score, name)
    if district:  # the chat directory: a district typed as is counts as a perfect match
        stmt = select(Organization.id, Organization.name).where(Organization.district == district)
        if province:
            stmt = stmt.where(Organization.province == province)
        if kind:
            stmt = stmt.where(Organization.kind == kind)
        if listed_only:
            stmt = stmt.where(Organization.listed == True)  # noqa: E712
        for org_id, name in session.exec(stmt.limit(limit)):
            scores[org_id] = (100.0, name)
    best = sorted(scores.items(), key=lambda item: (-item[1][0], item[1][1]))[:limit]
    orgs = {o.id: o for o in session.exec(select(Organization).where(
        col(Organization.id).in_([org_id for org_id, _ in best])))} if best else {}
    return [(orgs[org_id], score) for org_id, (score, _name) in best if org_id in orgs]


def directory(session: Session, *, province: str | None = None, kind: str | None = None,
              keyword: str | None = None, limit: int = 10) -> list[Organization]:
    """Listed organizations for the network directory (a keyword: a name, typos welcome, or a district)."""
    from bot.thai import org_name_key

    if keyword:
        return [o for o, _s in _ranked(session, org_name_key(keyword), limit=limit, province=province, kind=kind,
                                       listed_only=True, district=keyword.strip())]
    stmt = select(Organization).where(Organization.listed == True)  # noqa: E712
    if province:
        stmt = stmt.where(Organization.province == province)
    if kind:
        stmt = stmt.where(Organization.kind == kind)
    return list(session.exec(stmt.order_by(Organization.name).limit(limit)))


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
    organization.rejected_at = organization.rejection_reason = None
    session.add(organization)


def reject(session: Session, *, organization: Organization, reason: str) -> None:
    """Decline to verify: the organization stays unverified, with when and why (its members are told)."""
    organization.verified = False
    organization.verified_at = organization.verified_by = None
    organization.rejected_at = db_now()
    organization.rejection_reason = reason[:500]
    session.add(organization)


def unverified(session: Session, *, province: str | None, limit: int = 10) -> list[Organization]:
    stmt = select(Organization).where(Organization.verified == False)  # noqa: E712
    if province:
        stmt = stmt.where(Organization.province == province)
    return list(session.exec(stmt.order_by(Organization.created_at).limit(limit)))


def export_count(session: Session, *, province: str | None = None) -> int:
    stmt = select(func.count()).select_from(Organization)
    if province:
        stmt = stmt.where(Organization.province == province)
    return session.exec(stmt).one()


EXPORT_FIELDS = ("id", "name", "kind", "province", "district", "certification_no", "contact_name", "phone",
                 "verified", "created_at")


def export_rows(session: Session, *, province: str | None = None, ids: list[int] | None = None,
                kind: str | None = None, verified: bool | None = None) -> Iterator[dict]:
    """One dict per organization (in `province`, or among `ids`; by id) with `EXPORT_FIELDS` and
    ``members`` (consented members), read in batches: memory stays flat at 50,000 organizations."""
    counts = (sa_select(Member.organization_id.label("org_id"), func.count().label("n"))  # type: ignore[attr-defined]
              .where(col(Member.consent_at).is_not(None)).group_by(Member.organization_id).subquery())
    stmt = (sa_select(*(getattr(Organization, f) for f in EXPORT_FIELDS), func.coalesce(counts.c.n, 0).label("members"))
            .outerjoin(counts, counts.c.org_id == Organization.id).order_by(Organization.id))
    if province:
        stmt = stmt.where(Organization.province == province)
    if ids is not None:
        stmt = stmt.where(col(Organization.id).in_(ids))
    if kind:
        stmt = stmt.where(Organization.kind == kind)
    if verified is not None:
        stmt = stmt.where(Organization.verified == verified)
    for row in session.execute(stmt.execution_options(yield_per=2000)):
        yield dict(row._mapping)


_ = sa_inspect  # kept for callers that introspect models
