"""Overview: organizations, members, upcoming events and reporting compliance per open deadline (chart)."""
from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.clock import clock
from bot.console import render
from bot.console.auth import Officer, current_officer
from bot.console.common import provinces
from storage.models import Member, Organization

router = APIRouter()


def org_stats(session: Session, scope: str | None) -> dict[str, int]:
    orgs = select(func.count()).select_from(Organization)
    members = (select(func.count()).select_from(Member)
               .join(Organization, col(Organization.id) == col(Member.organization_id))
               .where(col(Member.consent_at).is_not(None)))
    if scope:
        orgs = orgs.where(Organization.province == scope)
        members = members.where(Organization.province == scope)
    return {"orgs": session.exec(orgs).one(),
            "verified": session.exec(orgs.where(Organization.verified == True)).one(),  # noqa: E712
            "members": session.exec(members).one()}


def upcoming_events(session: Session, scope: str | None, limit: int = 6) -> list[dict]:
    from storage.repositories import events as events_repo

    out = []
    for event in events_repo.list_events(session, province=scope, statuses=["published"],
                                         upcoming_after=clock.now(), limit=limit):
        c = events_repo.counts(session, event_id=event.id)  # type: ignore[arg-type]
        out.append({"event": event, "held": c["held"], "waitlisted": c["waitlisted"]})
    return out


def open_compliance(session: Session, scope: str | None) -> list[dict]:
    """Each open deadline (due in the future, or within the late window) with submitted / owed counts."""
    from storage.repositories import reports as reports_repo

    since = clock.today() - timedelta(days=reports_repo.LATE_DAYS)
    out = []
    for deadline in reports_repo.list_deadlines(session, province=scope, since=since, limit=8):
        counts = reports_repo.compliance_counts(session, deadline=deadline, province=scope)
        owed, submitted = counts["owed"], counts["submitted"]
        out.append({"deadline": deadline, "submitted": submitted, "missing": owed - submitted, "owed": owed,
                    "pct": round(100 * submitted / owed) if owed else 0})
    return out


@router.get("")
@router.get("/")
def overview(request: Request, province: str | None = None,
             officer: Officer = Depends(current_officer)) -> Response:
    console = request.app.state.console
    scope = officer.scope(province)
    with console.runtime.db.session() as session:
        stats = org_stats(session, scope)
        events = upcoming_events(session, scope)
        compliance = open_compliance(session, scope)
        all_provinces = provinces(session) if officer.national else []
    return render(request, "overview.html", officer, active="overview", stats=stats, events=events,
                  compliance=compliance, province=province or "", provinces=all_provinces, scope=scope,
                  today=clock.today())
