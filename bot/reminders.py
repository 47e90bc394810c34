"""Reminders are derived from data, not scheduled one by one.

Each capability registers a *source*: a function that, given the time, yields the reminders due
now (deadline reminders, event reminders…). Every reminder carries a unique key
(kind, target, member, offset), so a repeated scan never sends twice and a scan after
downtime catches up. The scan puts them in the outbox; the outbox delivers.
"""
from __future__ import annotations

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
    """Decorator: register a source of due reminders. `now` is aware UTC."""
    SOURCES.append(fn)
    return fn


def find_due(session: Session, now: datetime, settings: Settings) -> list[DueReminder]:
    import handlers  # noqa: F401  (capabilities register their sources on import)

    due: list[DueReminder] = []
    for source in SOURCES:
        due.extend(source(session, now, settings))
    return due
