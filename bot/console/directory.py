"""The network directory: search, filter, verify, edit, export."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.console import redirect, render
from bot.console.audit import changes, record
from bot.console.auth import Officer, Refused, current_officer
from bot.console.common import PAGE_SIZE, clean, page_of, provinces
from bot.console.confirm import confirm_page
from bot.console.org_page import org_page_values
from bot.notices import org_members, tell_members
from bot.org_kinds import KIND_KEYS
from storage.models import Member, Organization
from storage.repositories import memberships, org_search
from storage.repositories import organizations as orgs_repo

router = APIRouter()


def _filtered(stmt: Any, officer: Officer, *, kind: str | None, verified: str | None,  # noqa: ANN401
              province: str | None) -> Any:  # noqa: ANN401
    scope = officer.scope(province)
    if scope:
        stmt = stmt.where(Organization.province == scope)
    if kind in KIND_KEYS:
        stmt = stmt.where(Organization.kind == kind)
    if verified in ("yes", "no"):
        stmt = stmt.where(Organization.verified == (verified == "yes"))
    return stmt


def _matches(session: Session, officer: Officer, q: str, *, kind: str | None, verified: str | None,
             province: str | None) -> list[int]:
    """Ids of the organizations a search finds, best first: those whose name, district, contact, phone or
    certification number contains the text, then those whose name resembles it (typos welcome). Both
    come from the trigram index (`org_search`), so a search never reads every organization."""
    from bot.thai import fuzzy_key_score, normalize, org_name_key

    needle = normalize(q).strip().lower()
    scope = officer.scope(province)
    exact = org_search.substring_ids(session, needle, province=scope)
    if len(needle) < 3:  # too short for trigrams: the start of a name (the name index), bounded
        exact = list(session.exec(select(Organization.id).where(col(Organization.name).startswith(needle))
                                  .limit(2000)))
    key = org_name_key(q)
    fuzzy = sorted(((fuzzy_key_score(key, name_key), org_id) for org_id, _name, name_key in
                    org_search.name_candidates(session, key, province=scope) if org_id not in set(exact)),
                   key=lambda p: -p[0])
    ids = exact + [org_id for score, org_id in fuzzy if score >= 60]
    if not ids:
        return []
    # The filters (kind, verified, province) on the found ones, keeping the order.
    keep = set(session.exec(_filtered(select(Organization.id), officer, kind=kind, verified=verified,
                                      province=province).where(col(Organization.id).in_(ids))))
    return [i for i in ids if i in keep]


def _page(session: Session, officer: Officer, *, q: str | None, kind: str | None, verified: str | None,
          province: str | None, offset: int, limit: int | None) -> tuple[list[Organization], int]:
    """One page of the organizations the officer may see (listed or not), filtered and searched; and how
    many there are in all. Without a search, in name order straight from the database."""
    if q:
        ids = _matches(session, officer, q, kind=kind, verified=verified, province=province)
        shown = ids[offset:offset + limit] if limit is not None else ids[offset:]
        found = {o.id: o for o in session.exec(select(Organization).where(col(Organization.id).in_(shown)))}
        return [found[i] for i in shown if i in found], len(ids)
    total = session.exec(_filtered(select(func.count()).select_from(Organization), officer, kind=kind,
                                   verified=verified, province=province)).one()
    stmt = _filtered(select(Organization), officer, kind=kind, verified=verified, province=province) \
        .order_by(col(Organization.name), col(Organization.id)).offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(session.exec(stmt)), total


def _member_counts(session: Session, ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    return dict(session.exec(select(Member.organization_id, func.count())
                             .where(col(Member.organization_id).in_(ids), col(Member.consent_at).is_not(None))
                             .group_by(Member.organization_id)).all())


@router.get("/orgs")
def directory(request: Request, q: str | None = None, kind: str | None = None, verified: str | None = None,
              province: str | None = None, page: str | None = None,
              officer: Officer = Depends(current_officer)) -> Response:
    console = request.app.state.console
    n = page_of(page)
    with console.runtime.db.session() as session:
        shown, total = _page(session, officer, q=clean(q), kind=kind, verified=verified, province=province,
                             offset=(n - 1) * PAGE_SIZE, limit=PAGE_SIZE)
        counts = _member_counts(session, [o.id for o in shown])  # type: ignore[misc]
        all_provinces = provinces(session) if officer.national else []
        _, waiting = memberships.pending_page(session, province=officer.province, limit=0)
    return render(request, "directory.html", officer, active="orgs", orgs=shown, total=total, counts=counts,
                  waiting=waiting,
                  page=n, pages=max(1, -(-total // PAGE_SIZE)), q=q or "", kind=kind or "",
                  verified=verified or "", province=province or "", provinces=all_provinces, kinds=KIND_KEYS)


@router.get("/orgs/export")
def export(request: Request, fmt: str = "csv", q: str | None = None, kind: str | None = None,
           verified: str | None = None, province: str | None = None,
           officer: Officer = Depends(current_officer)) -> Response:
    """The list as filtered, as a file: at once when small, else written in the background (`exports`)."""
    from bot.cli.export import ORG_COLUMNS
    from bot.console import exports

    console = request.app.state.console
    query = clean(q)
    with console.runtime.db.session() as session:
        ids: list[int] | None = None
        if query:
            ids = _matches(session, officer, query, kind=kind, verified=verified, province=province)
            total = len(ids)
        else:
            total = session.exec(_filtered(select(func.count()).select_from(Organization), officer, kind=kind,
                                           verified=verified, province=province)).one()
        record(session, officer, "export.organizations", province=officer.scope(province),
               details={"format": fmt, "rows": total}, request=request)

    def rows(session: Session) -> Iterator[dict[str, Any]]:
        if ids is not None:  # a search: in the search's order
            order = {org_id: i for i, org_id in enumerate(ids)}
            found = []
            for start in range(0, len(ids), 500):
                found += list(orgs_repo.export_rows(session, ids=ids[start:start + 500]))
            yield from sorted(found, key=lambda r: order[r["id"]])
            return
        yield from orgs_repo.export_rows(session, province=officer.scope(province),
                                         kind=kind if kind in KIND_KEYS else None,
                                         verified=verified == "yes" if verified in ("yes", "no") else None)

    params = urlencode({k: v for k, v in (("q", q), ("kind", kind), ("verified", verified), ("province", province))
                        if v})
    return exports.export(request, officer, fmt=fmt, columns=ORG_COLUMNS, total=total, rows=rows,
                          name="organizations", kind="organizations", back=quote("/admin/orgs?" + params))


def _org(session: Session, officer: Officer, org_id: int) -> Organization:
    return officer.fetch(session, Organization, org_id)


@router.post("/orgs/{org_id}")
def edit(request: Request, org_id: int, name: str = Form(""), kind: str = Form("other"),
         province: str = Form(""), district: str = Form(""), certification_no: str = Form(""),
         contact_name: str = Form(""), phone: str = Form(""), listed: str | None = Form(None),
         officer: Officer = Depends(current_officer)) -> Response:
    from bot.thai import match_province, org_name_key, parse_phone

    console = request.app.state.console
    errors: dict[str, str] = {}
    name_v = clean(name, 300)
    if not name_v or len(name_v) < 3:
        errors["name"] = "console.org.error.name"
    if kind not in KIND_KEYS:
        errors["kind"] = "console.org.error.kind"
    phone_v = clean(phone, 40)
    if phone_v:
        parsed = parse_phone(phone_v)
        if parsed is None:
            errors["phone"] = "console.org.error.phone"
        else:
            phone_v = parsed
    with console.runtime.db.session() as session:
        org = _org(session, officer, org_id)
        new_province = org.province
        if officer.national and clean(province):
            new_province = match_province(clean(province) or "") or ""
            if not new_province:
                errors["province"] = "console.org.error.province"
        if errors:
            session.rollback()
            draft = org.model_copy(update={"name": name, "kind": kind, "district": district,
                                           "certification_no": certification_no, "contact_name": contact_name,
                                           "phone": phone, "listed": listed is not None})
            return render(request, "org.html", officer, code=422, active="orgs", org=draft, errors=errors,
                          **org_page_values(session, officer, org))
        old_province = org.province
        diff = changes(org, {"name": name_v, "kind": kind, "province": new_province,
                             "district": clean(district, 120), "certification_no": clean(certification_no, 64),
                             "contact_name": clean(contact_name), "phone": phone_v, "listed": listed is not None})
        if "name" in diff:
            org.name_key = org_name_key(org.name)
        if diff:
            session.add(org)
            # A move between provinces is written to both provinces' logs: each office sees it.
            for province in dict.fromkeys((old_province, org.province)):
                record(session, officer, "org.edit", province=province, target_type="organization",
                       target_id=org.id, details={"name": org.name, "changes": diff}, request=request)
    return redirect(f"/admin/orgs/{org_id}", "console.flash.saved" if diff else "console.flash.unchanged")


def _tell_members(session: Session, org: Organization, key: str, message: str, **values: Any) -> int:
    """Each consented member of the organization gets `message` through the outbox (once per `key`)."""
    from bot import i18n
    from bot.messages import Reply

    return tell_members(session, org_members(org.id), key=key,  # type: ignore[arg-type]
                        reply=lambda locale: Reply(text=i18n.t(message, locale, name=org.name, **values)))


@router.post("/orgs/{org_id}/verify")
def verify(request: Request, org_id: int, confirmed: str = Form(""),
           officer: Officer = Depends(current_officer)) -> Response:
    """Verify after a confirmation page saying whom it concerns; the members are told."""
    from bot import i18n

    console = request.app.state.console
    with console.runtime.db.session() as session:
        org = _org(session, officer, org_id)
        if org.verified:
            return redirect(f"/admin/orgs/{org_id}", "console.flash.unchanged")
        if confirmed != "1":
            n = orgs_repo.member_count(session, organization_id=org.id)  # type: ignore[arg-type]
            return confirm_page(request, officer, action=f"/admin/orgs/{org_id}/verify",
                                title=i18n.t("console.orgs.confirm_verify_title", officer.locale),
                                message=i18n.t("console.orgs.confirm_verify", officer.locale, name=org.name,
                                               count=i18n.format_number(n)),
                                button=i18n.t("console.orgs.verify", officer.locale), back=f"/admin/orgs/{org_id}")
        orgs_repo.verify(session, organization=org, officer_id=officer.login.member_id)
        stamp = int(org.verified_at.timestamp())  # type: ignore[union-attr]
        told = _tell_members(session, org, f"org:{org.id}:verified:{stamp}", "console.orgs.verified_message")
        record(session, officer, "org.verify", province=org.province, target_type="organization",
               target_id=org.id, details={"name": org.name, "told": told}, request=request)
    return redirect(f"/admin/orgs/{org_id}", "console.flash.verified")


@router.post("/orgs/{org_id}/reject")
def reject(request: Request, org_id: int, reason: str = Form(""), confirmed: str = Form(""),
           officer: Officer = Depends(current_officer)) -> Response:
    """Decline to verify, with a reason every member of the organization receives (through the outbox)."""
    from bot import i18n

    console = request.app.state.console
    reason_v = " ".join(reason.split())[:500]
    with console.runtime.db.session() as session:
        org = _org(session, officer, org_id)
        if org.verified:
            raise Refused(409, "console.orgs.error.already_verified")
        if confirmed != "1" or len(reason_v) < 5:
            n = orgs_repo.member_count(session, organization_id=org.id)  # type: ignore[arg-type]
            too_short = confirmed == "1"
            return confirm_page(
                request, officer, action=f"/admin/orgs/{org_id}/reject",
                title=i18n.t("console.orgs.confirm_reject_title", officer.locale),
                message=i18n.t("console.orgs.confirm_reject", officer.locale, name=org.name,
                               count=i18n.format_number(n)),
                button=i18n.t("console.orgs.reject", officer.locale), back=f"/admin/orgs/{org_id}",
                reason={"name": "reason", "label": i18n.t("console.orgs.reject_reason", officer.locale),
                        "hint": i18n.t("console.orgs.reject_reason_hint", officer.locale), "value": reason_v,
                        "error": i18n.t("console.orgs.error.reason", officer.locale) if too_short else ""})
        orgs_repo.reject(session, organization=org, reason=reason_v)
        stamp = int(org.rejected_at.timestamp())  # type: ignore[union-attr]
        told = _tell_members(session, org, f"org:{org.id}:rejected:{stamp}", "console.orgs.rejected_message",
                             reason=reason_v)
        record(session, officer, "org.reject", province=org.province, target_type="organization",
               target_id=org.id, details={"name": org.name, "reason": reason_v, "told": told}, request=request)
    return redirect(f"/admin/orgs/{org_id}", "console.flash.rejected")
