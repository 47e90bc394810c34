from __future__ import annotations

from datetime import datetime
from enum import Enum

from sqlmodel import Field, SQLModel

from bot.clock import db_now


class OrgKind(str, Enum):
    public_benefit = "public_benefit"  # องค์กรสาธารณประโยชน์
    community_welfare = "community_welfare"  # องค์กรสวัสดิการชุมชน
    other = "other"


class Organization(SQLModel, table=True):
    __tablename__ = "organizations"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=300, index=True)  # the console lists by name, a page at a time
    # The comparable core of the name (no มูลนิธิ/สมาคม prefix, normalized) for fuzzy search.
    name_key: str = Field(default="", max_length=300, index=True)
    kind: str = Field(default=OrgKind.other.value, max_length=32, index=True)
    province: str = Field(max_length=64, index=True)
    district: str | None = Field(default=None, max_length=120, index=True)
    certification_no: str | None = Field(default=None, max_length=64)
    contact_name: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=20)
    listed: bool = Field(default=True)  # agreed to appear in the network directory
    verified: bool = Field(default=False)
    verified_at: datetime | None = None
    verified_by: int | None = None  # member id of the officer (no FK: members already point here)
    # An officer declined to verify it, with the reason its members were told (0014); cleared on verify.
    rejected_at: datetime | None = None
    rejection_reason: str | None = Field(default=None, max_length=500)
    # The member who speaks for it (0015): the first to sign it up, or whom an officer made its primary
    # contact; joining an organization that has one needs their (or an officer's) approval.
    representative_id: int | None = None  # member id (no FK: members already point here)
    is_demo: bool = Field(default=False)
    created_at: datetime = Field(default_factory=db_now)


class JoinStatus:
    pending = "pending"
    approved = "approved"
    declined = "declined"


class OrgJoinRequest(SQLModel, table=True):
    """A member asking to speak for an organization that already has a representative (0015). Until it is
    approved the member has no organization (``members.organization_id`` stays empty)."""

    __tablename__ = "org_join_requests"

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="members.id", index=True, ondelete="CASCADE")
    organization_id: int = Field(foreign_key="organizations.id", index=True, ondelete="CASCADE")
    status: str = Field(default=JoinStatus.pending, max_length=16, index=True)
    decided_by: int | None = Field(default=None, foreign_key="members.id", ondelete="SET NULL")
    decided_at: datetime | None = None
    created_at: datetime = Field(default_factory=db_now)
