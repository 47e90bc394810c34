"""Deadline reminders, the officer's nudge, and the broadcast audience "organizations missing a report".

Reminders go 14, 7, 3 and 1 days before the due date, on the day, and 3 and 7 days after, to every
member of each organization that owes the deadline and has not submitted (a submission by any member
counts). Key: ``reminder:deadline:<id>:member:<member id>:<offset>d`` — once per member per offset,
forever. A scan sends only the most recent offset that has come (after downtime, the missed earlier
ones are skipped: one reminder, whose text says how many days are really left), and nothing once the
last offset is more than `GRACE_DAYS` old.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, String, cast, false, literal, select
from sqlmodel import Session, col
from sqlmodel import select as sm_select

from bot import i18n, outbox
from bot.audiences import audience_provider, preferred_identity
from bot.clock import to_local
from bot.config import Settings
from bot.bulk_reminders import BulkReminders, bulk_reminder_source
from bot.messages import Card, CardField, Choice, Reply, replies_to_json
from bot.registry import go
from storage.models import Member, MemberIdentity
from storage.models.reports import ReportDeadline
from storage.repositories import reports as repo

OFFSETS = (14, 7, 3, 1, 0, -3, -7)  # days before the due date (negative: after)
GRACE_DAYS = 3


def current_offset(due: date, today: date) -> int | None:
    """The most recent reminder offset that has come by `today` (None: too early, or all long past)."""
    days_left = (due - today).days
    if days_left < min(OFFSETS) - GRACE_DAYS:
        return None
    come = [o for o in OFFSETS if o >= days_left]
    return min(come) if come else None


def when_text(due: date, today: date, locale: str) -> str:
    days = (due - today).days
    if days > 0:
        return i18n.t("reports.due_in", locale, days=days)
    if days == 0:
        return i18n.t("reports.due_today", locale)
    return i18n.t("reports.overdue", locale, days=-days)


def deadline_card(deadline: ReportDeadline, today: date, locale: str, intro_key: str) -> Reply:
    """The reminder / nudge: what is due, when, and a button that starts the report."""
    due = i18n.format_date(deadline.due_date, locale)
    card = Card(title=deadline.title,
                fields=(CardField(i18n.t("reports.label.due", locale), due),
                        CardField(i18n.t("reports.label.status", locale), when_text(deadline.due_date, today, locale))),
                buttons=(Choice(i18n.t("reports.menu.report", locale), go("report.start", deadline.id)),))
    return Reply(text=i18n.t(intro_key, locale, title=deadline.title, due=due,
                             when=when_text(deadline.due_date, today, locale)), card=card)


def _key_prefix(deadline: ReportDeadline) -> str:
    return f"reminder:deadline:{deadline.id}:member:"


def _member_key(deadline: ReportDeadline, offset: int) -> Any:  # noqa: ANN401
    return literal(_key_prefix(deadline), String) + cast(Member.id, String) + literal(f":{offset}d", String)


def _due_members(deadline: ReportDeadline, offset: int) -> Callable[[int | None, int | None], Select]:
    """The SELECT of one deadline's due reminders at `offset`: each consented member of an organization that
    owes it and has not submitted, at their preferred reachable address, with the reminder's outbox key."""
    def due(low: int | None, high: int | None) -> Select:
        stmt = repo.missing_member_ids(None, deadline=deadline).with_only_columns(  # type: ignore[arg-type]
            _member_key(deadline, offset).label("key"), col(MemberIdentity.address).label("address"),
            col(MemberIdentity.channel).label("channel"), col(Member.id).label("member_id"),
            col(Member.locale).label("locale"))
        stmt = stmt.join(MemberIdentity, col(MemberIdentity.id) == preferred_identity(Member.id))
        if low is not None:
            stmt = stmt.where(col(Member.id) >= low, col(Member.id) <= high)
        return stmt
    return due


def _due_keys(deadline: ReportDeadline, offset: int) -> Callable[[], Select]:
    """The keys of `_due_members` alone. A member has a preferred reachable identity exactly when they have
    a reachable one, so ``EXISTS`` says who is due without picking each one's address (a correlated
    subquery per member: most of the cost of comparing every due key with the outbox)."""
    def keys() -> Select:
        reachable = select(MemberIdentity.id).where(col(MemberIdentity.member_id) == col(Member.id),
                                                    MemberIdentity.reachable == True)  # noqa: E712
        return repo.missing_member_ids(None, deadline=deadline).with_only_columns(  # type: ignore[arg-type]
            _member_key(deadline, offset).label("key")).where(reachable.exists())
    return keys


def deadline_reminders(session: Session, now: datetime, settings: Settings) -> Iterator[BulkReminders]:
    """One set insert per deadline (at its current offset); the card is the same for every member of a locale."""
    today = to_local(now, settings.tz).date()
    # "due in N days" is worded for the day it arrives (quiet hours may hold it until the morning)
    arrives = to_local(outbox.quiet_hours_end(now, settings), settings.tz).date()
    stmt = sm_select(ReportDeadline).where(
        col(ReportDeadline.due_date) <= today + timedelta(days=max(OFFSETS)),
        col(ReportDeadline.due_date) >= today + timedelta(days=min(OFFSETS) - GRACE_DAYS))
    for deadline in session.exec(stmt).all():
        offset = current_offset(deadline.due_date, today)
        if offset is None:
            continue
        contents = {loc: replies_to_json([deadline_card(deadline, arrives, loc, "reports.reminder")])
                    for loc in i18n.LANGUAGES}
        yield BulkReminders(description=f"deadline {deadline.id} ({deadline.due_date}) {offset:+d}d",
                            due=_due_members(deadline, offset), kind="reminder", contents=contents,
                            key_prefix=_key_prefix(deadline), keys=_due_keys(deadline, offset))


# --- broadcast audience -----------------------------------------------------------------------------
def _missing_ids(session: Session, param: str | None, scope: str | None) -> Select:
    deadline = repo.get_deadline(session, deadline_id=param)
    if deadline is None:
        return select(Member.id).where(false())
    return repo.missing_member_ids(session, deadline=deadline, province=scope)


def _options(session: Session, scope: str | None, locale: str) -> list[tuple[str, str]]:
    from bot.clock import clock

    since = clock.today() - timedelta(days=repo.LATE_DAYS)
    return [(f"{d.title} ({i18n.format_date(d.due_date, locale)})", str(d.id))
            for d in repo.list_deadlines(session, province=scope, since=since, limit=12)]


def _describe(session: Session, param: str | None, locale: str) -> str:
    deadline = repo.get_deadline(session, deadline_id=param)
    return deadline.title if deadline else "-"


def register() -> None:
    """Deadline reminders and the audience "organizations missing a report" (bot.wiring calls this)."""
    bulk_reminder_source(deadline_reminders)
    audience_provider("report_missing", label_key="reports.audience_missing", options=_options, describe=_describe,
                      about_own_obligation=True, order=40, action=("reports.menu.report", "go:report.start"))(_missing_ids)
