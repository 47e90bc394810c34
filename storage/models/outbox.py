"""The outbox (one row per proactive message to one address), LINE send batches and broadcasts.

Life of an outbox row (see docs/delivery.md and docs/broadcast.mmd)::

    pending ──claim──> sending ──> delivered | failed | unreachable
       ^                  │
       └── retry later ───┘   (lease expired after a crash: reclaimed the same way)

LINE rows are sent in `DeliveryBatch`es (≤500 recipients, one `X-Line-Retry-Key` per API call, stored
*before* the call). Once a row belongs to a batch (`batch_id`), only the batch is retried, always with
the same recipients, body and key, so a re-send after a crash or timeout answers 409 instead of
sending twice.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, ColumnElement, Index, UniqueConstraint, func, select, text
from sqlmodel import Field, SQLModel

from bot.clock import db_now


class OutboxMessage(SQLModel, table=True):
    """One proactive message to one address. `key` makes it exactly-once: a second enqueue is a no-op."""

    __tablename__ = "outbox"
    # Every index is written once per queued message (a national reminder or broadcast queues tens of
    # thousands in a minute), so there are only those a query uses (0018): the drain's claim, the
    # scheduler's "what is due next" and the retention purge (status, time), and the partial indexes of
    # the rows that belong to a LINE batch or a broadcast (a reminder row belongs to neither).
    __table_args__ = (UniqueConstraint("key", name="uq_outbox_key"),
                      Index("ix_outbox_claim", "channel", "status", "next_attempt_at"),
                      Index("ix_outbox_status_next", "status", "next_attempt_at"),
                      Index("ix_outbox_batch_id", "batch_id", sqlite_where=text("batch_id IS NOT NULL"),
                            postgresql_where=text("batch_id IS NOT NULL")),
                      Index("ix_outbox_broadcast_id", "broadcast_id", sqlite_where=text("broadcast_id IS NOT NULL"),
                            postgresql_where=text("broadcast_id IS NOT NULL")))

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200)  # PostgreSQL: COLLATE "C" (0019), so a key prefix is an index range
    kind: str = Field(max_length=32)  # reminder | broadcast | waitlist | notice
    address: str = Field(max_length=128, index=True)
    channel: str = Field(default="", max_length=16)  # line | telegram | web (from the address)
    member_id: int | None = Field(default=None, index=True)
    # None: the message is the same for many (a broadcast, a deadline reminder) and is stored once, in
    # `OutboxContent` under `content_hash` (read both through `stored_content()`).
    content: list[dict[str, Any]] | None = Field(default_factory=list,
                                                 sa_column=Column(JSON(none_as_null=True), nullable=True))
    content_hash: str = Field(default="", max_length=64, index=True)
    status: str = Field(default="pending", max_length=16)  # pending|sending|delivered|failed|unreachable
    urgent: bool = Field(default=False)
    attempts: int = Field(default=0)
    next_attempt_at: datetime = Field(default_factory=db_now)
    last_error: str | None = Field(default=None, max_length=500)
    broadcast_id: int | None = Field(default=None)
    created_at: datetime = Field(default_factory=db_now)
    delivered_at: datetime | None = None
    # --- claims (0002) -----------------------------------------------------------------------
    claimed_by: str | None = Field(default=None, max_length=64)  # worker id holding the row
    claimed_until: datetime | None = None  # lease: after this, another worker may reclaim
    batch_id: int | None = Field(default=None)  # LINE: the batch that carries it
    parts_sent: int = Field(default=0)  # Telegram: sendMessage calls already answered 200


class OutboxContent(SQLModel, table=True):
    """A message queued for many addresses at once, stored once (0018): 60,000 copies of a broadcast's
    card were most of the bytes a national broadcast or reminder wrote. Rows that share it have
    ``content`` None and its `content_hash`. Not personal data: the same text for everyone; removed by the
    retention purge once no row refers to it."""

    __tablename__ = "outbox_contents"

    content_hash: str = Field(primary_key=True, max_length=64)
    content: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=db_now)


def stored_content() -> ColumnElement:
    """The content of an outbox row as a column: its own, or the shared one."""
    table, shared = OutboxMessage.__table__, OutboxContent.__table__
    return func.coalesce(table.c.content, select(shared.c.content).where(
        shared.c.content_hash == table.c.content_hash).scalar_subquery(), type_=table.c.content.type)


class DeliveryBatch(SQLModel, table=True):
    """One LINE send (multicast ≤500 users, or push to one) of one content, possibly several API calls
    (≤5 message objects each), each with its own `X-Line-Retry-Key`, all decided before the first call."""

    __tablename__ = "delivery_batches"

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(default="line", max_length=16)
    endpoint: str = Field(max_length=16)  # multicast | push
    content_hash: str = Field(max_length=64)
    recipients: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    chunks: list[list[dict[str, Any]]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    retry_keys: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    chunks_done: int = Field(default=0)
    status: str = Field(default="sending", max_length=16, index=True)  # sending|pending|done|failed
    urgent: bool = Field(default=False)
    attempts: int = Field(default=1)
    next_attempt_at: datetime = Field(default_factory=db_now, index=True)
    claimed_by: str | None = Field(default=None, max_length=64)
    claimed_until: datetime | None = None
    last_error: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=db_now)
    finished_at: datetime | None = None
    # LINE's statistics unit sent with the calls (`customAggregationUnits`, 0012; bot/reach.py).
    aggregation_unit: str | None = Field(default=None, max_length=30, index=True)


class Broadcast(SQLModel, table=True):
    """An announcement to an audience. Recipients are expanded into the outbox when it is due."""

    __tablename__ = "broadcasts"

    id: int | None = Field(default=None, primary_key=True)
    created_by: int | None = Field(default=None, index=True)  # officer member id (None = CLI)
    text: str
    event_id: int | None = None  # an attached event (its card goes with the text)
    audience: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    audience_label: str = Field(default="", max_length=300)
    scope_province: str | None = Field(default=None, max_length=64)  # a provincial officer's limit
    urgent: bool = Field(default=False)
    # scheduled -> queued (due) -> sending (expanded) -> done
    status: str = Field(default="queued", max_length=16, index=True)
    scheduled_at: datetime = Field(default_factory=db_now, index=True)
    content: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    total: int = Field(default=0)
    delivered: int = Field(default=0)
    failed: int = Field(default=0)
    unreachable: int = Field(default=0)
    opted_out: int = Field(default=0)
    created_at: datetime = Field(default_factory=db_now)
    started_at: datetime | None = None
    finished_at: datetime | None = None


class LineQuota(SQLModel, table=True):
    """LINE's monthly message quota and this month's usage, as last read by the scheduler (one row, id 1).
    An officer's broadcast conversation reads this figure instead of calling LINE inside its turn."""

    __tablename__ = "line_quota"

    id: int = Field(default=1, primary_key=True)
    monthly_limit: int | None = None  # None: no limit on this plan
    used: int = 0
    fetched_at: datetime = Field(default_factory=db_now)
