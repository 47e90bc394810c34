"""Cross-channel tables: one-time account-linking codes and long button values.

* `LinkCode` — a one-time code shown in "ข้อมูลของฉัน" that links another chat account (LINE ↔
  Telegram) to the same member. Short-lived (15 minutes) and single use.
* `CallbackValue` — a `Choice.value` too long for Telegram's 64-byte ``callback_data`` (or LINE's
  300-character postback data) is sent as a deterministic token (a hash of the value); this table maps
  the token back, so a button still works after a restart or on another server process.
"""
from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from bot.clock import db_now


class LinkCode(SQLModel, table=True):
    __tablename__ = "link_codes"

    code: str = Field(primary_key=True, max_length=16)
    member_id: int = Field(foreign_key="members.id", index=True, ondelete="CASCADE")
    created_from: str = Field(max_length=128)  # the address that asked for the code
    created_at: datetime = Field(default_factory=db_now)
    expires_at: datetime
    used_at: datetime | None = None
    used_by: str | None = Field(default=None, max_length=128)


class CallbackValue(SQLModel, table=True):
    __tablename__ = "callback_values"

    token: str = Field(primary_key=True, max_length=40)
    value: str
    created_at: datetime = Field(default_factory=db_now)
