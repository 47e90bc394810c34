"""The training day: walk-ins, dietary and access needs, certificate templates and certificates.

A walk-in is an ordinary seated registration (no member, one attendee, attended) plus an
`EventWalkIn` row holding what the officer typed at the door: the organization as written (it may
not be in the directory) and the phone. So the walk-in counts in every attendance figure and export.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from bot.clock import db_now

# What the registration question offers; stored as these keys (shown through locales).
NEEDS = ("halal", "vegetarian", "allergy", "wheelchair")


class EventWalkIn(SQLModel, table=True):
    __tablename__ = "event_walkins"

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="events.id", index=True, ondelete="CASCADE")
    registration_id: int = Field(foreign_key="event_registrations.id", unique=True, ondelete="CASCADE")
    organization: str = Field(max_length=300)
    phone: str | None = Field(default=None, max_length=20)
    created_by: int | None = Field(default=None)  # console login id
    created_at: datetime = Field(default_factory=db_now)


class EventNeeds(SQLModel, table=True):
    """Dietary and access needs given at registration (one row per registration that gave any)."""

    __tablename__ = "event_needs"

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="events.id", index=True, ondelete="CASCADE")
    registration_id: int = Field(foreign_key="event_registrations.id", unique=True, ondelete="CASCADE")
    needs: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    note: str | None = Field(default=None, max_length=300)


class CertificateTemplate(SQLModel, table=True):
    __tablename__ = "certificate_templates"

    event_id: int = Field(foreign_key="events.id", primary_key=True, ondelete="CASCADE")
    title: str = Field(max_length=300)
    signer_name: str = Field(max_length=200)
    signer_position: str = Field(max_length=200)
    office_name: str = Field(max_length=300)
    updated_at: datetime = Field(default_factory=db_now)


class Certificate(SQLModel, table=True):
    """One attendee's certificate. `code` is the unguessable part of the public verification link;
    `number` is what is printed and filed ("<event>/<running number>/<BE year>")."""

    __tablename__ = "certificates"

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="events.id", index=True, ondelete="CASCADE")
    registration_id: int = Field(foreign_key="event_registrations.id", index=True, ondelete="CASCADE")
    attendee_id: int = Field(foreign_key="event_attendees.id", unique=True, ondelete="CASCADE")
    number: str = Field(max_length=40)
    code: str = Field(max_length=24, unique=True)
    name: str = Field(max_length=200)
    issued_at: datetime = Field(default_factory=db_now)
