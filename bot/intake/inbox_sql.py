"""The inbox's accept statement in plain SQL (`RawInboxSQL`), and the (de)serialization of a message
into the inbox row's payload."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.messages import Address, Attachment, IncomingMessage
from storage.db import Database
from storage.models import ProcessedEvent


def message_to_json(msg: IncomingMessage) -> dict[str, Any]:
    return {
        "address": str(msg.address), "text": msg.text, "postback": msg.postback,
        "attachments": [{"kind": a.kind, "fetch_ref": a.fetch_ref, "content_type": a.content_type,
                         "latitude": a.latitude, "longitude": a.longitude} for a in msg.attachments],
        "locale_hint": msg.locale_hint, "event_id": msg.event_id, "reply_token": msg.reply_token,
        "received_at": msg.received_at.isoformat() if msg.received_at else None, "kind": msg.kind,
        "is_group": msg.is_group, "display_name": msg.display_name, "mark_as_read_token": msg.mark_as_read_token,
    }


def message_from_json(data: dict[str, Any]) -> IncomingMessage:
    received = data.get("received_at")
    return IncomingMessage(
        address=Address.parse(data["address"]), text=data.get("text"), postback=data.get("postback"),
        attachments=tuple(Attachment(**a) for a in data.get("attachments") or ()),
        locale_hint=data.get("locale_hint"), event_id=data.get("event_id"), reply_token=data.get("reply_token"),
        received_at=datetime.fromisoformat(received) if received else None, kind=data.get("kind") or "message",
        is_group=bool(data.get("is_group")), display_name=data.get("display_name"),
        mark_as_read_token=data.get("mark_as_read_token"))


# `Inbox.mark_turned` on SQLite, the values through `RawInboxSQL.result` and `claimed_until` (PostgreSQL's,
# which also waits for older events of the member in other processes: `Inbox._turned_statement`).
TURNED_SQLITE = ("UPDATE processed_events SET status = 'turned', result = ?, claimed_until = ? "
                 "WHERE event_key = ? AND claimed_by = ? AND status = 'pending'")


class RawInboxSQL:
    """The inbox's accept statement in plain SQL for one database, built once: the ORM's ``INSERT ... ON
    CONFLICT DO NOTHING RETURNING`` spelled out (SQLAlchemy has no cache key for it and would compile it
    for every batch), with values through the columns' own bind processors, so rows are stored exactly
    as the ORM stores them, and on PostgreSQL with the casts SQLAlchemy renders for psycopg."""

    COLUMNS = ("event_key", "received_at", "status", "channel", "address", "payload", "result", "claimed_by",
               "claimed_until", "attempts", "done_at")

    def __init__(self, db: Database) -> None:
        table = ProcessedEvent.__table__  # type: ignore[attr-defined]
        dialect = db.engine.dialect
        self._procs = [table.c[c].type._cached_bind_processor(dialect) for c in self.COLUMNS]
        self._done_proc = table.c["done_at"].type._cached_bind_processor(dialect)
        self._result_proc = table.c["result"].type._cached_bind_processor(dialect)
        self._until_proc = table.c["claimed_until"].type._cached_bind_processor(dialect)
        if db.is_sqlite:
            mark = {c: "?" for c in self.COLUMNS}
        else:  # psycopg: a JSON value is sent as text, so the cast matters
            mark = {c: f"%s::{table.c[c].type.compile(dialect=dialect)}" for c in self.COLUMNS}
        self._head = f"INSERT INTO processed_events ({','.join(self.COLUMNS)}) VALUES "
        self._row = "(" + ",".join(mark[c] for c in self.COLUMNS) + ")"
        self.done_at_mark = mark["done_at"]

    def insert(self, rows: list[dict[str, Any]]) -> tuple[str, list[Any]]:
        """(SQL, parameters) of one multi-row insert of `rows` (`Inbox._rows`) returning the new keys."""
        params: list[Any] = []
        for row in rows:
            for proc, col in zip(self._procs, self.COLUMNS):
                value = row[col]
                params.append(proc(value) if proc is not None and value is not None else value)
        sql = self._head + ",".join([self._row] * len(rows)) + " ON CONFLICT (event_key) DO NOTHING RETURNING event_key"
        return sql, params

    def done_at(self, now: datetime) -> Any:
        return self._done_proc(now) if self._done_proc else now

    def result(self, replies: list[Any]) -> Any:
        return self._result_proc(replies) if self._result_proc else replies

    def claimed_until(self, until: datetime) -> Any:
        return self._until_proc(until) if self._until_proc else until
