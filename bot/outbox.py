"""The persistent outbox: every proactive message is a row with a unique idempotency key.

`enqueue` is called inside the caller's transaction, so a message exists exactly when the
change that caused it was committed. A second enqueue of the same key is a no-op, also when two
processes race (``INSERT … ON CONFLICT DO NOTHING``). Draining (sending) is in `bot.delivery`;
quiet hours are decided here (`in_quiet_hours`) and applied by the drain.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

import orjson
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from bot.clock import db_now, to_local
from bot.config import Settings
from bot.messages import Address, Reply, replies_to_json
from storage.models.outbox import OutboxContent, OutboxMessage
from storage.raw_insert import RawInsert, raw_insert


def content_hash(content: list[dict[str, Any]]) -> str:
    """The digest that groups rows of the same message (LINE multicasts, reach counts). orjson: a reminder
    scan hashes thousands of cards."""
    try:
        raw = orjson.dumps(content, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)
    except TypeError:
        raw = json.dumps(content, ensure_ascii=False, sort_keys=True).encode()
    return hashlib.sha256(raw).hexdigest()


def _insert(session: Session, model: Any = OutboxMessage):  # noqa: ANN202, ANN401
    """A dialect INSERT that supports ON CONFLICT DO NOTHING (SQLite ≥ 3.24 and PostgreSQL both do)."""
    dialect = session.get_bind().dialect.name
    return (sqlite.insert if dialect == "sqlite" else postgresql.insert)(model.__table__)


def outbox_row(*, key: str, address: Address | str, content: list[dict[str, Any]], kind: str,
               member_id: int | None = None, urgent: bool = False, not_before: datetime | None = None,
               broadcast_id: int | None = None, digest: str | None = None, now: datetime | None = None) -> dict:
    """The column values of one outbox row (for `enqueue_many`)."""
    addr = str(address)
    channel = Address.parse(addr).channel
    now = now or db_now()
    return {"key": key, "kind": kind, "address": addr, "channel": channel, "member_id": member_id,
            "content": content, "content_hash": digest or content_hash(content), "status": "pending",
            "urgent": urgent, "attempts": 0, "next_attempt_at": not_before or now, "broadcast_id": broadcast_id,
            "created_at": now, "parts_sent": 0, "batch_id": None}


def enqueue(session: Session, *, key: str, address: Address | str, replies: Sequence[Reply], kind: str,
            member_id: int | None = None, urgent: bool = False, not_before: datetime | None = None,
            broadcast_id: int | None = None) -> bool:
    """Add a message unless `key` is already there. Returns True when added."""
    row = outbox_row(key=key, address=address, content=replies_to_json(replies), kind=kind,
                     member_id=member_id, urgent=urgent, not_before=not_before, broadcast_id=broadcast_id)
    stmt = _insert(session).values(**row).on_conflict_do_nothing(index_elements=["key"])
    return session.execute(stmt.returning(OutboxMessage.__table__.c.id)).first() is not None


def share_contents(session: Session, contents: dict[str, list[dict[str, Any]]]) -> None:
    """Store messages that many rows will share (`{content_hash: content}`), once each. Called in the
    transaction that inserts the rows, so the retention purge can never find them unreferenced between
    the two."""
    if not contents:
        return
    now = db_now()
    session.execute(_insert(session, OutboxContent).on_conflict_do_nothing(index_elements=["content_hash"]),
                    [{"content_hash": digest, "content": content, "created_at": now}
                     for digest, content in contents.items()])


ROW_COLUMNS = ("key", "kind", "address", "channel", "member_id", "content", "content_hash", "status", "urgent",
                "attempts", "next_attempt_at", "broadcast_id", "created_at", "parts_sent", "batch_id")


def row_insert(session: Session) -> RawInsert:
    """The bulk insert of outbox rows (`ROW_COLUMNS`, existing keys skipped) for the session's database."""
    return raw_insert(OutboxMessage.__table__, ROW_COLUMNS, dialect=session.connection().dialect, conflict="key")


def enqueue_many(session: Session, rows: Iterable[dict], *, chunk: int = 2000) -> int:
    """Bulk `enqueue` of `outbox_row(...)` dicts; existing keys are skipped. Returns how many were added.
    Plain SQL (`storage.raw_insert`): rows of one broadcast or reminder share their content and times,
    which are serialised once, not once per row."""
    conn = session.connection()
    insert = row_insert(session)
    added = 0
    buf: list[dict] = []
    for row in rows:
        buf.append(row)
        if len(buf) >= chunk:
            added += insert.run(conn, buf)
            buf = []
    return added + insert.run(conn, buf)


# --- quiet hours ----------------------------------------------------------------------------------
def in_quiet_hours(now: datetime, settings: Settings) -> bool:
    """True when `now` (aware) falls in the quiet hours (default 21:00–07:00 Asia/Bangkok)."""
    start, end = settings.quiet_hours_start, settings.quiet_hours_end
    if start == end:
        return False
    hour = to_local(now, settings.tz).hour
    return start <= hour < end if start < end else (hour >= start or hour < end)


def quiet_hours_end(now: datetime, settings: Settings) -> datetime:
    """When the current quiet period ends (aware UTC); `now` itself when it is not quiet."""
    if not in_quiet_hours(now, settings):
        return now
    local = to_local(now, settings.tz)
    end = local.replace(hour=settings.quiet_hours_end, minute=0, second=0, microsecond=0)
    if end <= local:
        end += timedelta(days=1)
    return end.astimezone(now.tzinfo)


# --- broadcasts -----------------------------------------------------------------------------------
def create_broadcast(session: Session, *, text: str, audience: dict[str, Any], scope_province: str | None,
                     created_by: int | None = None, urgent: bool = False, event_id: int | None = None,
                     scheduled_at: datetime | None = None, audience_label: str = "") -> Any:
    """Record a broadcast. The drain (or the scheduler, for a later `scheduled_at`) expands it into one
    outbox row per recipient when it is due; the officer who sent it gets the result when it is done."""
    from storage.models.outbox import Broadcast

    now = db_now()
    b = Broadcast(text=text, audience=audience, scope_province=scope_province, created_by=created_by,
                  urgent=urgent, event_id=event_id, audience_label=audience_label[:300],
                  status="queued", scheduled_at=scheduled_at or now, created_at=now)
    session.add(b)
    session.flush()
    return b
