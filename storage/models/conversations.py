from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from bot.clock import db_now


class ConversationState(SQLModel, table=True):
    """Where a chat stands, per address; loaded and saved on every turn."""

    __tablename__ = "conversation_states"

    address: str = Field(primary_key=True, max_length=128)
    flow: str | None = Field(default=None, max_length=64)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    locale: str | None = Field(default=None, max_length=8)  # before sign-up, the chosen language
    greeted: bool = Field(default=False)
    updated_at: datetime = Field(default_factory=db_now)


class ProcessedEvent(SQLModel, table=True):
    """Webhook event ids already handled, so redeliveries change nothing."""

    __tablename__ = "processed_events"

    event_key: str = Field(primary_key=True, max_length=160)  # "line:<webhookEventId>", "telegram:<update_id>"
    received_at: datetime = Field(default_factory=db_now)
