"""Reminders are derived from data, not scheduled one by one.

Each capability registers a *source*: a function that, given the time, yields the reminders due
now (deadline reminders, event reminders…). Every reminder carries a unique key
(kind, target, member, offset), so a repeated scan never sends twice and a scan after
downtime catches up. The scan puts them in the outbox; the outbox delivers.

Sources over every organization are *set-based* (`bulk_reminder_source`, see `bot.bulk_reminders`): a
source says in SQL who is due (one SELECT per source and offset, the outbox key computed in it) and the
scan finds the new ones in a read-only pass, then inserts them with ``INSERT … SELECT … WHERE NOT EXISTS``
in chunks of members, each its own short transaction. A scan with nothing new writes nothing.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from bot.config import Settings
from bot.messages import Reply


@dataclass(frozen=True)
class DueReminder:
    key: str  # e.g. "reminder:deadline:12:member:34:-7d"; unique forever
    address: str  # "line:U…" / "telegram:123" / "web:name"
    replies: tuple[Reply, ...]
    member_id: int | None = None
    kind: str = "reminder"
    # Reminders about a member's own obligations still reach those who stopped announcements.
    about_own_obligation: bool = True
    description: str = field(default="", compare=False)  # for --dry-run listings


ReminderSource = Callable[[Session, datetime, Settings], Iterable[DueReminder]]
SOURCES: list[ReminderSource] = []


def reminder_source(fn: ReminderSource) -> ReminderSource:
    """Register a source of due reminders (from a capability's `register()`). `now` is aware UTC."""
    if fn not in SOURCES:
        SOURCES.append(fn)
    return fn


def find_due(session: Session, now: datetime, settings: Settings) -> list[DueReminder]:
    due: list[DueReminder] = []
    for source in SOURCES:
        due.extend(source(session, now, settings))
    return due


# --- the scan --------------------------------------------------------------------------------------
@dataclass
class ScanItem:
    reminder: DueReminder
    outcome: str  # queued | already | opted_out | would_send | waiting (quiet hours: queued for the morning)


@dataclass
class ScanReport:
    now: datetime
    quiet: bool
    items: list[ScanItem] = field(default_factory=list)
    # Set-based sources: per source and offset (description), how many of each outcome.
    totals: dict[str, Counter] = field(default_factory=dict)
    # Set-based sources: CPU seconds spent per source and offset (finding, rendering, inserting).
    seconds: dict[str, float] = field(default_factory=dict)

    def count(self, outcome: str) -> int:
        return sum(1 for i in self.items if i.outcome == outcome) + sum(c[outcome] for c in self.totals.values())

    def add(self, description: str, outcome: str, n: int) -> None:
        if n:
            self.totals.setdefault(description, Counter())[outcome] += n

    def spent(self, description: str, seconds: float) -> None:
        self.seconds[description] = self.seconds.get(description, 0.0) + seconds

    @property
    def due(self) -> int:
        return len(self.items) + sum(sum(c.values()) for c in self.totals.values())


def _opted_out(session: Session, member_ids: set[int]) -> set[int]:
    from sqlalchemy import select

    from storage.models import Member

    if not member_ids:
        return set()
    return set(session.execute(select(Member.id).where(Member.id.in_(list(member_ids)),  # type: ignore[union-attr]
                                                       Member.announcements_opt_out == True)).scalars())  # noqa: E712


def send_due_reminders(runtime, now: datetime | None = None, dry_run: bool = False) -> ScanReport:  # noqa: ANN001
    """One scan: put every due reminder in the outbox under its key (so exactly once, whatever the
    number of scans or processes). In quiet hours they are queued for the end of the quiet period.
    Reminders that are not about the member's own obligations skip members who stopped announcements.
    `dry_run` changes nothing and reports what would be sent."""
    from sqlalchemy import select

    from bot.outbox import enqueue, in_quiet_hours, quiet_hours_end
    from storage.models.outbox import OutboxMessage

    from bot.bulk_reminders import scan_bulk_sources

    now = now or runtime.clock.now()
    settings = runtime.settings
    quiet = in_quiet_hours(now, settings)
    report = ScanReport(now=now, quiet=quiet)
    scan_bulk_sources(runtime.db, now, settings, report, not_before=quiet_hours_end(now, settings) if quiet else now,
                      dry_run=dry_run)
    session = Session(runtime.db.engine, expire_on_commit=False)
    try:
        due = find_due(session, now, settings)
        opted = _opted_out(session, {r.member_id for r in due if r.member_id is not None
                                     and not r.about_own_obligation})
        for r in due:
            if r.member_id in opted and not r.about_own_obligation:
                report.items.append(ScanItem(r, "opted_out"))
                continue
            if dry_run:
                exists = session.execute(select(OutboxMessage.id).where(OutboxMessage.key == r.key)).first()
                report.items.append(ScanItem(r, "already" if exists else "would_send"))
                continue
            added = enqueue(session, key=r.key, address=r.address, replies=r.replies, kind=r.kind,
                            member_id=r.member_id, not_before=quiet_hours_end(now, settings) if quiet else now)
            report.items.append(ScanItem(r, ("waiting" if quiet else "queued") if added else "already"))
        if dry_run:
            session.rollback()
        else:
            session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
    return report
