"""Trainings, seminars and forums; registrations (with their attendees, waitlist and offers); feedback.

Life of a registration (see docs/events.md)::

    registered ──cancel──> cancelled
    waitlisted ──seat frees──> offered ──accept──> registered
        │                         └──decline / 24 h pass──> cancelled
        └──cancel──> cancelled

Seats count attendees, not registrations: a registration of three people holds three seats while it
is `registered` or `offered`. Every change to who holds seats locks the event row first
(`SELECT … FOR UPDATE` on PostgreSQL; SQLite's `BEGIN IMMEDIATE` serializes writers), so the event is
never overbooked and the waitlist keeps the order of arrival (registration ids are given under the lock).
"""
from __future__ import annotations

from datetime import datetime
from enum import Enum

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.clock import db_now


class EventKind(str, Enum):
    training = "training"  # อบรม
    seminar = "seminar"  # สัมมนา
    forum = "forum"  # เวทีเสวนา


class EventStatus(str, Enum):
    draft = "draft"
    published = "published"
    cancelled = "cancelled"
    finished = "finished"


class RegStatus(str, Enum):
    registered = "registered"
    waitlisted = "waitlisted"
    offered = "offered"  # a waitlisted registration holding freed seats until `offer_expires_at`
    cancelled = "cancelled"


HOLDS_SEATS = (RegStatus.registered.value, RegStatus.offered.value)
ACTIVE = (RegStatus.registered.value, RegStatus.waitlisted.value, RegStatus.offered.value)


class Event(SQLModel, table=True):
    __tablename__ = "events"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(default=EventKind.training.value, max_length=16)
    title: str = Field(max_length=300)
    description: str | None = Field(default=None, max_length=2000)
    starts_at: datetime = Field(index=True)
    ends_at: datetime
    venue: str = Field(max_length=300)
    map_url: str | None = Field(default=None, max_length=500)
    latitude: float | None = None
    longitude: float | None = None
    province: str = Field(max_length=64, index=True)
    capacity: int
    seats_per_org: int = Field(default=2)
    # Empty list = everyone. Kinds are OrgKind values; provinces are official Thai names.
    audience_kinds: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    audience_provinces: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    registration_deadline: datetime | None = None
    status: str = Field(default=EventStatus.draft.value, max_length=16, index=True)
    version: int = Field(default=1)  # bumped on every change members are told about
    created_by: int | None = Field(default=None)  # officer member id (None = CLI)
    is_demo: bool = Field(default=False)
    created_at: datetime = Field(default_factory=db_now)
    updated_at: datetime = Field(default_factory=db_now)
    published_at: datetime | None = None
    cancelled_at: datetime | None = None


class EventRegistration(SQLModel, table=True):
    """One organization's sign-up for an event, made by one member; its people are `EventAttendee`s."""

    __tablename__ = "event_registrations"
    __table_args__ = (
        UniqueConstraint("event_id", "checkin_code", name="uq_event_registrations_checkin"),
        Index("ix_event_registrations_event_status", "event_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="events.id", index=True, ondelete="CASCADE")
    organization_id: int | None = Field(default=None, foreign_key="organizations.id", index=True,
                                        ondelete="SET NULL")
    member_id: int | None = Field(default=None, foreign_key="members.id", index=True, ondelete="SET NULL")
    phone: str | None = Field(default=None, max_length=20)
    status: str = Field(default=RegStatus.registered.value, max_length=16)
    seats: int = Field(default=1)  # number of attendees
    checkin_code: str = Field(max_length=8)
    offer_count: int = Field(default=0)
    offered_at: datetime | None = None
    offer_expires_at: datetime | None = None
    cancel_reason: str | None = Field(default=None, max_length=32)  # member | offer_expired | declined | event
    created_at: datetime = Field(default_factory=db_now)
    updated_at: datetime = Field(default_factory=db_now)
    cancelled_at: datetime | None = None
    is_demo: bool = Field(default=False)


class EventAttendee(SQLModel, table=True):
    __tablename__ = "event_attendees"

    id: int | None = Field(default=None, primary_key=True)
    registration_id: int = Field(foreign_key="event_registrations.id", index=True, ondelete="CASCADE")
    event_id: int = Field(foreign_key="events.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=200)
    position: str | None = Field(default=None, max_length=200)
    attended: bool = Field(default=False)
    attended_at: datetime | None = None


class EventFeedback(SQLModel, table=True):
    __tablename__ = "event_feedback"
    __table_args__ = (UniqueConstraint("registration_id", name="uq_event_feedback_registration"),)

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="events.id", index=True, ondelete="CASCADE")
    registration_id: int = Field(foreign_key="event_registrations.id", ondelete="CASCADE")
    member_id: int | None = Field(default=None, foreign_key="members.id", ondelete="SET NULL")
    rating: int
    comment: str | None = Field(default=None, max_length=1000)
    created_at: datetime = Field(default_factory=db_now)

