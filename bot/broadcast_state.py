"""The one state of a broadcast, derived from its stored row, and how people read it.

    draft ──send──> scheduled ──time comes──> sending ──> sent | failed
                        └──────withdraw──────> withdrawn

Stored statuses (`Broadcast.status`: queued, sending, done, cancelled) are the delivery machinery's;
every page of the console and every chat message shows `state_of(...)` instead, so a broadcast never
reads as withdrawn and finished, or "sending" beside "sent", at once. A chat draft (the officer still
composing) is the conversation's state and has no row yet: `DRAFT`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot import i18n
from bot.clock import to_local

STATES = ("draft", "scheduled", "sending", "sent", "withdrawn", "failed")
BADGES = {"draft": "", "scheduled": "", "sending": "warn", "sent": "ok", "withdrawn": "bad", "failed": "bad"}


@dataclass(frozen=True)
class BroadcastState:
    name: str
    since: datetime | None = None  # when it entered this state (or will: the scheduled time)

    @property
    def badge(self) -> str:
        return BADGES[self.name]

    @property
    def withdrawable(self) -> bool:
        return self.name == "scheduled"

    @property
    def final(self) -> bool:
        return self.name in ("sent", "withdrawn", "failed")

    def label(self, locale: str = "th") -> str:
        return i18n.t(f"broadcast.state.{self.name}", locale)

    def note(self, locale: str = "th") -> str:
        """One sentence saying what this state means for the officer, with its time when it has one."""
        when = i18n.format_datetime(self.since, locale) if self.since else ""
        return i18n.t(f"broadcast.state_note.{self.name}", locale, when=when)


DRAFT = BroadcastState("draft")


def state_of(b: Any, now: datetime) -> BroadcastState:
    """The broadcast's state at `now`. A queued broadcast whose time has come is already "sending" for
    the people watching it: the scheduler expands it within a minute."""
    status = b.status
    if status == "cancelled":
        return BroadcastState("withdrawn", b.finished_at)
    if status == "queued":
        due = b.scheduled_at
        if due is not None and to_local(due) > to_local(now):
            return BroadcastState("scheduled", due)
        return BroadcastState("sending", due)
    if status == "sending":
        return BroadcastState("sending", b.started_at or b.scheduled_at)
    if status == "done":
        return BroadcastState("sent" if b.delivered else "failed", b.finished_at)
    return DRAFT
