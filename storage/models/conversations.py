from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, text
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
    # The button values (with an identifier) of the last replies: the postbacks accepted next (bot/offers.py).
    offered: list[str] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    updated_at: datetime = Field(default_factory=db_now)


class ProcessedEvent(SQLModel, table=True):
    """The durable inbox of webhook events (and the record that makes redeliveries change nothing).

    A channel INSERTs every accepted event here (``ON CONFLICT DO NOTHING``: a known key is a
    duplicate) *before* answering the webhook's 200, with everything needed to process it again
    (`payload`). ``status``: ``pending`` (accepted, turn not run) → ``turned`` (the engine turn
    committed, its replies are in `result`, in the same transaction) → ``done`` (replies handed to the
    platform) or ``failed`` (gave up after repeated attempts). ``claimed_by``/``claimed_until`` is the
    lease of the process working on it; an unfinished event whose lease ran out is recovered by any
    process.
    See docs/channels.md, "What is and is not durable".
    """

    __tablename__ = "processed_events"
    __table_args__ = (Index("ix_processed_events_status", "status", "received_at"),
                      Index("ix_processed_events_done_at", "done_at"),
                      # A member's pending events (0008): a turn checks none older waits in another process.
                      Index("ix_processed_events_pending_address", "address", "received_at",
                            postgresql_where=text("status = 'pending'"), sqlite_where=text("status = 'pending'")))

    event_key: str = Field(primary_key=True, max_length=160)  # "line:<webhookEventId>", "telegram:<update_id>"
    received_at: datetime = Field(default_factory=db_now)
    status: str = Field(default="done", max_length=16)
    channel: str | None = Field(default=None, max_length=16)
    address: str | None = Field(default=None, max_length=128)  # the member's: recovery keeps their events together
    payload: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    result: list[Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    claimed_by: str | None = Field(default=None, max_length=80)
    claimed_until: datetime | None = Field(default=None)
    attempts: int = Field(default=0)
    done_at: datetime | None = Field(default_factory=db_now)
