"""Every report as the office's record: the list of all reports (with or without a deadline), filtered and
searched a page at a time; on a report, accept it, fix a typo in its text (the old and new words go to the
audit log), and attach a report sent outside any deadline to a deadline it answers.

Members are told through the outbox (`bot.notices`) in the same transaction as the change.
"""
from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from bot.clock import clock
from bot.console import redirect, render
from bot.console.audit import record
from bot.console.auth import Officer, Refused, current_officer
from bot.console.common import PAGE_SIZE, clean, page_of
from bot.console.reports import visible_report
from bot.console.when import parse_past_day
from bot.notices import notify_accepted
from bot.org_kinds import KIND_KEYS
from storage.models import Organization
from storage.models.reports import ReportActivity
from storage.repositories import report_records as records_repo
from storage.repositories import reports as reports_repo

router = APIRouter()


def _day(value: str | None) -> date | None:
    """A filter's day as typed (Thai, BE years, "1 ต.ค." = the last one), or None."""
    return parse_past_day(value, today=clock.today()) if value and value.strip() else None


@router.get("/reports")
def report_list(request: Request, deadline: str | None = None, state: str | None = None, org: str | None = None,
                kind: str | None = None, since: str | None = None, until: str | None = None, q: str | None = None,
                page: str | None = None, officer: Officer = Depends(current_officer)) -> Response:
    console = request.app.state.console
    n = page_of(page)
    f = records_repo.ReportFilter(
        province=officer.province, deadline=deadline if deadline == "none" or (deadline or "").isdigit() else None,
        state=state if state in records_repo.STATES else None,
        organization_id=int(org) if (org or "").isdigit() else None, kind=kind if kind in KIND_KEYS else None,
        since=_day(since), until=_day(until), q=clean(q, 100))
    with console.runtime.db.session() as session:
        rows, total = records_repo.report_page(session, f, offset=(n - 1) * PAGE_SIZE, limit=PAGE_SIZE)
        deadlines = reports_repo.list_deadlines(session, province=officer.province, limit=500)
        org_row = session.get(Organization, f.organization_id) if f.organization_id else None
        if org_row is not None and not officer.may_see(org_row.province):
            org_row = None
    v = {"deadline": f.deadline or "", "state": f.state or "", "org": str(f.organization_id or ""),
         "kind": f.kind or "", "since": since or "", "until": until or "", "q": q or ""}
    params = urlencode({k: val for k, val in v.items() if val})
    return render(request, "reports.html", officer, active="reports", rows=rows, total=total, page=n,
                  pages=max(1, -(-total // PAGE_SIZE)), v=v, params=params, deadlines=deadlines,
                  states=records_repo.STATES, kinds=KIND_KEYS, org_row=org_row)


@router.post("/reports/{report_id}/accept")
def accept(request: Request, report_id: int, officer: Officer = Depends(current_officer)) -> Response:
    console = request.app.state.console
    with console.runtime.db.session() as session:
        report, org = visible_report(session, officer, report_id)
        if not records_repo.accept(session, report=report, officer_id=officer.login.member_id):
            return redirect(f"/admin/reports/{report_id}", "console.flash.unchanged")
        told = notify_accepted(session, report=report)
        record(session, officer, "report.accept", province=org.province, target_type="report", target_id=report.id,
               details={"organization": org.name, "told": told}, request=request)
    return redirect(f"/admin/reports/{report_id}", "console.flash.report_accepted")


@router.post("/reports/{report_id}/activities/{activity_id}/fix")
def fix_typo(request: Request, report_id: int, activity_id: int, field: str = Form(""), text: str = Form(""),
             officer: Officer = Depends(current_officer)) -> Response:
    """Correct a typo in one text field of an activity; a rewrite is refused (it is the member's to send)."""
    console = request.app.state.console
    new = clean(text, 300) or ""
    with console.runtime.db.session() as session:
        report, org = visible_report(session, officer, report_id)
        activity = session.get(ReportActivity, activity_id)
        if activity is None or activity.report_id != report.id:
            raise Refused(404, "console.error.not_found")
        if field not in records_repo.TEXT_FIELDS:
            return redirect(f"/admin/reports/{report_id}", "console.flash.unchanged")
        if new == (getattr(activity, field) or ""):
            return redirect(f"/admin/reports/{report_id}", "console.flash.unchanged")
        old = records_repo.fix_text(session, activity=activity, field=field, new=new)
        if old is None:
            return redirect(f"/admin/reports/{report_id}", "console.flash.not_a_typo")
        record(session, officer, "report.fix_text", province=org.province, target_type="report",
               target_id=report.id, details={"organization": org.name, "field": field, "old": old, "new": new},
               request=request)
    return redirect(f"/admin/reports/{report_id}", "console.flash.typo_fixed")


@router.post("/reports/{report_id}/attach")
def attach(request: Request, report_id: int, deadline_id: str = Form(""),
           officer: Officer = Depends(current_officer)) -> Response:
    """Count a report sent outside any deadline for a deadline it answers."""
    console = request.app.state.console
    with console.runtime.db.session() as session:
        report, org = visible_report(session, officer, report_id)
        deadline = reports_repo.get_deadline(session, deadline_id=deadline_id)
        if deadline is None or not records_repo.attach(session, report=report, org=org, deadline=deadline):
            raise Refused(409, "console.reports.error.cannot_attach")
        record(session, officer, "report.attach", province=org.province, target_type="report", target_id=report.id,
               details={"organization": org.name, "deadline": deadline.title}, request=request)
    return redirect(f"/admin/reports/{report_id}", "console.flash.report_attached")
