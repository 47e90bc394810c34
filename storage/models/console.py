"""The officer web console: logins (email + argon2 password hash) and the audit log of every change."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.clock import db_now


class OfficerLogin(SQLModel, table=True):
    """A console account. `province` None = national administrator (sees every province)."""

    __tablename__ = "console_logins"
    __table_args__ = (UniqueConstraint("email", name="uq_console_logins_email"),)

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254)  # stored lower-cased
    password_hash: str = Field(max_length=300)
    province: str | None = Field(default=None, max_length=64)
    display_name: str | None = Field(default=None, max_length=200)
    # The chat officer (member) this login acts as, when linked; audit rows still name the login.
    member_id: int | None = Field(default=None, index=True)
    active: bool = Field(default=True)
    failed_attempts: int = Field(default=0)
    locked_until: datetime | None = None
    # Bumped at logout and password change: older session cookies stop working.
    session_version: int = Field(default=1)
    last_login_at: datetime | None = None
    created_at: datetime = Field(default_factory=db_now)


class AuditEntry(SQLModel, table=True):
    """One change made in the console (or a security event such as a lockout): who, what, when, details."""

    __tablename__ = "console_audit"
    # The per-address limit on console logins counts recent failures of one address (0008).
    __table_args__ = (Index("ix_console_audit_ip_at", "ip", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=db_now, index=True)
    login_id: int | None = Field(default=None, index=True)
    email: str = Field(default="", max_length=254)  # kept even if the login is later removed
    province: str | None = Field(default=None, max_length=64, index=True)  # the province the change concerns
    action: str = Field(max_length=64, index=True)  # e.g. org.verify, event.publish, login.failed
    target_type: str | None = Field(default=None, max_length=32)
    target_id: str | None = Field(default=None, max_length=64)
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    ip: str | None = Field(default=None, max_length=64)


class ExportJob(SQLModel, table=True):
    """A console export too large to write within one request: written by a background thread, then
    downloaded from its page (any server process can serve it: the file is kept here, not on disk)."""

    __tablename__ = "console_exports"
    __table_args__ = (UniqueConstraint("token", name="uq_console_exports_token"),)

    id: int | None = Field(default=None, primary_key=True)
    token: str = Field(max_length=64)  # the download page's address (unguessable)
    login_id: int | None = Field(default=None, index=True)  # only this login may download it
    kind: str = Field(max_length=32)  # organizations | reports
    fmt: str = Field(max_length=8)  # csv | xlsx
    filename: str = Field(max_length=200)
    status: str = Field(default="running", max_length=16)  # running | done | failed
    rows: int = Field(default=0)
    total: int = Field(default=0)
    data: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    error: str | None = Field(default=None, max_length=300)
    created_at: datetime = Field(default_factory=db_now, index=True)
    finished_at: datetime | None = None
