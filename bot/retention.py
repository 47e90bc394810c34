"""How long the bot keeps what it keeps (docs/security.md, "How long we keep things").

`prune` deletes, set-based and in chunks (one short transaction per chunk, so a big backlog never holds
locks for long), everything older than its period in `Settings`:

* delivery records — outbox rows that are finished (delivered, failed, unreachable) with their texts,
  and finished LINE send batches: `retention_delivery_days` after their last attempt; a message stored
  once for many rows (`outbox_contents`) goes with the last row that refers to it;
* the webhook inbox's finished events and web-chat messages never fetched: `retention_inbox_days`;
* conversations left half-way (a sign-up with a name and a phone typed but never confirmed):
  `retention_unfinished_conversation_days` after the last message;
* one-time account-link codes, a day after they expired.

The scheduler runs it every hour (`bot.scheduler`). Members' own records (their profile, registrations,
reports) stay until they delete them ("ลบข้อมูลของฉัน").
"""
from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, exists, select
from sqlmodel import col

from bot.config import Settings
from storage.db import Database
from storage.models import ConversationState, LinkCode, ProcessedEvent, WebInboxMessage
from storage.models.outbox import DeliveryBatch, OutboxContent, OutboxMessage

CHUNK = 5000
FINISHED_ROWS = ("delivered", "failed", "unreachable")
FINISHED_BATCHES = ("done", "failed")


def prune(db: Database, settings: Settings, now: datetime, *, chunk: int = CHUNK) -> Counter:
    """Delete what is past its period. Returns how many rows went, by table."""
    delivery = now - timedelta(days=settings.retention_delivery_days)
    inbox = now - timedelta(days=settings.retention_inbox_days)
    unfinished = now - timedelta(days=settings.retention_unfinished_conversation_days)
    gone: Counter = Counter()
    gone["outbox"] = _delete(db, OutboxMessage.id, and_(
        col(OutboxMessage.status).in_(FINISHED_ROWS), col(OutboxMessage.next_attempt_at) < delivery), chunk)
    # A day old at least: the rows that share a new content are inserted in the transaction that stores it.
    gone["outbox_contents"] = _delete(db, OutboxContent.content_hash, and_(
        col(OutboxContent.created_at) < now - timedelta(days=1),
        ~exists(select(OutboxMessage.id).where(OutboxMessage.content_hash == OutboxContent.content_hash))), chunk)
    gone["delivery_batches"] = _delete(db, DeliveryBatch.id, and_(
        col(DeliveryBatch.status).in_(FINISHED_BATCHES), col(DeliveryBatch.next_attempt_at) < delivery), chunk)
    gone["processed_events"] = _delete(db, ProcessedEvent.event_key, and_(
        col(ProcessedEvent.status).in_(("done", "failed")), col(ProcessedEvent.done_at) < inbox), chunk)
    gone["web_inbox"] = _delete(db, WebInboxMessage.id, col(WebInboxMessage.created_at) < inbox, chunk)
    gone["conversation_states"] = _delete(db, ConversationState.address, and_(
        col(ConversationState.flow).is_not(None), col(ConversationState.updated_at) < unfinished), chunk)
    gone["link_codes"] = _delete(db, LinkCode.code, col(LinkCode.expires_at) < now - timedelta(days=1), chunk)
    return +gone


def _delete(db: Database, key: Any, where: ColumnElement[bool], chunk: int) -> int:
    """DELETE … WHERE key IN (SELECT key … LIMIT chunk), one transaction per chunk, until none is left."""
    table = key.table
    total = 0
    while True:
        with db.session() as session:
            ids = select(key).where(where).limit(chunk)
            if not db.is_sqlite:
                ids = ids.with_for_update(skip_locked=True)  # rows another process holds wait for the next run
            n = session.execute(delete(table).where(key.in_(ids.scalar_subquery()))
                                .execution_options(synchronize_session=False)).rowcount or 0
        total += n
        if n < chunk:
            return total
