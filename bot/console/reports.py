"""Deadlines and activity reports: deadlines with compliance, the compliance table of one deadline,
a report with its activities and photos, return for correction, export.

Data goes through `storage.repositories.reports`; telling the organization that its report was returned
goes through the reports capability's notifier, in the same transaction.
"""
from __future__ import annotations

import logging
from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from sqlmodel import Session, col, select

from bot.clock import clock
from bot.console import redirect, render
from bot.console.audit import record
from bot.console.auth import Officer, Refused, current_officer
from bot.console.common import PAGE_SIZE, clean, page_of
from bot.console.when import parse_day
from bot.images import sniff_image
from bot.cli.deadlines import REPORT_COLUMNS
from bot.notices import notify_returned
from bot.org_kinds import KIND_KEYS
from storage.models import Member, Organization
from storage.repositories import report_records as records_repo
from storage.repositories import reports as reports_repo

log = logging.getLogger(__name__)
router = APIRouter()


def _deadline(session: Session, officer: Officer, deadline_id: int):  # noqa: ANN202
    deadline = reports_repo.get_deadline(session, deadline_id=deadline_id)
    if deadline is None:
        raise Refused(404, "console.error.not_found")
    if not reports_repo.visible_to_province(deadline, officer.province):
        raise Refused(403, "console.error.other_province")
    return deadline


def visible_report(session: Session, officer: Officer, report_id: int):  # noqa: ANN202
    """The report and its organization, when the officer oversees it (404 / 403 otherwise)."""
    from storage.models.reports import Report

    report = session.get(Report, report_id)
    if report is None:
        raise Refused(404, "console.error.not_found")
    org = session.get(Organization, report.organization_id)
    officer.check(org.province if org else None)
    return report, org


def _deadline_rows(session: Session, scope: str | None) -> list[dict[str, Any]]:
    """Each deadline with its compliance, newest due date first (counted in the database)."""
    rows = []
    for d in reports_repo.list_deadlines(session, province=scope, limit=500):
        counts = reports_repo.compliance_counts(session, deadline=d, province=scope)
        owed, submitted = counts["owed"], counts["submitted"]
        rows.append({"deadline": d, "submitted": submitted, "missing": owed - submitted, "owed": owed,
                     "pct": round(100 * submitted / owed) if owed else 0})
    rows.sort(key=lambda r: r["deadline"].due_date, reverse=True)
    return rows


@router.get("/deadlines")
def deadlines(request: Request, officer: Officer = Depends(current_officer)) -> Response:
    console = request.app.state.console
    scope = officer.province
    with console.runtime.db.session() as session:
        rows = _deadline_rows(session, scope)
    return render(request, "deadlines.html", officer, active="reports", rows=rows, kinds=KIND_KEYS,
                  today=clock.today(), errors={}, v={"title": "", "due_date": "", "kinds": []})


@router.post("/deadlines")
async def create_deadline(request: Request, officer: Officer = Depends(current_officer)) -> Response:
    form = await request.form()
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(_create_deadline, request, officer, form)


def _create_deadline(request: Request, officer: Officer, form: Any) -> Response:
    from bot.thai import match_province

    console = request.app.state.console
    v = {"title": form.get("title") or "", "due_date": form.get("due_date") or "",
         "kinds": [k for k in form.getlist("kinds") if k in KIND_KEYS], "province": form.get("province") or ""}
    errors: dict[str, str] = {}
    title = clean(v["title"], 300)
    if not title or len(title) < 3:
        errors["title"] = "console.deadlines.error.title"
    due: date | None = None
    due = parse_day(v["due_date"], today=clock.today())
    if due is None:
        errors["due_date"] = "console.deadlines.error.date"
    elif due < clock.today():
        errors["due_date"] = "console.deadlines.error.past"
    provinces: list[str] = [officer.province] if officer.province else []
    if officer.national and v["province"].strip():
        found = match_province(v["province"])
        if not found:
            errors["province"] = "console.events.error.province"
        else:
            provinces = [found]
    if errors:
        with console.runtime.db.session() as session:
            rows = _deadline_rows(session, officer.province)
        return render(request, "deadlines.html", officer, code=422, active="reports", rows=rows,
                      kinds=KIND_KEYS, today=clock.today(), errors=errors, v=v)
    with console.runtime.db.session() as session:
        deadline = reports_repo.create_deadline(session, title=title, due_date=due, kinds=v["kinds"],  # type: ignore[arg-type]
                                           provinces=provinces, created_by=officer.login.member_id)
        record(session, officer, "deadline.create", province=officer.province, target_type="deadline",
               target_id=deadline.id, details={"title": title, "due_date": due.isoformat(),  # type: ignore[union-attr]
                                               "kinds": v["kinds"], "provinces": provinces}, request=request)
        deadline_id = deadline.id
    return redirect(f"/admin/deadlines/{deadline_id}", "console.flash.deadline_created")


@router.get("/deadlines/{deadline_id}")
def deadline_detail(request: Request, deadline_id: int, status: str | None = None, page: str | None = None,
                    officer: Officer = Depends(current_officer)) -> Response:
    console = request.app.state.console
    n = page_of(page)
    with console.runtime.db.session() as session:
        deadline = _deadline(session, officer, deadline_id)
        counts = reports_repo.compliance_counts(session, deadline=deadline, province=officer.province)
        state = status if status in ("submitted", "returned", "started", "missing") else None
        rows = [{"org": org, "report": report, "state": st} for org, report, st in reports_repo.compliance_page(
            session, deadline=deadline, province=officer.province, state=state, offset=(n - 1) * PAGE_SIZE,
            limit=PAGE_SIZE)]
    owed = counts.pop("owed")
    shown = counts[state] if state else owed
    overdue = deadline.due_date < clock.today()
    return render(request, "deadline.html", officer, active="reports", deadline=deadline, rows=rows, counts=counts,
                  owed=owed, pct=round(100 * counts["submitted"] / owed) if owed else 0, status=state or "",
                  overdue=overdue, kinds=KIND_KEYS, page=n, pages=max(1, -(-shown // PAGE_SIZE)))


@router.get("/deadlines/{deadline_id}/export")
def export_deadline(request: Request, deadline_id: int, fmt: str = "csv",
                    officer: Officer = Depends(current_officer)) -> Response:
    """The submitted activities as a file: at once when small, else written in the background."""
    from bot.console import exports

    console = request.app.state.console
    with console.runtime.db.session() as session:
        deadline = _deadline(session, officer, deadline_id)
        total = reports_repo.export_count(session, deadline_id=deadline.id, province=officer.province)  # type: ignore[arg-type]
        record(session, officer, "export.reports", province=officer.province, target_type="deadline",
               target_id=deadline_id, details={"format": fmt, "rows": total}, request=request)
    return exports.export(request, officer, fmt=fmt, columns=REPORT_COLUMNS, total=total,
                          rows=lambda session: iter(reports_repo.export_rows(session, deadline_id=deadline_id,
                                                                             province=officer.province)),
                          name=f"reports-{deadline_id}", kind="reports", back=f"/admin/deadlines/{deadline_id}")


@router.get("/reports/{report_id}")
def report_detail(request: Request, report_id: int, officer: Officer = Depends(current_officer)) -> Response:
    from storage.models.reports import ReportPhoto

    console = request.app.state.console
    with console.runtime.db.session() as session:
        report, org = visible_report(session, officer, report_id)
        deadline = reports_repo.get_deadline(session, deadline_id=report.deadline_id)
        activities = reports_repo.activities(session, report_id=report.id)
        photos: dict[int, list] = {}
        for photo in session.exec(select(ReportPhoto).where(
                col(ReportPhoto.activity_id).in_([a.id for a in activities] or [0])).order_by(ReportPhoto.id)):
            photos.setdefault(photo.activity_id, []).append(photo)
        submitter = session.get(Member, report.submitted_by) if report.submitted_by else None
        attachable = records_repo.attachable_deadlines(session, report=report, org=org)
    return render(request, "report.html", officer, active="reports", report=report, org=org, deadline=deadline,
                  activities=activities, photos=photos, submitter=submitter, state=records_repo.state_of(report),
                  attachable=attachable, text_fields=records_repo.TEXT_FIELDS)


@router.get("/photos/{photo_id}")
def photo(request: Request, photo_id: int, officer: Officer = Depends(current_officer)) -> Response:
    from storage.models.reports import ReportActivity, ReportPhoto

    console = request.app.state.console
    with console.runtime.db.session() as session:
        p = session.get(ReportPhoto, photo_id)
        activity = session.get(ReportActivity, p.activity_id) if p else None
        if p is None or activity is None or not p.data:
            raise Refused(404, "console.error.not_found")
        visible_report(session, officer, activity.report_id)
        data = p.data
    # The type comes from the bytes, never from what was declared or stored; even a picture is served
    # as a sandboxed document that may load nothing, so no file can run in the console's origin.
    kind = sniff_image(data)
    headers = {"Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff",
               "Content-Security-Policy": "default-src 'none'; sandbox"}
    if kind is None:  # stored before photos were checked: a download, never shown
        headers["Content-Disposition"] = f'attachment; filename="photo-{photo_id}.bin"'
    return Response(data, media_type=kind or "application/octet-stream", headers=headers)


@router.post("/reports/{report_id}/return")
def return_report(request: Request, report_id: int, note: str = Form(""),
                  officer: Officer = Depends(current_officer)) -> Response:
    from storage.models.reports import ReportStatus

    console = request.app.state.console
    note_v = (note or "").strip()[:2000]
    if len(note_v) < 5:
        return redirect(f"/admin/reports/{report_id}", "console.flash.note_needed")
    with console.runtime.db.session() as session:
        report, org = visible_report(session, officer, report_id)
        if report.status != ReportStatus.submitted:
            raise Refused(409, "console.reports.error.not_submitted")
        n = reports_repo.return_for_correction(session, report=report, officer_id=officer.login.member_id, note=note_v)
        told = notify_returned(session, report=report, note=note_v)
        record(session, officer, "report.return", province=org.province if org else None, target_type="report",
               target_id=report.id, details={"organization": org.name if org else None, "note": note_v,
                                             "return": n, "told": told}, request=request)
    return redirect(f"/admin/reports/{report_id}", "console.flash.returned")


