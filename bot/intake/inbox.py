"""The durable inbox of webhook events: nothing acknowledged is lost, nothing is processed twice.

A webhook (LINE, Telegram, or a long-polled Telegram update) is answered 200 only after its events
are in ``processed_events`` (`storage.models.ProcessedEvent`):

1. **accept** — `Inbox.accept(items)` INSERTs each event (key ``line:<webhookEventId>`` /
   ``telegram:<update_id>``, the serialized job, ``status='pending'``, claimed by this process for one
   lease) with ``ON CONFLICT DO NOTHING RETURNING``: a key that is already there is a duplicate and is
   not processed again. Group commit: every event that arrives while a write is in flight goes into the
   next single transaction, and each request awaits its batch, so a burst costs one commit.
2. **turn** — the engine turn runs (batched with other members' turns under load, `bot.intake.turns`),
   and in *its* transaction `mark_turned` sets ``status='turned'`` and stores the replies (``result``),
   provided this process still holds the lease (otherwise the turn is rolled back: another process
   took the event over). State change and "turn done" are atomic.
3. **send, then done** — the replies go out; `finish(key)` marks the row ``done`` (batched with the
   next accept transaction; payload, result and the member's address are cleared: a finished event keeps only its key, which makes a redelivery change nothing).

Recovery: every few seconds (and at start-up) a process renews the lease of the events it is working
on and claims unfinished events whose lease ran out (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite
serialises writers), oldest first. A ``pending`` one is turned again from its payload; a ``turned`` one
only has its stored replies sent. Replies of recovered events are pushed (the reply token is stale or
spent) — on LINE with ``X-Line-Retry-Key`` = uuid5(event key, chunk), the same key the first attempt
used for a push, so LINE answers 409 instead of delivering twice. After `MAX_ATTEMPTS` claims an event
is given up (``failed``, logged). Done and failed rows older than `RETENTION_INBOX_DAYS` (7) are deleted.

Leases use the wall clock (they are about process liveness, not the domain clock tests move).
"""
from __future__ import annotations

import asyncio
import collections
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, exists, or_, select as core_select, update
from sqlmodel import Session, select

from bot.engine import OlderFirst, TurnAborted
from bot.intake.inbox_sql import TURNED_SQLITE, RawInboxSQL
from bot.intake.queue import cancel_and_wait
from bot.intake.tuning import PriorityExecutor
from bot.messages import Reply, replies_to_json
from storage.db import Database, alive_after_rest
from storage.models import ProcessedEvent

log = logging.getLogger(__name__)

MAX_BATCH = 500
MAX_ATTEMPTS = 5
KEEP_DONE = timedelta(days=7)
PRUNE_EVERY = 600.0  # seconds
DONE_DELAY = 0.1  # seconds: done marks are batched (a crash in between only means a push is retried: 409)
RECOVER_BATCH = 200
BACKLOG_LIMIT = 2000  # do not claim more while this many events wait in this process
RECENT_KEPT = 50_000  # event keys remembered in memory, to skip a redelivery without a write


def wall_now() -> datetime:
    return datetime.now(UTC)


class LeaseLost(TurnAborted):
    """This process no longer holds the event (its lease ran out and another process took it)."""


class SendLater(Exception):
    """The platform could not be reached (5xx, 429, network errors) even after the retries: the event
    is left in the inbox (not done), so it is recovered after its lease and its replies sent again,
    with the same retry keys."""


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


# --- the inbox ------------------------------------------------------------------------------------
class Inbox:
    """One per server process (shared by the LINE and Telegram channels). On SQLite its writes and the
    channels' engine turns share one `PriorityExecutor` (inbox writes first); on PostgreSQL the inbox
    has its own thread and the channels their pools."""

    def __init__(self, db: Database, *, lease_seconds: float = 30.0, recover_batch: int = RECOVER_BATCH,
                 keep_done: timedelta = KEEP_DONE) -> None:
        self.db = db
        self.keep_done = keep_done
        self.recover_batch = recover_batch
        self.lease = timedelta(seconds=lease_seconds)
        self.interval = max(0.2, min(10.0, lease_seconds / 3))
        self.worker_id = f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.executor: Executor = PriorityExecutor("db") if db.is_sqlite else \
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="inbox")
        # Lease renewals, recovery claims and pruning. On PostgreSQL they get a thread of their own: on
        # the accept thread each tick held up the acknowledgements queued behind it (measured: 80-240 ms
        # stalls, p99 acknowledgement over 100 ms at 500 events/s). They never wait for a row an accept,
        # a done mark or a turn holds (SKIP LOCKED), so running beside them cannot deadlock. On SQLite
        # every write is serialised anyway: they stay on the one database thread, behind urgent writes.
        self.maintenance: Executor = self.executor if db.is_sqlite else \
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="inbox-maintenance")
        self.handlers: dict[str, Callable[[Recovered], None]] = {}
        self.backlog: dict[str, Callable[[], int]] = {}
        self.inflight: set[str] = set()
        self.recent: collections.OrderedDict[str, None] = collections.OrderedDict()  # keys seen by this process
        self._accepts: list[tuple[list[InboxItem], asyncio.Future]] = []
        self._finished: dict[str, str] = {}
        self._lock = threading.Lock()  # `_accepts`, `_finished`, `_write_queued`: loop and database thread
        self._write_queued = False
        self._task: asyncio.Task | None = None
        self._last_prune = 0.0
        self._users = 0
        self._done_timer: asyncio.TimerHandle | None = None
        self._turned: Any = None
        self._sql = RawInboxSQL(db)
        self._raw: Any = None  # the DB-API connection of `_write` (the inbox's thread only)
        self._raw_used: float | None = None  # when `_raw` was last used (monotonic)
        self.on_stop: list[Callable[[], None]] = []  # run when the last channel stops (before the executor)
        self.stats = {"accepted": 0, "duplicates": 0, "recovered": 0, "failed": 0}

    def register(self, channel: str, handler: Callable[[Recovered], None], backlog: Callable[[], int]) -> None:
        """`handler` gets each recovered event of `channel` (on the event loop); `backlog` says how many
        events the channel has waiting (no new claims while it is high)."""
        self.handlers[channel] = handler
        self.backlog[channel] = backlog

    # --- accept (before the 200) ---------------------------------------------------------------
    async def accept(self, items: list[InboxItem]) -> set[str]:
        """Store `items`; the keys that were new (to be processed now). Raises when the database
        write failed (the caller answers 5xx so the platform retries)."""
        if not items:
            return set()
        fut: asyncio.Future = asyncio.get_running_loop().create_future()
        with self._lock:
            self._accepts.append((items, fut))
        self._kick()
        return await fut

    async def admit(self, channel: str, jobs: list[Any], submit: Callable[[Any], None]) -> tuple[int, int]:
        """The channels' intake: store `jobs` (each with ``event_key``, ``msg`` and ``to_json()``) and
        `submit` the ones that are new, in order. Returns (new, duplicates). Events this process has
        already seen are skipped without a write; a key twice in one call counts once. Raises when the
        inbox could not store them (the caller answers 5xx, so the platform retries)."""
        fresh = [j for j in jobs if j.event_key not in self.recent]
        duplicates = len(jobs) - len(fresh)
        if not fresh:
            return 0, duplicates
        new = await self.accept([InboxItem(j.event_key, channel, str(j.msg.address), j.to_json()) for j in fresh])
        count = 0
        for job in fresh:
            self.recent[job.event_key] = None
            if job.event_key not in new:
                duplicates += 1
                continue
            new.discard(job.event_key)
            count += 1
            submit(job)
        while len(self.recent) > RECENT_KEPT:
            self.recent.popitem(last=False)
        return count, duplicates

    def finish(self, key: str, status: str = "done") -> None:
        """Mark `key` done (replies handed over) or failed; written with the next batch."""
        self.inflight.discard(key)
        with self._lock:
            self._finished[key] = status
        self._kick_later()

    def release(self, key: str) -> None:
        """Processing failed unexpectedly: stop renewing, so the event is recovered after its lease."""
        self.inflight.discard(key)

    async def process(self, key: str, work: Callable[[], Any], channel: str) -> None:
        """Run `work()` (a coroutine function) for event `key`; mark it done when it completes, or leave
        it to be recovered after its lease when it could not finish."""
        try:
            await work()
        except LeaseLost:
            log.warning("%s: %s was taken over by another process", channel, key)
            self.release(key)
            return
        except SendLater:
            log.warning("%s: could not send the replies of %s; they will be tried again", channel, key)
            self.release(key)
            return
        except BaseException:
            self.release(key)
            raise
        self.finish(key)

    def _kick(self) -> None:
        """Queue one write of everything pending, unless one is queued already. The write takes what is
        pending when it *runs* (on the database thread), so events that arrive while a turn batch holds
        the thread go out in the write right after it, without a round trip through the event loop."""
        with self._lock:
            if self._write_queued:
                return
            self._write_queued = True
        loop = asyncio.get_running_loop()
        try:
            if isinstance(self.executor, PriorityExecutor):
                self.executor.submit_urgent(self._write_pending, loop)
            else:
                self.executor.submit(self._write_pending, loop)
        except RuntimeError:  # shut down
            with self._lock:
                self._write_queued = False
            raise

    def _kick_later(self) -> None:
        """Done marks are not urgent: they ride along with the next accept, or go after `DONE_DELAY`."""
        if not self._write_queued and not self._done_timer:
            def fire() -> None:
                self._done_timer = None
                self._kick()
            self._done_timer = asyncio.get_running_loop().call_later(DONE_DELAY, fire)

    def _write_pending(self, loop: asyncio.AbstractEventLoop) -> None:
        """On the database thread: store the pending accepts and done marks in one transaction, then
        hand the results to the event loop."""
        with self._lock:
            self._write_queued = False
            batch: list[tuple[list[InboxItem], asyncio.Future]] = []
            n = 0
            while self._accepts and (n == 0 or n + len(self._accepts[0][0]) <= MAX_BATCH):
                items, fut = self._accepts.pop(0)
                batch.append((items, fut))
                n += len(items)
            finished, self._finished = self._finished, {}
            more = bool(self._accepts)
        if not batch and not finished:
            return
        try:
            inserted = self._write([it for items, _ in batch for it in items], finished)
        except Exception as exc:  # noqa: BLE001
            log.exception("inbox write failed")
            with self._lock:
                for key, status in finished.items():
                    self._finished.setdefault(key, status)
            loop.call_soon_threadsafe(self._failed, batch, exc, bool(finished) and not more)
            return
        loop.call_soon_threadsafe(self._accepted, batch, inserted, more)

    def _accepted(self, batch: list[tuple[list[InboxItem], asyncio.Future]], inserted: set[str], more: bool) -> None:
        claimed: set[str] = set()
        for items, fut in batch:
            new = {it.key for it in items if it.key in inserted and it.key not in claimed}
            claimed |= new
            self.inflight |= new
            self.stats["accepted"] += len(new)
            self.stats["duplicates"] += len(items) - len(new)
            if not fut.done():
                fut.set_result(new)
        if more:
            self._kick()

    def _failed(self, batch: list[tuple[list[InboxItem], asyncio.Future]], exc: Exception, retry_later: bool) -> None:
        for _, fut in batch:
            if not fut.done():
                fut.set_exception(exc)
        if retry_later:  # the database is unwell: the done marks again in a second
            asyncio.get_running_loop().call_later(1.0, self._kick)
        elif self._accepts:
            self._kick()

    def _turned_statement(self) -> Any:
        """The Core statement of `mark_turned`, built once (the ORM's bulk UPDATE path costs ~5x more per call)."""
        if self._turned is None:
            t = ProcessedEvent.__table__  # type: ignore[attr-defined]
            where = [t.c.event_key == bindparam("k"), t.c.claimed_by == bindparam("w"), t.c.status == "pending"]
            if not self.db.is_sqlite:
                # Several processes (PostgreSQL): not while an older event of the same member is pending in
                # another process whose lease runs; the engine holds the member's lock meanwhile, so none
                # becomes turned during this turn. Once that process dies its lease runs out and this turn
                # goes first (a recovered event is answered after the member's newer ones, docs/channels.md).
                # The partial index of pending events by address (0008) makes this a short probe.
                older = t.alias("older")
                where.append(~exists().where(
                    older.c.address == t.c.address, older.c.status == "pending",
                    older.c.received_at < t.c.received_at, older.c.claimed_by != bindparam("w"),
                    older.c.claimed_until > bindparam("n")))
            self._turned = t.update().where(*where) \
                .values(status="turned", result=bindparam("r"), claimed_until=bindparam("u"))
        return self._turned

    def _ours_statement(self) -> Any:
        """Which of these events this process still holds (after `mark_turned` updated fewer)."""
        t = ProcessedEvent.__table__  # type: ignore[attr-defined]
        return core_select(t.c.event_key).where(t.c.event_key.in_(bindparam("keys", expanding=True)),
                                                t.c.claimed_by == bindparam("w"))

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

    def _write(self, items: list[InboxItem], finished: dict[str, str]) -> set[str]:
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
                    cur.execute(*self._sql.insert(self._rows(items, now)))
                    inserted = {r[0] for r in cur.fetchall()}
                if finished:
                    done_at = self._sql.done_at(now)
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
            insert, params = self._sql.insert(self._rows(items, now))
            parts.append(f"ins AS ({insert})")
        if finished:
            keys = sorted(finished)
            parts.append(f"fin AS (UPDATE processed_events SET status = v.s, done_at = {self._sql.done_at_mark}, "
                         "payload = NULL, result = NULL, address = NULL, claimed_until = NULL FROM (VALUES "
                         + ",".join(["(%s::VARCHAR, %s::VARCHAR)"] * len(keys))
                         + ") AS v(k, s) WHERE processed_events.event_key = v.k)")
            params.append(self._sql.done_at(now))
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

    # --- inside the engine turn's transaction ----------------------------------------------------
    def mark_turned(self, session: Session, items: list[tuple[str, list[Reply]]]) -> None:
        """Record that the turns of these events ran (same transaction as the turns) and their replies,
        in one statement. Raises `LeaseLost` when another process has taken any of them over (the
        turns must roll back; the engine then runs them one by one, and only that one aborts), and
        `OlderFirst` when an older event of the same member still waits in another process (the turn
        rolls back and is tried again shortly, `bot.intake.turns`)."""
        now = wall_now()
        until = now + self.lease
        conn = session.connection()
        if self.db.is_sqlite:  # one process: plain SQL to the driver (~20 us a turn less than the Core statement)
            sql = self._sql
            until_db = sql.claimed_until(until)
            res = conn.exec_driver_sql(TURNED_SQLITE, [(sql.result(replies_to_json(replies)), until_db, key,
                                                        self.worker_id) for key, replies in items])
        else:
            params = [{"k": key, "w": self.worker_id, "r": replies_to_json(replies), "u": until, "n": now}
                      for key, replies in items]
            res = conn.execute(self._turned_statement(), params if len(params) > 1 else params[0])
        if res.rowcount != len(items):
            keys = [key for key, _ in items]
            ours = conn.execute(self._ours_statement(), {"keys": keys, "w": self.worker_id}).all()
            if len(ours) == len(keys):  # none was taken over: one waits for an older message of its member
                raise OlderFirst(", ".join(keys))
            raise LeaseLost(", ".join(keys))

    # --- recovery ----------------------------------------------------------------------------------
    async def start(self) -> None:
        """Recover what earlier runs left (their leases permitting), then keep doing it periodically.
        Each channel calls it at start-up and `stop` when it stops; the last `stop` stops the inbox."""
        self._users += 1
        if self._task is None:
            await self.tick()
            self._task = asyncio.get_running_loop().create_task(self._maintain(), name="inbox-maintenance")

    async def stop(self) -> None:
        self._users -= 1
        if self._users > 0:
            return
        await cancel_and_wait(self._task)
        self._task = None
        if self._done_timer is not None:
            self._done_timer.cancel()
            self._done_timer = None
        deadline = asyncio.get_running_loop().time() + 5.0
        while (self._write_queued or self._finished) and asyncio.get_running_loop().time() < deadline:
            if not self._write_queued:  # the last done marks
                self._kick()
            await asyncio.sleep(0.01)
        for close in self.on_stop:
            close()
        if self.maintenance is not self.executor:
            self.maintenance.shutdown(wait=True)
        self.executor.shutdown(wait=True)
        if self._raw is not None:
            try:
                self._raw.close()  # back to the pool
            except Exception:  # noqa: BLE001
                pass
            self._raw = None

    async def _maintain(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.tick()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("inbox maintenance failed")

    async def tick(self) -> int:
        """Renew this process's leases, prune old rows now and then, claim and dispatch expired events."""
        loop = asyncio.get_running_loop()
        if self.inflight:
            await loop.run_in_executor(self.maintenance, self._renew, list(self.inflight))
        if loop.time() - self._last_prune > PRUNE_EVERY:
            self._last_prune = loop.time()
            await loop.run_in_executor(self.maintenance, self._prune)
        channels = [c for c in self.handlers if self.backlog[c]() < BACKLOG_LIMIT]
        if not channels:
            return 0
        recovered = await loop.run_in_executor(self.maintenance, self._claim, channels, self.recover_batch)
        for item in recovered:
            if item.attempts > MAX_ATTEMPTS:
                log.error("inbox: giving up on %s after %d attempts", item.key, item.attempts - 1)
                self.stats["failed"] += 1
                self.finish(item.key, "failed")
                continue
            self.inflight.add(item.key)
            self.stats["recovered"] += 1
            log.warning("inbox: recovering %s (%s, attempt %d)", item.key, item.status, item.attempts)
            try:
                self.handlers[item.channel](item)
            except Exception:
                log.exception("inbox: could not resubmit %s", item.key)
                self.release(item.key)
        return len(recovered)

    def _renew(self, keys: list[str]) -> None:
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

    def _prune(self) -> int:
        from sqlalchemy import delete

        cutoff = wall_now() - self.keep_done
        with self.db.session() as session:
            res = session.exec(delete(ProcessedEvent).where(  # type: ignore[call-overload]
                ProcessedEvent.status.in_(("done", "failed")), ProcessedEvent.done_at < cutoff))  # type: ignore[attr-defined]
            return res.rowcount or 0

    def _claim(self, channels: list[str], limit: int) -> list[Recovered]:
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


def get_inbox(runtime: Any) -> Inbox:
    """The process's inbox (one per runtime, shared by the channels)."""
    inbox = getattr(runtime, "_inbox", None)
    if inbox is None:
        inbox = Inbox(runtime.db, lease_seconds=runtime.settings.inbox_lease_seconds,
                      recover_batch=int(os.environ.get("INBOX_RECOVER_BATCH", RECOVER_BATCH)),
                      keep_done=timedelta(days=runtime.settings.retention_inbox_days))
        runtime._inbox = inbox
    return inbox
