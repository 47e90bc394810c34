"""An organization's page: its details and verification, its members (add, remove, make representative),
members waiting to join, and its record — reports, registrations with attendance, messages sent to its
members — each section capped with a link to the full list, paged."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.console import render
from bot.console.auth import Officer, current_officer
from bot.console.common import PAGE_SIZE, page_of
from bot.org_kinds import KIND_KEYS
from storage.models import Member, MemberIdentity, Organization
from storage.repositories import memberships
from storage.repositories import org_records
from storage.repositories import report_records as records_repo
from storage.repositories import training as training_repo

router = APIRouter()
SHOWN = 10  # rows of each record section on the organization's page


def _members(session: Session, org: Organization, page: int) -> tuple[list[Member], int, dict[int, list[str]]]:
    scoped = (Member.organization_id == org.id, col(Member.consent_at).is_not(None))
    total = int(session.exec(select(func.count()).select_from(Member).where(*scoped)).one())
    members = list(session.exec(select(Member).where(*scoped).order_by(Member.id)
                                .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)))
    channels: dict[int, list[str]] = {}
    for ident in session.exec(select(MemberIdentity).where(
            col(MemberIdentity.member_id).in_([m.id for m in members] or [0]))):
        channels.setdefault(ident.member_id, []).append(ident.channel + ("" if ident.reachable else " ✕"))
    return members, total, channels


def org_page_values(session: Session, officer: Officer, org: Organization, member_page: int = 1) -> dict:
    """Everything the organization's page shows besides the edit form's values."""
    members, member_total, channels = _members(session, org, member_page)
    reports, report_total = records_repo.report_page(session, records_repo.ReportFilter(organization_id=org.id),
                                                     limit=SHOWN)
    registrations, reg_total = org_records.registrations_page(session, organization_id=org.id, limit=SHOWN)  # type: ignore[arg-type]
    messages, msg_total = org_records.messages_page(session, organization_id=org.id, limit=SHOWN)  # type: ignore[arg-type]
    joins, _ = memberships.pending_page(session, province=None, organization_id=org.id, limit=PAGE_SIZE)
    rep = memberships.representative(session, org)
    return {"members": members, "member_total": member_total, "member_page": member_page,
            "member_pages": max(1, -(-member_total // PAGE_SIZE)), "channels": channels,
            "representative_id": rep.id if rep else None, "reports": reports, "report_total": report_total,
            "registrations": registrations, "reg_total": reg_total, "messages": messages, "msg_total": msg_total,
            "joins": joins, "attendance": training_repo.org_attendance_rate(session, organization_id=org.id),  # type: ignore[arg-type]
            "kinds": KIND_KEYS, "shown": SHOWN}


@router.get("/orgs/{org_id}")
def detail(request: Request, org_id: int, mp: str | None = None, officer: Officer = Depends(current_officer)) -> Response:
    console = request.app.state.console
    with console.runtime.db.session() as session:
        org = officer.fetch(session, Organization, org_id)
        values = org_page_values(session, officer, org, page_of(mp))
    return render(request, "org.html", officer, active="orgs", org=org, errors={}, **values)


def _records(request: Request, officer: Officer, org_id: int, page: str | None, section: str) -> Response:
    """One full, paged list of an organization's page: its registrations with attendance, or the messages sent."""
    console = request.app.state.console
    n = page_of(page)
    page_fn = org_records.registrations_page if section == "registrations" else org_records.messages_page
    with console.runtime.db.session() as session:
        org = officer.fetch(session, Organization, org_id)
        rows, total = page_fn(session, organization_id=org_id, offset=(n - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    return render(request, "org_records.html", officer, active="orgs", org=org, section=section, rows=rows,
                  total=total, page=n, pages=max(1, -(-total // PAGE_SIZE)))


@router.get("/orgs/{org_id}/registrations")
def registrations(request: Request, org_id: int, page: str | None = None,
                  officer: Officer = Depends(current_officer)) -> Response:
    return _records(request, officer, org_id, page, "registrations")


@router.get("/orgs/{org_id}/messages")
def messages(request: Request, org_id: int, page: str | None = None,
             officer: Officer = Depends(current_officer)) -> Response:
    return _records(request, officer, org_id, page, "messages")
