"""Questions members ask the provincial office (tickets), their messages, and LINE's reach statistics.

Life of a ticket (docs/tickets.mmd)::

    open ──answer──> answered ──member follows up──> open
      │                  │
      └──── close ───────┴──> closed   (a closed ticket is never reopened: a new question is a new ticket)
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from bot.clock import db_now


class Ticket(SQLModel, table=True):
    """One question of a member to the office of their organization's province."""

    __tablename__ = "tickets"
    __table_args__ = (Index("ix_tickets_province_status", "province", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    member_id: int | None = Field(default=None, index=True)  # None once the member erased their data
    organization_id: int | None = Field(default=None, index=True)
    province: str | None = Field(default=None, max_length=64)  # None: no organization (national officers)
    address: str = Field(max_length=128)  # the chat it was asked from: answers go back there
    subject: str = Field(default="", max_length=120)
    status: str = Field(default="open", max_length=16, index=True)  # open | answered | closed
    urgent: bool = Field(default=False)
    assigned_login_id: int | None = Field(default=None, index=True)  # console login it is assigned to
    assigned_name: str | None = Field(default=None, max_length=200)
    # LINE: the token of the member's last message, for "mark as read" when an officer opens the ticket.
    mark_as_read_token: str | None = Field(default=None, max_length=200)
    read_marked_at: datetime | None = None
    reminders_sent: int = Field(default=0)
    created_at: datetime = Field(default_factory=db_now)
    updated_at: datetime = Field(default_factory=db_now)
    waiting_since: datetime | None = None  # the member's first unanswered message (None: nothing waits)
    answered_at: datetime | None = None


class TicketMessage(SQLModel, table=True):
    """A line of a ticket's thread: the member's question or follow-up, an officer's answer, or an
    internal note (never shown to the member)."""

    __tablename__ = "ticket_messages"

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="tickets.id", index=True, ondelete="CASCADE")
    author: str = Field(max_length=16)  # member | officer | note
    text: str = Field(default="")
    photos: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))  # channel refs
    author_name: str | None = Field(default=None, max_length=200)
    channel: str = Field(default="", max_length=16)  # console | line | telegram | web
    created_at: datetime = Field(default_factory=db_now)


class ReachStat(SQLModel, table=True):
    """LINE's per-unit statistics of one aggregation unit (a broadcast, a reminder), fetched by a job."""

    __tablename__ = "reach_stats"

    unit: str = Field(primary_key=True, max_length=30)
    opened: int | None = None  # None: LINE shows nothing below 20 recipients
    clicked: int | None = None
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    fetched_at: datetime = Field(default_factory=db_now)
