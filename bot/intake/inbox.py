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
import uuid
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from sqlalchemy import bindparam, exists, select as core_select
from sqlmodel import Session

from bot.engine import OlderFirst, TurnAborted
from bot.intake.inbox_sql import MAX_BATCH, TURNED_SQLITE, InboxItem, InboxSQL, Recovered, wall_now
from bot.intake.tuning import PriorityExecutor
from bot.messages import Reply, replies_to_json
from storage.db import Database
from storage.models import ProcessedEvent

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
KEEP_DONE = timedelta(days=7)
PRUNE_EVERY = 600.0  # seconds
DONE_DELAY = 0.1  # seconds: done marks are batched (a crash in between only means a push is retried: 409)
RECOVER_BATCH = 200
BACKLOG_LIMIT = 2000  # do not claim more while this many events wait in this process
RECENT_KEPT = 50_000  # event keys remembered in memory, to skip a redelivery without a write


class LeaseLost(TurnAborted):
    """This process no longer holds the event (its lease ran out and another process took it)."""


class SendLater(Exception):
    """The platform could not be reached (5xx, 429, network errors) even after the retries: the event
    is left in the inbox (not done), so it is recovered after its lease and its replies sent again,
    with the same retry keys."""


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
        self.sql = InboxSQL(db, self.worker_id, self.lease, keep_done)
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
            inserted = self.sql.write([it for items, _ in batch for it in items], finished)
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
            sql = self.sql.statements
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
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
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
        self.sql.close()

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
            await loop.run_in_executor(self.maintenance, self.sql.renew, list(self.inflight))
        if loop.time() - self._last_prune > PRUNE_EVERY:
            self._last_prune = loop.time()
            await loop.run_in_executor(self.maintenance, self.sql.prune)
        channels = [c for c in self.handlers if self.backlog[c]() < BACKLOG_LIMIT]
        if not channels:
            return 0
        recovered = await loop.run_in_executor(self.maintenance, self.sql.claim, channels, self.recover_batch)
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

def get_inbox(runtime: Any) -> Inbox:
    """The process's inbox (one per runtime, shared by the channels)."""
    inbox = getattr(runtime, "_inbox", None)
    if inbox is None:
        inbox = Inbox(runtime.db, lease_seconds=runtime.settings.inbox_lease_seconds,
                      recover_batch=runtime.settings.inbox_recover_batch,
                      keep_done=timedelta(days=runtime.settings.retention_inbox_days))
        runtime._inbox = inbox
    return inbox
