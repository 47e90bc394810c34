"""Deadlines, reports, activities and photos. Keyword-only functions shared by handlers, CLI and tests."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, and_, func, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.clock import db_now
from storage.models import Member, Organization
from storage.models.reports import (
    MAX_PHOTOS, Report, ReportActivity, ReportDeadline, ReportPhoto, ReportStatus,
)

# A deadline stays open for (late) reports this many days after its due date.
LATE_DAYS = 30


# --- deadlines ------------------------------------------------------------------------------------
def create_deadline(session: Session, *, title: str, due_date: date, kinds: Sequence[str] = (),
                    provinces: Sequence[str] = (), created_by: int | None = None) -> ReportDeadline:
    deadline = ReportDeadline(title=title.strip(), due_date=due_date, kinds=list(kinds), provinces=list(provinces),
                              created_by=created_by)
    session.add(deadline)
    session.flush()
    return deadline


def get_deadline(session: Session, *, deadline_id: int | str | None) -> ReportDeadline | None:
    if deadline_id is None or not str(deadline_id).isdigit():
        return None
    return session.get(ReportDeadline, int(deadline_id))


def applies_to(deadline: ReportDeadline, org: Organization) -> bool:
    """Whether `org` owes `deadline` (empty kinds / provinces mean all)."""
    return (not deadline.kinds or org.kind in deadline.kinds) and \
        (not deadline.provinces or org.province in deadline.provinces)


def visible_to_province(deadline: ReportDeadline, province: str | None) -> bool:
    """Whether an officer of `province` (None = national) oversees some organization owing it."""
    return province is None or not deadline.provinces or province in deadline.provinces


def list_deadlines(session: Session, *, province: str | None = None, since: date | None = None,
                   limit: int = 50) -> list[ReportDeadline]:
    """Deadlines an officer of `province` cares about (due on or after `since`), soonest first."""
    stmt = select(ReportDeadline)
    if since is not None:
        stmt = stmt.where(ReportDeadline.due_date >= since)
    stmt = stmt.order_by(col(ReportDeadline.due_date), col(ReportDeadline.id))
    return [d for d in session.exec(stmt) if visible_to_province(d, province)][:limit]


def _audience_orgs(deadline: ReportDeadline, province: str | None = None) -> Select:
    return _in_audience(select(Organization).order_by(col(Organization.name)), deadline, province)


def _in_audience(stmt: Select, deadline: ReportDeadline, province: str | None) -> Select:
    """`stmt` (over organizations) limited to those owing `deadline`, in `province` when given."""
    if deadline.kinds:
        stmt = stmt.where(col(Organization.kind).in_(deadline.kinds))
    if deadline.provinces:
        stmt = stmt.where(col(Organization.province).in_(deadline.provinces))
    if province:
        stmt = stmt.where(Organization.province == province)
    return stmt


def submitted_org_ids(session: Session, *, deadline_id: int) -> set[int]:
    """Organizations whose report for the deadline is submitted (by any of their members)."""
    return set(session.exec(select(Report.organization_id).where(
        Report.deadline_id == deadline_id, Report.status == ReportStatus.submitted)))


def compliance(session: Session, *, deadline: ReportDeadline, province: str | None = None
               ) -> tuple[list[Organization], list[Organization]]:
    """(submitted, missing) organizations owing `deadline`, limited to `province` when given."""
    done = submitted_org_ids(session, deadline_id=deadline.id)  # type: ignore[arg-type]
    submitted, missing = [], []
    for org in session.exec(_audience_orgs(deadline, province)):
        (submitted if org.id in done else missing).append(org)
    return submitted, missing


def compliance_counts(session: Session, *, deadline: ReportDeadline, province: str | None = None) -> dict[str, int]:
    """How many organizations owing `deadline` are in each state — submitted, returned, started (a draft)
    and missing (no report) — and ``owed`` in all: one GROUP BY, whatever the number of organizations."""
    counts = {"submitted": 0, "returned": 0, "started": 0, "missing": 0}
    state = _state_column()
    stmt = _in_audience(select(state, func.count()).select_from(Organization).outerjoin(
        Report, (col(Report.organization_id) == col(Organization.id)) & (col(Report.deadline_id) == deadline.id)),
        deadline, province).group_by(state)
    for name, n in session.execute(stmt):
        counts[name] = counts.get(name, 0) + n
    counts["owed"] = sum(counts.values())
    return counts


def _state_column() -> Any:  # noqa: ANN401
    from sqlalchemy import case

    return case((col(Report.id).is_(None), "missing"), (Report.status == ReportStatus.draft, "started"),
                else_=Report.status).label("state")


def compliance_page(session: Session, *, deadline: ReportDeadline, province: str | None = None,
                    state: str | None = None, offset: int = 0, limit: int = 50
                    ) -> list[tuple[Organization, Report | None, str]]:
    """One page of the organizations owing `deadline` (by name), with their report and state
    (`compliance_counts`' names), only those in `state` when given."""
    stmt = _in_audience(select(Organization, Report, _state_column()).outerjoin(
        Report, (col(Report.organization_id) == col(Organization.id)) & (col(Report.deadline_id) == deadline.id)),
        deadline, province)
    if state == "missing":
        stmt = stmt.where(col(Report.id).is_(None))
    elif state == "started":
        stmt = stmt.where(Report.status == ReportStatus.draft)
    elif state:
        stmt = stmt.where(Report.status == state)
    stmt = stmt.order_by(col(Organization.name), col(Organization.id)).offset(offset).limit(limit)
    return [(org, report, st) for org, report, st in session.execute(stmt)]


def missing_member_ids(session: Session, *, deadline: ReportDeadline, province: str | None = None) -> Select:
    """A SELECT of ids of consented members of organizations that owe `deadline` and have not submitted."""
    done = select(Report.organization_id).where(Report.deadline_id == deadline.id,
                                                Report.status == ReportStatus.submitted)
    stmt = select(Member.id).where(col(Member.consent_at).is_not(None), col(Member.organization_id).is_not(None),
                                   col(Member.organization_id).not_in(done))
    if not (deadline.kinds or deadline.provinces or province):
        # Owed by every organization: the member's organization id says enough (the foreign key), and the
        # reminder scan, which compares every due member with the outbox, does not join 10,000 organizations.
        return stmt
    return _in_audience(stmt.join(Organization, col(Organization.id) == col(Member.organization_id)), deadline,
                        province)


def open_deadlines_for(session: Session, *, organization: Organization, today: date) -> list[ReportDeadline]:
    """Deadlines the organization still owes (not submitted; returned ones count as owed), soonest first."""
    done = submitted_org_ids_for_org(session, organization_id=organization.id)  # type: ignore[arg-type]
    stmt = select(ReportDeadline).where(ReportDeadline.due_date >= today - timedelta(days=LATE_DAYS)) \
        .order_by(col(ReportDeadline.due_date))
    return [d for d in session.exec(stmt) if applies_to(d, organization) and d.id not in done]


def submitted_org_ids_for_org(session: Session, *, organization_id: int) -> set[int]:
    """Deadline ids the organization has submitted."""
    return {d for d in session.exec(select(Report.deadline_id).where(
        Report.organization_id == organization_id, Report.status == ReportStatus.submitted)) if d is not None}


# --- reports ---------------------------------------------------------------------------------------
def report_for(session: Session, *, organization_id: int, deadline_id: int) -> Report | None:
    return session.exec(select(Report).where(Report.organization_id == organization_id,
                                             Report.deadline_id == deadline_id)).first()


def start_report(session: Session, *, organization_id: int, deadline_id: int | None,
                 member_id: int | None) -> Report:
    """The organization's report for the deadline (created as a draft if there is none yet);
    a new report for an activity outside any deadline."""
    if deadline_id is not None:
        existing = report_for(session, organization_id=organization_id, deadline_id=deadline_id)
        if existing is not None:
            return existing
    report = Report(organization_id=organization_id, deadline_id=deadline_id, created_by=member_id)
    try:
        with session.begin_nested():
            session.add(report)
            session.flush()
    except IntegrityError:  # another member of the organization started it at the same moment
        found = report_for(session, organization_id=organization_id, deadline_id=deadline_id)  # type: ignore[arg-type]
        if found is None:
            raise
        return found
    return report


def submit(session: Session, *, report: Report, member_id: int | None) -> bool:
    """Mark submitted (again, after a return). Returns True when the status changed."""
    report.updated_at = db_now()
    if report.status == ReportStatus.submitted:
        session.add(report)
        return False
    report.status = ReportStatus.submitted
    report.submitted_by = member_id
    report.submitted_at = db_now()
    session.add(report)
    return True


def return_for_correction(session: Session, *, report: Report, officer_id: int | None, note: str) -> int:
    """Reopen a submitted report for editing; returns the return's number (1 for the first return)."""
    report.status = ReportStatus.returned
    report.returned_at = db_now()
    report.returned_by = officer_id
    report.return_note = note
    report.return_count += 1
    report.accepted_at = None
    report.accepted_by = None
    report.updated_at = db_now()
    session.add(report)
    return report.return_count


def reports_for_deadline(session: Session, *, deadline_id: int, province: str | None = None,
                         status: str | None = ReportStatus.submitted) -> list[tuple[Report, Organization]]:
    stmt = (select(Report, Organization).join(Organization, col(Organization.id) == col(Report.organization_id))
            .where(Report.deadline_id == deadline_id).order_by(col(Organization.name)))
    if status:
        stmt = stmt.where(Report.status == status)
    if province:
        stmt = stmt.where(Organization.province == province)
    return list(session.exec(stmt).all())


def latest_report_of_org(session: Session, *, organization_id: int) -> Report | None:
    return session.exec(select(Report).where(Report.organization_id == organization_id)
                        .order_by(col(Report.updated_at).desc(), col(Report.id).desc())).first()


def returned_reports(session: Session, *, organization_id: int) -> list[Report]:
    return list(session.exec(select(Report).where(Report.organization_id == organization_id,
                                                  Report.status == ReportStatus.returned)
                             .order_by(col(Report.returned_at).desc())))


# --- activities ------------------------------------------------------------------------------------
def new_activity(session: Session, *, report: Report, member_id: int | None, original_text: str) -> ReportActivity:
    activity = ReportActivity(report_id=report.id, member_id=member_id, original_text=original_text)  # type: ignore[arg-type]
    session.add(activity)
    session.flush()
    return activity


def activities(session: Session, *, report_id: int, complete_only: bool = True) -> list[ReportActivity]:
    stmt = select(ReportActivity).where(ReportActivity.report_id == report_id)
    if complete_only:
        stmt = stmt.where(ReportActivity.complete == True)  # noqa: E712
    return list(session.exec(stmt.order_by(col(ReportActivity.id))))


ACTIVITY_FIELDS = ("title", "start_date", "end_date", "participants", "budget", "funding_source", "target_group")


def apply_values(activity: ReportActivity, values: dict[str, Any]) -> None:
    """Copy answers into the activity's columns (whatever has been answered so far)."""
    for name in ACTIVITY_FIELDS:
        if name in values:
            setattr(activity, name, values[name])
    activity.updated_at = db_now()


def save_draft(session: Session, *, activity: ReportActivity, values: dict[str, Any], draft: dict[str, Any]) -> None:
    """Keep the form's progress. A confirmed activity being corrected keeps its columns until confirmed again."""
    if not activity.complete:
        apply_values(activity, values)
    activity.draft = draft
    session.add(activity)


def complete_activity(session: Session, *, activity: ReportActivity, values: dict[str, Any]) -> None:
    apply_values(activity, values)
    activity.complete = True
    activity.draft = None
    session.add(activity)


def unfinished_activity(session: Session, *, member: Member) -> ReportActivity | None:
    """The activity this member (else anyone of their organization) left half-written, newest first."""
    if member.organization_id is None:
        return None
    stmt = (select(ReportActivity).join(Report, col(Report.id) == col(ReportActivity.report_id))
            .where(Report.organization_id == member.organization_id, ReportActivity.complete == False)  # noqa: E712
            .order_by(col(ReportActivity.updated_at).desc(), col(ReportActivity.id).desc()))
    rows = list(session.exec(stmt))
    own = [a for a in rows if a.member_id == member.id]
    return (own or rows or [None])[0]


def discard_activity(session: Session, *, activity: ReportActivity) -> None:
    """Throw away a half-written activity (and its report, when it was an empty draft)."""
    report = session.get(Report, activity.report_id)
    session.delete(activity)
    session.flush()
    if report is not None and report.status == ReportStatus.draft and not activities(
            session, report_id=report.id, complete_only=False):  # type: ignore[arg-type]
        session.delete(report)
        session.flush()


# --- photos ----------------------------------------------------------------------------------------
# A photo that is kept or still on its way counts toward the 5 (and the export); one the platform no longer
# had, that could not be fetched, or that was not an image does not.
COUNTED = ("stored", "pending")


def photo_count(session: Session, *, activity_id: int) -> int:
    return session.exec(select(func.count()).select_from(ReportPhoto).where(
        ReportPhoto.activity_id == activity_id, col(ReportPhoto.status).in_(COUNTED))).one()


def add_photo(session: Session, *, activity_id: int, channel: str, data: bytes | None = None,
              content_type: str | None = None, source_ref: str | None = None) -> ReportPhoto | None:
    """Store a photo (bytes), or a reference to fetch later (`source_ref`, status pending).
    None when the activity already has the most photos allowed."""
    if photo_count(session, activity_id=activity_id) >= MAX_PHOTOS:
        return None
    photo = ReportPhoto(activity_id=activity_id, channel=channel, content_type=content_type,
                        data=data, size=len(data) if data else 0, source_ref=source_ref,
                        status="stored" if data is not None else "pending",
                        fetched_at=db_now() if data is not None else None)
    session.add(photo)
    session.flush()
    return photo


def clear_photos(session: Session, *, activity_id: int) -> None:
    for photo in session.exec(select(ReportPhoto).where(ReportPhoto.activity_id == activity_id)):
        session.delete(photo)
    session.flush()


def _due(now: datetime) -> Any:  # noqa: ANN401
    return and_(ReportPhoto.status == "pending",
                or_(col(ReportPhoto.next_attempt_at).is_(None), col(ReportPhoto.next_attempt_at) <= now))


def due_photos(session: Session, *, channels: Iterable[str], now: datetime, limit: int = 50) -> list[ReportPhoto]:
    """Photos of these channels waiting for their bytes whose next try has come (oldest first)."""
    stmt = select(ReportPhoto).where(_due(now), col(ReportPhoto.channel).in_(list(channels)))
    return list(session.exec(stmt.order_by(col(ReportPhoto.id)).limit(limit)))


def claim_photo(session: Session, *, photo_id: int, now: datetime, until: datetime) -> bool:
    """Hold a due photo until `until` for this fetch; False when another process took it first (it is no
    longer due then)."""
    stmt = update(ReportPhoto).where(col(ReportPhoto.id) == photo_id, _due(now)).values(next_attempt_at=until)
    return session.execute(stmt).rowcount == 1


def store_fetched(session: Session, *, photo: ReportPhoto, data: bytes, content_type: str | None) -> None:
    photo.data = data
    photo.size = len(data)
    photo.content_type = content_type or photo.content_type
    photo.status = "stored"
    photo.fetched_at = db_now()
    session.add(photo)


# --- export ----------------------------------------------------------------------------------------
def export_count(session: Session, *, deadline_id: int | None = None, province: str | None = None) -> int:
    """How many rows `export_rows` gives (confirmed activities of submitted reports)."""
    stmt = (select(func.count()).select_from(ReportActivity).join(Report, col(Report.id) == col(ReportActivity.report_id))
            .join(Organization, col(Organization.id) == col(Report.organization_id))
            .where(Report.status == ReportStatus.submitted, ReportActivity.complete == True))  # noqa: E712
    if deadline_id is not None:
        stmt = stmt.where(Report.deadline_id == deadline_id)
    if province:
        stmt = stmt.where(Organization.province == province)
    return int(session.exec(stmt).one())


def export_rows(session: Session, *, deadline_id: int | None = None, province: str | None = None
                ) -> Iterable[dict[str, Any]]:
    """One row per confirmed activity of submitted reports, in the export's columns."""
    stmt = (select(Report, Organization).join(Organization, col(Organization.id) == col(Report.organization_id))
            .where(Report.status == ReportStatus.submitted).order_by(col(Report.id)))
    if deadline_id is not None:
        stmt = stmt.where(Report.deadline_id == deadline_id)
    if province:
        stmt = stmt.where(Organization.province == province)
    photo_counts = dict(session.exec(select(ReportPhoto.activity_id, func.count()).where(
        col(ReportPhoto.status).in_(COUNTED)).group_by(ReportPhoto.activity_id)).all())
    for report, org in session.exec(stmt).all():
        submitter = session.get(Member, report.submitted_by) if report.submitted_by else None
        for act in activities(session, report_id=report.id):  # type: ignore[arg-type]
            yield {
                "report_id": report.id, "deadline_id": report.deadline_id, "organization": org.name,
                "organization_kind": org.kind, "province": org.province, "activity": act.title,
                "start_date": act.start_date, "end_date": act.end_date, "participants": act.participants,
                "budget_thb": _plain(act.budget),
                "funding_source": act.funding_source, "target_group": act.target_group,
                "photos": photo_counts.get(act.id, 0),
                "submitted_by": (submitter.full_name if submitter else None) or "",
                "submitted_at": report.submitted_at,
            }


def _plain(amount: Decimal | None) -> Decimal | None:
    """15000.00 -> 15000 (what people type and read); satang kept when there are any."""
    if amount is None:
        return None
    amount = Decimal(amount)
    return amount.quantize(Decimal(1)) if amount == amount.to_integral_value() else amount
