"""Members asking to join an organization that already has a representative: the officers' list, with
approve and decline (each confirmed first); the member is told the outcome through the outbox and the
audit log keeps the decision."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from bot import i18n
from bot.console import redirect, render
from bot.console.audit import record
from bot.console.auth import Officer, Refused, current_officer
from bot.console.common import PAGE_SIZE, page_of
from bot.console.confirm import confirm_page
from bot.membership import tell_outcome
from storage.models import Member, Organization, OrgJoinRequest
from storage.repositories import memberships

router = APIRouter()


@router.get("/joins")
def joins(request: Request, page: str | None = None, officer: Officer = Depends(current_officer)) -> Response:
    console = request.app.state.console
    n = page_of(page)
    with console.runtime.db.session() as session:
        rows, total = memberships.pending_page(session, province=officer.province, offset=(n - 1) * PAGE_SIZE,
                                               limit=PAGE_SIZE)
    return render(request, "joins.html", officer, active="orgs", rows=rows, total=total, page=n,
                  pages=max(1, -(-total // PAGE_SIZE)))


@router.post("/joins/{request_id}/{decision}")
def decide(request: Request, request_id: int, decision: str, confirmed: str = Form(""), back: str = Form(""),
           officer: Officer = Depends(current_officer)) -> Response:
    if decision not in ("approve", "decline"):
        raise Refused(404, "console.error.not_found")
    console = request.app.state.console
    back_to = back if back.startswith("/admin/orgs/") else "/admin/joins"
    with console.runtime.db.session() as session:
        join = session.get(OrgJoinRequest, request_id)
        if join is None:
            raise Refused(404, "console.error.not_found")
        org = officer.fetch(session, Organization, join.organization_id)
        person = session.get(Member, join.member_id)
        name = (person.full_name if person else None) or "-"
        if join.status != "pending":
            return redirect(back_to, "console.flash.unchanged")
        if confirmed != "1":
            return confirm_page(request, officer, action=f"/admin/joins/{request_id}/{decision}",
                                title=i18n.t(f"records.joins.confirm_{decision}_title", officer.locale),
                                message=i18n.t(f"records.joins.confirm_{decision}", officer.locale, person=name,
                                               org=org.name),
                                button=i18n.t(f"records.join.{decision}", officer.locale), back=back_to,
                                fields={"back": back_to})
        memberships.decide(session, request=join, approve=decision == "approve", decided_by=officer.login.member_id)
        told = tell_outcome(session, request=join, org=org, by_officer=True)
        record(session, officer, f"org.join_{decision}", province=org.province, target_type="organization",
               target_id=org.id, details={"name": org.name, "person": name, "told": told}, request=request)
    return redirect(back_to, f"console.flash.join_{decision}d")
