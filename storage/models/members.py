from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.clock import db_now


class Member(SQLModel, table=True):
    """A person. Their channel identities (LINE, Telegram, web) link to them."""

    __tablename__ = "members"

    id: int | None = Field(default=None, primary_key=True)
    organization_id: int | None = Field(
        default=None, foreign_key="organizations.id", index=True, ondelete="SET NULL"
    )
    full_name: str | None = Field(default=None, max_length=200)
    position: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=20)
    locale: str = Field(default="th", max_length=8)
    role: str = Field(default="member", max_length=16)  # member | officer
    officer_province: str | None = Field(default=None, max_length=64)  # None + officer = national
    consent_at: datetime | None = None
    announcements_opt_out: bool = Field(default=False)
    is_demo: bool = Field(default=False)
    created_at: datetime = Field(default_factory=db_now)

    @property
    def is_officer(self) -> bool:
        return self.role == "officer"


class MemberIdentity(SQLModel, table=True):
    """One channel account of a member; `address` is ``line:U…`` / ``telegram:123`` / ``web:NAME``."""

    __tablename__ = "member_identities"
    __table_args__ = (UniqueConstraint("address", name="uq_member_identities_address"),)

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="members.id", index=True, ondelete="CASCADE")
    address: str = Field(max_length=128)
    channel: str = Field(max_length=16)
    display_name: str | None = Field(default=None, max_length=200)
    reachable: bool = Field(default=True)  # False after unfollow / 403 blocked
    created_at: datetime = Field(default_factory=db_now)
