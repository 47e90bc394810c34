from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from bot.clock import db_now


class WebInboxMessage(SQLModel, table=True):
    """A proactive message for a web-chat address, waiting for the page (or `khruakhai chat`) to fetch it."""

    __tablename__ = "web_inbox"

    id: int | None = Field(default=None, primary_key=True)
    address: str = Field(max_length=128, index=True)
    content: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=db_now)
