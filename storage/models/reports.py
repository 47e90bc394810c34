"""Activity reports: deadlines, one report per organization per deadline, its activities and photos.

Life of a report (see docs/reports.md)::

    draft ──first activity confirmed──> submitted ──officer returns it──> returned
                                          │ ^                               │
                                          │ └──── member confirms a fix ────┘
                                          └──officer accepts it──> submitted + accepted_at

The member reads these as ได้รับแล้ว (submitted), ตรวจรับแล้ว (accepted: ``accepted_at`` set, the status
stays ``submitted`` so every count of "has reported" holds) and ส่งกลับให้แก้ไข (returned).

A report outside any deadline has ``deadline_id`` NULL (one report per such submission).
An activity is being written while ``complete`` is false: its form progress is kept in ``draft``
(JSON) so a half-finished report survives restarts and an expired conversation ("ทำต่อ").

Photos are stored as bytes in the database (``report_photos.data``): no extra volume to back up,
the same on SQLite and PostgreSQL, and at most 5 per activity. A LINE or Telegram image arrives only as a
reference; the row is written with ``source_ref`` and ``status = "pending"`` in the same turn, and the
bytes are fetched after the turn by a scheduled job (bot/photo_fetch.py; also `khruakhai reports
fetch-photos`), so a photo is never lost between the webhook and the fetch and no turn waits for LINE.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Column, LargeBinary, Numeric, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.clock import db_now

MAX_PHOTOS = 5


class ReportStatus:
    draft = "draft"
    submitted = "submitted"
    returned = "returned"


class ReportDeadline(SQLModel, table=True):
    """A reporting deadline and who owes it: kinds of organization and provinces (empty = all)."""

    __tablename__ = "report_deadlines"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=300)
    due_date: date = Field(index=True)
    kinds: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    provinces: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_by: int | None = Field(default=None, foreign_key="members.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=db_now)


class Report(SQLModel, table=True):
    __tablename__ = "reports"
    # One report per organization per deadline (NULL deadlines — activities outside any deadline — repeat).
    __table_args__ = (UniqueConstraint("organization_id", "deadline_id", name="uq_reports_org_deadline"),)

    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organizations.id", index=True, ondelete="CASCADE")
    deadline_id: int | None = Field(default=None, foreign_key="report_deadlines.id", index=True,
                                    ondelete="CASCADE")
    status: str = Field(default=ReportStatus.draft, max_length=16, index=True)
    created_by: int | None = Field(default=None, foreign_key="members.id", ondelete="SET NULL")
    submitted_by: int | None = Field(default=None, foreign_key="members.id", ondelete="SET NULL")
    submitted_at: datetime | None = None
    returned_at: datetime | None = None
    returned_by: int | None = Field(default=None, foreign_key="members.id", ondelete="SET NULL")
    return_note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    return_count: int = Field(default=0)
    # An officer checked it and took it as the organization's report (0015); a return clears it.
    accepted_at: datetime | None = None
    accepted_by: int | None = Field(default=None, foreign_key="members.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=db_now)
    updated_at: datetime = Field(default_factory=db_now)


class ReportActivity(SQLModel, table=True):
    __tablename__ = "report_activities"

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="reports.id", index=True, ondelete="CASCADE")
    member_id: int | None = Field(default=None, foreign_key="members.id", ondelete="SET NULL")
    title: str | None = Field(default=None, max_length=300)
    start_date: date | None = None
    end_date: date | None = None
    participants: int | None = None
    budget: Decimal | None = Field(default=None, sa_column=Column(Numeric(14, 2), nullable=True))
    funding_source: str | None = Field(default=None, max_length=300)
    target_group: str | None = Field(default=None, max_length=300)
    original_text: str = Field(default="", sa_column=Column(Text, nullable=False))
    complete: bool = Field(default=False)
    # The form's answers so far while the activity is being written (None once complete).
    draft: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    created_at: datetime = Field(default_factory=db_now)
    updated_at: datetime = Field(default_factory=db_now)


class ReportPhoto(SQLModel, table=True):
    __tablename__ = "report_photos"

    id: int | None = Field(default=None, primary_key=True)
    activity_id: int = Field(foreign_key="report_activities.id", index=True, ondelete="CASCADE")
    # stored | pending (bytes not fetched yet) | gone (the platform no longer has them) | missing (fetching
    # failed too many times) | rejected (the bytes were not a JPEG, PNG, WebP or GIF: not kept)
    status: str = Field(default="stored", max_length=16, index=True)
    channel: str = Field(default="web", max_length=16)
    source_ref: str | None = Field(default=None, max_length=128)  # LINE message id / Telegram file id
    content_type: str | None = Field(default=None, max_length=64)
    data: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    size: int = Field(default=0)
    attempts: int = Field(default=0)
    # A pending photo is fetched when this has come (NULL: at once); set ahead while a job fetches it
    # (so another process leaves it alone) and after a failed try (backoff).
    next_attempt_at: datetime | None = None
    created_at: datetime = Field(default_factory=db_now)
    fetched_at: datetime | None = None
