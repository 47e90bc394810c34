"""Every report as the office's record: one list of all reports (with or without a deadline), filtered
and searched in the database a page at a time; accepting a report, fixing a typo in its text, and
attaching a report sent outside any deadline to a deadline it answers."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from difflib import SequenceMatcher
from typing import Any

from sqlalchemy import exists, func, or_
from sqlmodel import Session, col, select

from bot.clock import db_now, local_to_utc
from storage.models import Organization
from storage.models.reports import Report, ReportActivity, ReportDeadline, ReportStatus
from storage.repositories.reports import applies_to, visible_to_province

# What a member and an officer read for each state (keys under records.report.state.*).
STATES = ("received", "accepted", "returned", "started")
# Text of an activity an officer may correct (a typo), with the form's label.
TEXT_FIELDS = {"title": "records.report.field.title", "funding_source": "console.reports.funding",
               "target_group": "console.reports.target"}
# A correction keeps at least this much of the text (difflib's ratio): a typo, not a rewrite.
TYPO_SIMILARITY = 0.6


def state_of(report: Report) -> str:
    if report.status == ReportStatus.submitted:
        return "accepted" if report.accepted_at else "received"
    if report.status == ReportStatus.returned:
        return "returned"
    return "started"


@dataclass(frozen=True)
class ReportFilter:
    province: str | None = None  # the officer's scope
    deadline: str | None = None  # a deadline id, or "none" (sent outside any deadline)
    state: str | None = None  # one of STATES
    organization_id: int | None = None
    kind: str | None = None
    since: date | None = None
    until: date | None = None
    q: str | None = None  # a piece of the organization's name or of an activity's text


def _when() -> Any:  # noqa: ANN401
    """When the report reached the office (or was started, for a draft)."""
    return func.coalesce(col(Report.submitted_at), col(Report.created_at))


def _filtered(stmt: Any, f: ReportFilter) -> Any:  # noqa: ANN401
    if f.province:
        stmt = stmt.where(Organization.province == f.province)
    if f.deadline == "none":
        stmt = stmt.where(col(Report.deadline_id).is_(None))
    elif f.deadline and f.deadline.isdigit():
        stmt = stmt.where(Report.deadline_id == int(f.deadline))
    if f.state == "received":
        stmt = stmt.where(Report.status == ReportStatus.submitted, col(Report.accepted_at).is_(None))
    elif f.state == "accepted":
        stmt = stmt.where(Report.status == ReportStatus.submitted, col(Report.accepted_at).is_not(None))
    elif f.state == "returned":
        stmt = stmt.where(Report.status == ReportStatus.returned)
    elif f.state == "started":
        stmt = stmt.where(Report.status == ReportStatus.draft)
    if f.organization_id:
        stmt = stmt.where(Report.organization_id == f.organization_id)
    if f.kind:
        stmt = stmt.where(Organization.kind == f.kind)
    if f.since:
        stmt = stmt.where(_when() >= local_to_utc(datetime.combine(f.since, time.min)))  # Bangkok days
    if f.until:
        stmt = stmt.where(_when() < local_to_utc(datetime.combine(f.until + timedelta(days=1), time.min)))
    if f.q:
        needle = f"%{f.q.lower()}%"
        in_text = exists().where(col(ReportActivity.report_id) == col(Report.id), or_(
            func.lower(col(ReportActivity.title)).like(needle), func.lower(col(ReportActivity.original_text)).like(needle)))
        stmt = stmt.where(or_(func.lower(col(Organization.name)).like(needle), in_text))
    return stmt


def _base(columns: tuple) -> Any:  # noqa: ANN401
    return (select(*columns).select_from(Report)
            .join(Organization, col(Organization.id) == col(Report.organization_id))
            .outerjoin(ReportDeadline, col(ReportDeadline.id) == col(Report.deadline_id)))


def report_page(session: Session, f: ReportFilter, *, offset: int = 0, limit: int = 50
                ) -> tuple[list[dict[str, Any]], int]:
    """One page of reports, newest first, with their organization, deadline and number of activities;
    and how many match in all. Three queries whatever the number of reports."""
    total = int(session.exec(_filtered(_base((func.count(),)), f)).one())
    stmt = _filtered(_base((Report, Organization, ReportDeadline)), f) \
        .order_by(_when().desc(), col(Report.id).desc()).offset(offset).limit(limit)
    rows = list(session.exec(stmt).all())
    ids = [r.id for r, _o, _d in rows] or [0]
    counted = dict(session.exec(select(ReportActivity.report_id, func.count()).where(
        col(ReportActivity.report_id).in_(ids), ReportActivity.complete == True)  # noqa: E712
        .group_by(ReportActivity.report_id)).all())
    return [{"report": r, "org": o, "deadline": d, "state": state_of(r), "activities": counted.get(r.id, 0)}
            for r, o, d in rows], total


def accept(session: Session, *, report: Report, officer_id: int | None) -> bool:
    """Take a received report as the organization's report; False when it is not waiting for that."""
    if report.status != ReportStatus.submitted or report.accepted_at is not None:
        return False
    report.accepted_at = db_now()
    report.accepted_by = officer_id
    report.updated_at = db_now()
    session.add(report)
    return True


def is_typo_fix(old: str, new: str) -> bool:
    """Whether `new` corrects `old` rather than replacing it (most of the text stays)."""
    return bool(new) and new != old and SequenceMatcher(None, old, new).ratio() >= TYPO_SIMILARITY


def fix_text(session: Session, *, activity: ReportActivity, field: str, new: str) -> str | None:
    """Set one text field of an activity; returns the old text (None: nothing changed or not allowed)."""
    if field not in TEXT_FIELDS:
        return None
    old = getattr(activity, field) or ""
    if not is_typo_fix(old, new):
        return None
    setattr(activity, field, new)
    activity.updated_at = db_now()
    session.add(activity)
    return old


def attachable_deadlines(session: Session, *, report: Report, org: Organization) -> list[ReportDeadline]:
    """Deadlines a report sent outside any deadline could answer: the organization owes them and has no
    report for them yet; soonest due first."""
    if report.deadline_id is not None:
        return []
    has = select(Report.deadline_id).where(Report.organization_id == org.id, col(Report.deadline_id).is_not(None))
    stmt = select(ReportDeadline).where(col(ReportDeadline.id).not_in(has)).order_by(col(ReportDeadline.due_date))
    return [d for d in session.exec(stmt) if applies_to(d, org) and visible_to_province(d, org.province)]


def attach(session: Session, *, report: Report, org: Organization, deadline: ReportDeadline) -> bool:
    """Count the report for `deadline` (the organization has then reported for it)."""
    if report.deadline_id is not None or deadline.id not in {d.id for d in attachable_deadlines(
            session, report=report, org=org)}:
        return False
    report.deadline_id = deadline.id
    report.updated_at = db_now()
    session.add(report)
    session.flush()
    return True


def org_reports(session: Session, *, organization_id: int, limit: int) -> tuple[list[dict[str, Any]], int]:
    """The organization's latest reports (for its page) and how many it has."""
    return report_page(session, ReportFilter(organization_id=organization_id), limit=limit)

