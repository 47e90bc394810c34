"""The inbox's rows and statements: what goes in (`InboxItem`) and comes back from recovery (`Recovered`),
the (de)serialization of a message into a row's payload, the accept statement in plain SQL (`RawInboxSQL`),
and everything the inbox runs on the database (`InboxSQL`)."""
from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, or_, update
from sqlmodel import select

from bot.messages import Address, Attachment, IncomingMessage
from storage.db import Database, alive_after_rest
from storage.models import ProcessedEvent

MAX_BATCH = 500  # keys per statement


def wall_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class InboxItem:
    key: str
    channel: str
    address: str  # whose event: recovery claims a member's events together, and submits them in order
    payload: dict[str, Any]


@dataclass
class Recovered:
    key: str
    channel: str
    status: str  # "pending" (turn again) or "turned" (only send `result`)
    payload: dict[str, Any]
    result: list[Any] | None
    attempts: int


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

class InboxSQL:
    """The inbox's statements: the accept/done writes on a DB-API connection of its own, and the lease
    renewals, recovery claims and pruning (through sessions)."""

    def __init__(self, db: Database, worker_id: str, lease: timedelta, keep_done: timedelta) -> None:
        self.db = db
        self.worker_id = worker_id
        self.lease = lease
        self.keep_done = keep_done
        self.statements = RawInboxSQL(db)
        self._raw: Any = None  # the DB-API connection of `write` (the inbox's thread only)
        self._raw_used: float | None = None  # when `_raw` was last used (monotonic)

    def _rows(self, items: list[InboxItem], now: datetime) -> list[dict[str, Any]]:
        rows, seen = [], set()
        until = now + self.lease
        for i, it in enumerate(items):
            if it.key in seen:
                continue
            seen.add(it.key)
            rows.append({"event_key": it.key, "received_at": now + timedelta(microseconds=i),
                         "status": "pending", "channel": it.channel, "address": it.address, "payload": it.payload,
                         "result": None, "claimed_by": self.worker_id, "claimed_until": until,
                         "attempts": 1, "done_at": None})
        return rows

    def write(self, items: list[InboxItem], finished: dict[str, str]) -> set[str]:
        """The accept/done transaction on a DB-API connection of its own, in plain SQL (`RawInboxSQL`).

        This runs for every batch of webhook events on the inbox's thread, where SQLAlchemy's session,
        pool and statement machinery cost several times the SQL itself (on PostgreSQL ~1.5 against
        ~0.6 ms of CPU per batch of ten). On SQLite the process's `FairLock` is taken like any session's."""
        now = wall_now()
        lock = self.db._write_lock
        locked = lock.acquire() if lock is not None else False
        try:
            conn = self._connection()
            if self.db.is_sqlite:
                return self._write_sqlite(conn, items, finished, now)
            return self._write_postgres(conn, items, finished, now)
        except Exception:
            self._drop_connection()  # start again with a fresh connection next time
            raise
        finally:
            if locked:
                lock.release()  # type: ignore[union-attr]

    def _write_sqlite(self, conn: Any, items: list[InboxItem], finished: dict[str, str], now: datetime) -> set[str]:
        inserted: set[str] = set()
        cur = conn.cursor()
        try:
            cur.execute("BEGIN IMMEDIATE")  # the pysqlite connection runs in autocommit mode
            try:
                if items:
                    cur.execute(*self.statements.insert(self._rows(items, now)))
                    inserted = {r[0] for r in cur.fetchall()}
                if finished:
                    done_at = self.statements.done_at(now)
                    cur.executemany("UPDATE processed_events SET status = ?, done_at = ?, payload = NULL, result = NULL, address = NULL, "
                                    "claimed_until = NULL WHERE event_key = ?",
                                    [(st, done_at, k) for k, st in finished.items()])
                cur.execute("COMMIT")
            except BaseException:
                cur.execute("ROLLBACK")
                raise
        finally:
            cur.close()
        return inserted

    def _write_postgres(self, conn: Any, items: list[InboxItem], finished: dict[str, str], now: datetime) -> set[str]:
        """One statement, committed on its own (the connection is in autocommit mode): the INSERT and
        the done marks as data-modifying parts of one ``WITH``. One round trip to the server instead of
        four (BEGIN, INSERT, UPDATE, COMMIT), so an acknowledgement waits for one answer and the inbox's
        thread takes the GIL back once, not four times while the engine turns contend for it. The done
        marks lock their rows in key order."""
        parts: list[str] = []
        params: list[Any] = []
        if items:
            insert, params = self.statements.insert(self._rows(items, now))
            parts.append(f"ins AS ({insert})")
        if finished:
            keys = sorted(finished)
            parts.append(f"fin AS (UPDATE processed_events SET status = v.s, done_at = {self.statements.done_at_mark}, "
                         "payload = NULL, result = NULL, address = NULL, claimed_until = NULL FROM (VALUES "
                         + ",".join(["(%s::VARCHAR, %s::VARCHAR)"] * len(keys))
                         + ") AS v(k, s) WHERE processed_events.event_key = v.k)")
            params.append(self.statements.done_at(now))
            for k in keys:
                params += (k, finished[k])
        cur = conn.cursor()
        try:
            cur.execute("WITH " + ", ".join(parts) + (" SELECT event_key FROM ins" if items else " SELECT 1"), params)
            return {r[0] for r in cur.fetchall()} if items else set()
        finally:
            cur.close()

    def _connection(self) -> Any:
        """`_write`'s DB-API connection, kept for the process's lifetime (on PostgreSQL taken out of the
        pool and put in autocommit mode, so no other user ever gets it in that mode). Since it never goes
        back to the pool, the pool's check for connections that rested (`storage.db.alive_after_rest`)
        is made here, before a webhook's events are written on it; a dead one is replaced."""
        if self._raw is not None and not alive_after_rest(self.db.engine.dialect, self._raw.dbapi_connection,
                                                          self._raw_used):
            self._drop_connection()
        if self._raw is None:
            raw = self.db.engine.raw_connection()
            if not self.db.is_sqlite:
                raw.detach()
                raw.dbapi_connection.autocommit = True
            self._raw = raw
        self._raw_used = time.monotonic()
        return self._raw

    def _drop_connection(self) -> None:
        """Throw `_write`'s connection away (it failed, or is dead): the next write opens a fresh one."""
        raw, self._raw = self._raw, None
        if raw is None:
            return
        dbapi = raw.dbapi_connection
        try:
            raw.invalidate()  # a pooled one (SQLite) goes back to the pool as invalid
            if not self.db.is_sqlite and dbapi is not None:
                dbapi.close()  # PostgreSQL's is detached from the pool: ours to close
        except Exception:  # noqa: BLE001
            pass

    def close(self) -> None:
        if self._raw is not None:
            try:
                self._raw.close()  # back to the pool
            except Exception:  # noqa: BLE001
                pass
            self._raw = None

    def renew(self, keys: list[str]) -> None:
        """Extend this process's leases. Rows a turn's transaction holds right now are skipped (it marks
        them itself) and the rest locked in key order: waiting on them while that transaction waits on
        rows this one holds would be a deadlock (PostgreSQL would cancel one of the two)."""
        until = wall_now() + self.lease
        with self.db.session() as session:
            for i in range(0, len(keys), MAX_BATCH):
                mine = select(ProcessedEvent.event_key).where(
                    ProcessedEvent.event_key.in_(keys[i:i + MAX_BATCH]),  # type: ignore[attr-defined]
                    ProcessedEvent.claimed_by == self.worker_id,
                    ProcessedEvent.status.in_(("pending", "turned"))) \
                    .order_by(ProcessedEvent.event_key).with_for_update(skip_locked=True)  # type: ignore[attr-defined]
                session.exec(update(ProcessedEvent)  # type: ignore[call-overload]
                             .where(ProcessedEvent.event_key.in_(mine.scalar_subquery()))  # type: ignore[attr-defined]
                             .values(claimed_until=until))

    def prune(self) -> int:
        cutoff = wall_now() - self.keep_done
        with self.db.session() as session:
            res = session.exec(delete(ProcessedEvent).where(  # type: ignore[call-overload]
                ProcessedEvent.status.in_(("done", "failed")), ProcessedEvent.done_at < cutoff))  # type: ignore[attr-defined]
            return res.rowcount or 0

    def claim(self, channels: list[str], limit: int) -> list[Recovered]:
        """Claim the oldest unfinished events whose lease ran out, and with them every other such event
        of the same members (so one process recovers a member's events, in order)."""
        now = wall_now()
        expired = (ProcessedEvent.status.in_(("pending", "turned")),  # type: ignore[attr-defined]
                   ProcessedEvent.channel.in_(channels),  # type: ignore[union-attr]
                   or_(ProcessedEvent.claimed_until == None, ProcessedEvent.claimed_until < now))
        with self.db.session() as session:
            q = select(ProcessedEvent.event_key, ProcessedEvent.address).where(*expired) \
                .order_by(ProcessedEvent.received_at).limit(limit)
            if not self.db.is_sqlite:
                q = q.with_for_update(skip_locked=True)
            first = list(session.exec(q).all())
            if not first:
                return []
            keys = {k for k, _ in first}
            addresses = sorted({a for _, a in first if a})
            if addresses:
                q = select(ProcessedEvent.event_key).where(*expired, ProcessedEvent.address.in_(addresses))  # type: ignore[union-attr]
                if not self.db.is_sqlite:
                    q = q.with_for_update(skip_locked=True)
                keys |= set(session.exec(q).all())
            keys_list = sorted(keys)
            for i in range(0, len(keys_list), MAX_BATCH):
                session.exec(update(ProcessedEvent)  # type: ignore[call-overload]
                             .where(ProcessedEvent.event_key.in_(keys_list[i:i + MAX_BATCH]))  # type: ignore[attr-defined]
                             .values(claimed_by=self.worker_id, claimed_until=now + self.lease,
                                     attempts=ProcessedEvent.attempts + 1))
            rows = []
            for i in range(0, len(keys_list), MAX_BATCH):
                rows += session.exec(select(ProcessedEvent).where(
                    ProcessedEvent.event_key.in_(keys_list[i:i + MAX_BATCH]))).all()  # type: ignore[attr-defined]
            rows.sort(key=lambda r: r.received_at)
            return [Recovered(r.event_key, r.channel or "", r.status, r.payload or {}, r.result, r.attempts)
                    for r in rows]
