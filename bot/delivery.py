"""The outbox drain: claim due rows, send them, record the outcome. Crash-safe and multi-process.

One pass (`Drainer.drain`) expands broadcasts that are due into outbox rows, then runs one pipeline
per channel until nothing is due:

* **Claims.** Rows are claimed in one short transaction (``UPDATE … WHERE id IN (SELECT … FOR UPDATE
  SKIP LOCKED) RETURNING …`` on PostgreSQL, so several processes never claim the same row); a claim
  is a lease (`claimed_until`). A row (or LINE batch) whose process died is reclaimed by anyone once
  the lease is over. SQLite takes the write lock at BEGIN, so claims are atomic there too; run one
  process on SQLite (docs/delivery.md).
* **LINE.** Rows with the same content go as `DeliveryBatch`es of ≤500 users (push for one), each
  call's `X-Line-Retry-Key` stored with the batch and committed before any call: a broadcast's batches
  are made when it is expanded (`bot.broadcast_expand`), other rows are claimed and batched by the drain.
  From then on only the batch is retried, always with the same users, body and key: LINE answers 409
  to a key it already accepted, which we count as delivered. So a crash between LINE's 200 and our
  commit re-sends nothing. One pass is a pipeline (`_LinePipeline`): a planner keeps claimed batches
  ready, senders call LINE at the token bucket's rate, a recorder writes outcomes in bulk.
* **Telegram.** One row = one or more ``sendMessage`` calls; each answered part is committed at once
  (`parts_sent`), while the message still holds its place among the ≤`telegram_in_flight` messages in
  flight. The Bot API has no idempotency key, so a crash repeats at most the messages in flight then.
* **Web.** Put in the web inbox and marked delivered in the same transaction: exactly once.
* **Quiet hours.** While it is quiet (21:00–07:00 Asia/Bangkok by default) only urgent rows are
  claimed; the rest wait for the morning.
* **Outcomes.** delivered; failed (a 4xx other than 429: LINE's/Telegram's reason is kept; or after
  `max_attempts`); unreachable (Telegram 403, or the member's identity is marked unreachable — then
  the identity is updated too); retry (rescheduled with capped exponential backoff + jitter).
"""
from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import and_, bindparam, func, insert, or_, select, update
from sqlmodel import Session, col

from bot import i18n
from bot.broadcast_state import state_of
from bot.clock import Clock
from bot.config import DeliveryConfig
from bot.messages import Reply
from bot.messages import replies_from_json
from bot.broadcast_expand import prepare_due_broadcasts
from bot.channels.line_format import LINE_USER_ID
from bot.outbox import enqueue, in_quiet_hours
from bot.reach_units import aggregation_unit
from bot.runtime import Runtime
from bot.channels import adapters
from bot.channels.line import LineBulkSender
from bot.channels.telegram import TelegramBulkSender
from bot.intake.pacing import Outcome, backoff
from storage.models import Member, MemberIdentity
from storage.models.outbox import Broadcast, DeliveryBatch, OutboxMessage as O, stored_content

log = logging.getLogger(__name__)

# LINE honours an X-Line-Retry-Key for 24 hours: a batch whose keys may have gone out more than 23 hours
# ago is never sent again (LINE would no longer recognise the keys and deliver a second time). Its rows
# fail with this reason, which the officer sees in Thai (the broadcast's result and its console page).
RETRY_KEY_LIFETIME = timedelta(hours=23)
RETRY_KEY_EXPIRED = "line-retry-key-expired"
OPEN = ("pending", "sending")
_CONTENT_OF = select(stored_content()).where(O.id == bindparam("row_id"))  # read once per row sent


def worker_id() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass
class DrainStats:
    outcomes: Counter = field(default_factory=Counter)  # "line delivered", "telegram unreachable"...
    calls: Counter = field(default_factory=Counter)  # "multicast 200", "sendMessage 429"...
    batches: int = 0

    def add(self, channel: str, status: str, n: int = 1) -> None:
        self.outcomes[f"{channel} {status}"] += n


@dataclass
class _Batch:
    id: int
    endpoint: str
    recipients: list[str]
    chunks: list[list[dict[str, Any]]]
    keys: list[str]
    chunks_done: int
    attempts: int
    created_at: datetime | None = None  # when its retry keys were made (set for claimed batches)
    unit: str | None = None  # LINE statistics unit (`customAggregationUnits`, bot/reach.py)


@dataclass
class _Row:
    id: int
    address: str
    content_hash: str
    parts_sent: int
    attempts: int


class _Recorder:
    """Group commit: outcomes from many concurrent sends are written in one transaction at a time.

    With SQLite (one writer) this keeps the gap between a platform's answer and our commit short even
    at thousands of recipients a second; on PostgreSQL it just saves round trips."""

    def __init__(self, db) -> None:  # noqa: ANN001
        self.db = db
        self.items: list[tuple[Any, asyncio.Future]] = []
        self.wake = asyncio.Event()
        self.task: asyncio.Task | None = None
        self.closing = False

    def start(self) -> None:
        self.closing = False
        self.task = asyncio.create_task(self._run())

    async def record(self, fn: Any) -> None:
        fut = asyncio.get_running_loop().create_future()
        self.items.append((fn, fut))
        self.wake.set()
        await fut

    async def close(self) -> None:
        self.closing = True
        self.wake.set()
        if self.task is not None:
            await self.task
            self.task = None

    def _apply(self, items: list[tuple[Any, asyncio.Future]]) -> None:
        with self.db.session() as session:
            for fn, _ in items:
                fn(session)

    async def _run(self) -> None:
        while True:
            await self.wake.wait()
            self.wake.clear()
            items, self.items = self.items, []
            if items:
                try:
                    await asyncio.to_thread(self._apply, items)
                except Exception as exc:  # noqa: BLE001 - the rows stay claimed; their lease brings them back
                    for _, fut in items:
                        if not fut.done():
                            fut.set_exception(exc)
                else:
                    for _, fut in items:
                        if not fut.done():
                            fut.set_result(None)
            if self.closing and not self.items:
                return


class _LinePipeline:
    """LINE in one pass: a planner, senders and a recorder that never wait for one another.

    * The **planner** (a thread hop per step) claims rows and cuts them into batches, retry keys
      included, committed before any of their calls (`Drainer._plan_line_rows`); it keeps about
      `line_lookahead` batches ready so the senders never wait for the database.
    * **Senders** (`line_concurrency` tasks) take ready batches and call LINE as fast as the token
      bucket allows.
    * The **recorder** writes outcomes in groups of up to `line_record_group` batches, one
      transaction each, in a thread of its own. While the planner or the senders still have work it
      waits (up to `line_record_max_delay` seconds): on SQLite the planner needs the one writer, the
      senders need the CPU, and a late record costs nothing — until it is written the batch is still `sending` under this process's renewed
      lease, and a batch re-sent after a crash carries the same keys (409 = delivered).
    """

    def __init__(self, drainer: Drainer, deadline: float | None) -> None:
        self.d = drainer
        self.cfg = drainer.cfg
        self.deadline = deadline
        self.ready: asyncio.Queue[_Batch | None] = asyncio.Queue()
        self.room = asyncio.Event()  # the ready queue fell below the lookahead
        self.recorded = asyncio.Event()  # outcomes were written: something may be due again
        self.results: list[tuple[_Batch, Outcome | None, float]] = []
        self.has_results = asyncio.Event()
        self.open = 0  # batches handed to the senders and not yet recorded
        self.sending = 0  # batches a sender is calling LINE for right now
        self.planner_busy = True
        self.planning_done = False

    @property
    def lookahead(self) -> int:
        return max(1, self.cfg.line_lookahead)

    async def run(self) -> None:
        senders = [asyncio.create_task(self._sender()) for _ in range(max(1, self.cfg.line_concurrency))]
        recorder = asyncio.create_task(self._recorder())
        try:
            await self._planner()
        finally:
            self.planner_busy = False
            for _ in senders:
                self.ready.put_nowait(None)
            await asyncio.gather(*senders, return_exceptions=True)
            self.planning_done = True
            self.has_results.set()
            await asyncio.gather(recorder, return_exceptions=True)

    async def _planner(self) -> None:
        while not self.d._expired(self.deadline):
            if self.ready.qsize() > self.lookahead // 2:
                self.room.clear()
                await self.room.wait()
                continue
            self.recorded.clear()
            self.planner_busy = True
            room = max(1, self.lookahead - self.ready.qsize())
            jobs = await asyncio.to_thread(self.d._next_line_jobs, room)
            if jobs:
                self.open += len(jobs)
                for job in jobs:
                    self.d.inflight_batches.add(job.id)
                    self.ready.put_nowait(job)
                continue
            # nothing due: wait for outcomes (a retry may be due at once), or stop when none are open
            self.planner_busy = False
            self.has_results.set()  # let the recorder write what it held back
            if self.open == 0:
                return
            await self.recorded.wait()

    async def _sender(self) -> None:
        while True:
            job = await self.ready.get()
            if job is None:
                return
            if self.ready.qsize() <= self.lookahead // 2:
                self.room.set()
            self.sending += 1
            try:
                outcome = await self.d._send_line(job)
            finally:
                self.sending -= 1
            self.results.append((job, outcome, time.monotonic()))
            self.has_results.set()

    def _hold_back(self) -> float:
        """How long the recorder should still wait before writing (0: now): it yields to the planner and
        the senders (the database and the CPU are theirs while calls are going out), for a while."""
        busy = self.planner_busy or self.sending > 0 or self.ready.qsize() > 0
        if not busy or not self.results:
            return 0.0
        if len(self.results) >= 4 * max(1, self.cfg.line_record_group) * 8:
            return 0.0  # do not let a very long broadcast pile up outcomes
        return max(0.0, self.results[0][2] + self.cfg.line_record_max_delay - time.monotonic())

    async def _recorder(self) -> None:
        group = max(1, self.cfg.line_record_group)
        while True:
            if not self.results:
                if self.planning_done:
                    return
                self.has_results.clear()
                await self.has_results.wait()
                continue
            wait = self._hold_back()
            if wait > 0:
                self.has_results.clear()
                try:
                    await asyncio.wait_for(self.has_results.wait(), timeout=wait)
                except TimeoutError:
                    pass
                continue
            items, self.results = self.results[:group], self.results[group:]
            writes = [(job, outcome) for job, outcome, _ in items if outcome is not None]
            if writes:
                try:
                    await asyncio.to_thread(self._write, writes)
                except Exception:  # noqa: BLE001 - the batches stay `sending`; their lease brings them back
                    log.exception("recording %d LINE batches failed; they are re-sent (same keys) after "
                                  "their lease", len(writes))
            for job, _, _ in items:
                self.d.inflight_batches.discard(job.id)
            self.open -= len(items)
            self.recorded.set()

    def _write(self, results: list[tuple[_Batch, Outcome]]) -> None:
        with self.d.rt.db.session() as session:
            self.d._record_line(session, results)


class Drainer:
    """Drains the outbox for one process. Create once per event loop; `aclose()` when done."""

    def __init__(self, runtime: Runtime, cfg: DeliveryConfig | None = None, *, worker: str | None = None,
                 line: LineBulkSender | None = None, telegram: TelegramBulkSender | None = None) -> None:
        self.rt = runtime
        self.cfg = cfg or runtime.settings.delivery
        self.worker = worker or worker_id()
        self._line = line
        self._telegram = telegram
        self._line_content: dict[str, list[list[dict[str, Any]]]] = {}
        self._tg_content: dict[str, list[dict[str, Any]]] = {}
        self.stats = DrainStats()
        self._lock = asyncio.Lock()
        # What this process is sending right now: its leases are renewed while it works on them.
        self.inflight_rows: set[int] = set()
        self.inflight_batches: set[int] = set()

    # --- senders --------------------------------------------------------------------------------
    @property
    def line(self) -> LineBulkSender:
        if self._line is None:  # the LINE channel's client and rate limiter when it runs in this process
            self._line = adapters.line_sender(self.rt, self.cfg)
        return self._line

    @property
    def telegram(self) -> TelegramBulkSender:
        if self._telegram is None:
            self._telegram = adapters.telegram_sender(self.rt, self.cfg)
        return self._telegram

    async def aclose(self) -> None:
        for sender in (self._line, self._telegram):
            if sender is not None:
                await sender.aclose()
        self._line = self._telegram = None

    @property
    def clock(self) -> Clock:
        return self.rt.clock

    def _now(self) -> datetime:
        return self.clock.now()

    def _lease(self, now: datetime) -> datetime:
        return now + timedelta(seconds=self.cfg.lease_seconds)

    def _reschedule_at(self, now: datetime, attempts: int, retry_after: float | None = None) -> datetime:
        delay = backoff(attempts, self.cfg.reschedule_base_seconds, self.cfg.reschedule_cap_seconds)
        return now + timedelta(seconds=max(delay, retry_after or 0))

    # --- one pass -----------------------------------------------------------------------------
    async def drain(self, *, max_seconds: float | None = None) -> DrainStats:
        """Send everything that is due, until nothing is (or `max_seconds` passed)."""
        async with self._lock:  # one pass at a time per process
            deadline = time.monotonic() + max_seconds if max_seconds else None
            await asyncio.to_thread(prepare_due_broadcasts, self.rt, self.cfg)
            self.rec = _Recorder(self.rt.db)  # leases, LINE chunk progress
            self.rec.start()
            self.tg_rec = _Recorder(self.rt.db)  # Telegram answers, committed one small group at a time
            self.tg_rec.start()
            heartbeat = asyncio.create_task(self._heartbeat())
            try:
                await asyncio.gather(self._drain_web(deadline), self._drain_line(deadline),
                                     self._drain_telegram(deadline))
            finally:
                heartbeat.cancel()
                await asyncio.gather(heartbeat, return_exceptions=True)
                await self.rec.close()
                await self.tg_rec.close()
            await asyncio.to_thread(finish_broadcasts, self.rt)
            for sender in (self._line, self._telegram):
                if sender is not None:
                    self.stats.calls.update(sender.calls)
                    sender.calls.clear()
            return self.stats

    async def _heartbeat(self) -> None:
        """Renew the leases of what this process is still sending (rows waiting for the rate limiter,
        batches being retried), so nobody — this process included — reclaims them while they are alive."""
        while True:
            await asyncio.sleep(max(0.05, self.cfg.lease_seconds / 3))
            rows, batches = list(self.inflight_rows), list(self.inflight_batches)
            if not rows and not batches:
                continue

            def renew(session: Session) -> None:
                # Rows another transaction holds right now (a recorder marking them delivered) are
                # skipped, the rest locked in id order: waiting on them while that transaction waits
                # on rows this one holds would be a deadlock, and PostgreSQL would cancel the renewal.
                until = self._lease(self._now())
                for i in range(0, len(rows), 1000):
                    mine = select(O.id).where(col(O.id).in_(rows[i:i + 1000]), O.status == "sending",
                                              O.claimed_by == self.worker).order_by(O.id) \
                        .with_for_update(skip_locked=True)
                    session.execute(update(O).where(col(O.id).in_(mine.scalar_subquery()))
                                    .values(claimed_until=until).execution_options(synchronize_session=False))
                if batches:
                    mine = select(DeliveryBatch.id).where(
                        col(DeliveryBatch.id).in_(batches), DeliveryBatch.status == "sending",
                        DeliveryBatch.claimed_by == self.worker).order_by(DeliveryBatch.id) \
                        .with_for_update(skip_locked=True)
                    session.execute(update(DeliveryBatch).where(col(DeliveryBatch.id).in_(mine.scalar_subquery()))
                                    .values(claimed_until=until).execution_options(synchronize_session=False))

            try:
                await self.rec.record(renew)
            except Exception:  # noqa: BLE001
                log.exception("lease renewal failed")

    @staticmethod
    def _expired(deadline: float | None) -> bool:
        return deadline is not None and time.monotonic() > deadline

    # --- claims -----------------------------------------------------------------------------------
    def _due_rows(self, channel: str, now: datetime, limit: int, *, reclaim: bool) -> Any:
        due = and_(O.status == "pending", col(O.next_attempt_at) <= now)
        if channel == "line":
            due = and_(due, col(O.batch_id).is_(None))
        cond = or_(due, and_(O.status == "sending", col(O.claimed_until) < now)) if reclaim else due
        stmt = select(O.id).where(O.channel == channel, cond)
        if in_quiet_hours(now, self.rt.settings):
            stmt = stmt.where(O.urgent == True)  # noqa: E712
        return stmt.order_by(O.id).limit(limit).with_for_update(skip_locked=True)

    def _claim(self, session: Session, channel: str, limit: int, *, reclaim: bool) -> list[Any]:
        now = self._now()
        ids = self._due_rows(channel, now, limit, reclaim=reclaim)
        stmt = (update(O).where(col(O.id).in_(ids.scalar_subquery()))
                .values(status="sending", claimed_by=self.worker, claimed_until=self._lease(now),
                        attempts=O.attempts + 1)
                .returning(O.id, O.address, O.content_hash, O.urgent, O.parts_sent, O.attempts, O.member_id)
                .execution_options(synchronize_session=False))
        # PostgreSQL's UPDATE … RETURNING gives rows in no set order: sorted, a member's messages go out in
        # the order they were queued
        return sorted(session.execute(stmt).all(), key=lambda r: r.id)

    def _drop_unreachable(self, session: Session, channel: str, rows: list[Any]) -> list[Any]:
        """Rows whose identity is marked unreachable are not sent (unfollowed / blocked since enqueue), nor
        a member's rows whose identity is gone (they deleted their data, or unlinked that account)."""
        addresses = list({r.address for r in rows})
        known: dict[str, bool] = {}
        for i in range(0, len(addresses), 1000):
            known.update(session.execute(select(MemberIdentity.address, MemberIdentity.reachable).where(
                col(MemberIdentity.address).in_(addresses[i:i + 1000]))).tuples().all())
        gone = [r.id for r in rows if known.get(r.address) is False
                or (r.address not in known and r.member_id is not None)]
        if not gone:
            return rows
        dead = set(gone)
        session.execute(update(O).where(col(O.id).in_(gone)).values(
            status="unreachable", claimed_by=None, claimed_until=None, last_error="member unreachable")
            .execution_options(synchronize_session=False))
        self.stats.add(channel, "unreachable", len(gone))
        return [r for r in rows if r.id not in dead]

    def _content(self, session: Session, row_id: int) -> list[dict[str, Any]]:
        return session.execute(_CONTENT_OF, {"row_id": row_id}).scalar_one()

    # --- web ------------------------------------------------------------------------------------
    async def _drain_web(self, deadline: float | None) -> None:
        while not self._expired(deadline):
            n = await asyncio.to_thread(self._web_pass)
            if n == 0:
                return

    def _web_pass(self) -> int:
        from bot import web_inbox

        with self.rt.db.session() as session:
            rows = self._claim(session, "web", self.cfg.claim_web, reclaim=True)
            rows = self._drop_unreachable(session, "web", rows)
            now = self._now()
            for r in rows:
                web_inbox.put(session, address=r.address, replies=replies_from_json(self._content(session, r.id)))
            if rows:
                session.execute(update(O).where(col(O.id).in_([r.id for r in rows])).values(
                    status="delivered", delivered_at=now, claimed_until=None)
                    .execution_options(synchronize_session=False))
                self.stats.add("web", "delivered", len(rows))
            return len(rows)

    # --- LINE -----------------------------------------------------------------------------------
    async def _drain_line(self, deadline: float | None) -> None:
        """The LINE pipeline (see `_LinePipeline`): plan → send at the bucket's rate → record in bulk."""
        await _LinePipeline(self, deadline).run()

    def _line_chunks(self, session: Session, digest: str, row_id: int) -> list[list[dict[str, Any]]]:
        chunks = self._line_content.get(digest)
        if chunks is None:
            from bot.channels.line_format import chunk_messages, to_line_messages

            chunks = chunk_messages(to_line_messages(replies_from_json(self._content(session, row_id))))
            if len(self._line_content) > 256:
                self._line_content.clear()
            self._line_content[digest] = chunks
        return chunks

    def _next_line_jobs(self, limit: int) -> list[_Batch]:
        """The planner's step: batches that are due (a broadcast's, made when it was expanded; retries;
        or left by a process that died) first, else fresh rows cut into new batches."""
        return self._claim_line_batches(limit) or self._plan_line_rows()

    def _plan_line_rows(self) -> list[_Batch]:
        """Claim fresh LINE rows (reminders, notices: rows not in a batch yet) and turn them into
        batches, retry keys included, in one transaction committed before any of their calls: one
        SELECT … FOR UPDATE SKIP LOCKED, one INSERT of the batches, one UPDATE per batch (≤500 rows)."""
        with self.rt.db.session() as session:
            now = self._now()
            stmt = (select(O.id, O.address, O.content_hash, O.urgent, O.member_id, MemberIdentity.reachable,
                           MemberIdentity.id.label("identity"), O.kind, O.broadcast_id)
                    .outerjoin(MemberIdentity, MemberIdentity.address == O.address)
                    .where(O.channel == "line", O.status == "pending", col(O.next_attempt_at) <= now,
                           col(O.batch_id).is_(None)))
            if in_quiet_hours(now, self.rt.settings):
                stmt = stmt.where(O.urgent == True)  # noqa: E712
            rows = session.execute(stmt.order_by(O.id).limit(self.cfg.claim_line)
                                   .with_for_update(of=O, skip_locked=True)).all()
            if not rows:
                return []
            # unfollowed / blocked since enqueue, or a member's identity that is gone (data deleted)
            dead_ids = {r.id for r in rows if r.reachable is False or (r.identity is None and r.member_id is not None)}
            dead = sorted(dead_ids)
            if dead:
                for i in range(0, len(dead), 1000):
                    session.execute(update(O).where(col(O.id).in_(dead[i:i + 1000])).values(
                        status="unreachable", claimed_by=None, claimed_until=None, last_error="member unreachable")
                        .execution_options(synchronize_session=False))
                self.stats.add("line", "unreachable", len(dead))
            groups: dict[tuple[str, bool, str | None], list[Any]] = {}
            for r in rows:
                if r.id not in dead_ids:
                    unit = aggregation_unit(r.kind, r.broadcast_id, r.content_hash)
                    groups.setdefault((r.content_hash, bool(r.urgent), unit), []).append(r)
            size = max(1, min(500, self.cfg.line_multicast_size))
            plans: list[tuple[dict[str, Any], list[int]]] = []
            lease = self._lease(now)
            for (digest, urgent, unit), members in groups.items():
                chunks = self._line_chunks(session, digest, members[0].id)
                users = [r for r in members if LINE_USER_ID.match(r.address[5:])]
                others = [r for r in members if not LINE_USER_ID.match(r.address[5:])]
                parts = [users[i:i + size] for i in range(0, len(users), size)] + [[r] for r in others]
                for part in parts:
                    plans.append(({"channel": "line", "endpoint": "multicast" if len(part) > 1 else "push",
                                   "content_hash": digest, "recipients": [r.address[5:] for r in part],
                                   "chunks": chunks, "retry_keys": [str(uuid.uuid4()) for _ in chunks],
                                   "chunks_done": 0, "urgent": urgent, "status": "sending", "attempts": 1,
                                   "aggregation_unit": unit if unit and (len(part) > 1 or unit.startswith("bc_")) else None,
                                   "next_attempt_at": now, "claimed_by": self.worker, "claimed_until": lease,
                                   "created_at": now}, [r.id for r in part]))
            if not plans:
                return []
            table = DeliveryBatch.__table__
            ids = session.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True),
                                  [p for p, _ in plans]).scalars().all()
            for bid, (_, row_ids) in zip(ids, plans, strict=True):
                session.execute(update(O).where(col(O.id).in_(row_ids))
                                .values(status="sending", batch_id=bid, attempts=O.attempts + 1,
                                        claimed_by=self.worker, claimed_until=None)
                                .execution_options(synchronize_session=False))
            self.stats.batches += len(plans)
            return [_Batch(bid, p["endpoint"], p["recipients"], p["chunks"], p["retry_keys"], 0, 1,
                           unit=p["aggregation_unit"])
                    for bid, (p, _) in zip(ids, plans, strict=True)]

    def _claim_line_batches(self, limit: int | None = None) -> list[_Batch]:
        """Batches that are due: fresh ones of a broadcast, retries, or those left behind by a process
        that died (lease over). One UPDATE … RETURNING claims them all. Before a batch's first call,
        members who became unreachable since it was made are taken out of it (their rows:
        `unreachable`); once a call may have gone out, a batch is only ever re-sent unchanged."""
        now = self._now()
        due = or_(and_(DeliveryBatch.status == "pending", col(DeliveryBatch.next_attempt_at) <= now),
                  and_(DeliveryBatch.status == "sending", col(DeliveryBatch.claimed_until) < now))
        ids = select(DeliveryBatch.id).where(due)
        if in_quiet_hours(now, self.rt.settings):
            ids = ids.where(DeliveryBatch.urgent == True)  # noqa: E712
        limit = max(1, limit or self.cfg.line_lookahead)
        ids = ids.order_by(DeliveryBatch.id).limit(limit).with_for_update(skip_locked=True)
        with self.rt.db.session() as session:
            rows = session.execute(
                update(DeliveryBatch).where(col(DeliveryBatch.id).in_(ids.scalar_subquery()))
                .values(status="sending", claimed_by=self.worker, claimed_until=self._lease(now),
                        attempts=DeliveryBatch.attempts + 1)
                .returning(DeliveryBatch.id, DeliveryBatch.endpoint, DeliveryBatch.recipients,
                           DeliveryBatch.chunks, DeliveryBatch.retry_keys, DeliveryBatch.chunks_done,
                           DeliveryBatch.attempts, DeliveryBatch.created_at, DeliveryBatch.aggregation_unit)
                .execution_options(synchronize_session=False)).all()
            jobs = sorted((_Batch(*r) for r in rows), key=lambda j: j.id)
            first = [j for j in jobs if j.attempts == 1 and j.chunks_done == 0]
            if first:
                jobs = self._without_unreachable(session, jobs, first, now)
            return jobs

    def _without_unreachable(self, session: Session, jobs: list[_Batch], first: list[_Batch],
                             now: datetime) -> list[_Batch]:
        dead = set(session.execute(
            select(MemberIdentity.address).join(O, O.address == MemberIdentity.address)
            .where(col(O.batch_id).in_([j.id for j in first]), MemberIdentity.reachable == False)  # noqa: E712
        ).scalars())
        if not dead:
            return jobs
        out = []
        first_ids = {j.id for j in first}
        for job in jobs:
            gone = [u for u in job.recipients if f"line:{u}" in dead] if job.id in first_ids else []
            if gone:
                session.execute(update(O).where(O.batch_id == job.id, col(O.address).in_([f"line:{u}" for u in gone]),
                                                self._still_open())
                                .values(status="unreachable", claimed_by=None, claimed_until=None,
                                        last_error="member unreachable")
                                .execution_options(synchronize_session=False))
                self.stats.add("line", "unreachable", len(gone))
                job.recipients = [u for u in job.recipients if f"line:{u}" not in dead]
                if not job.recipients:
                    session.execute(update(DeliveryBatch).where(DeliveryBatch.id == job.id).values(
                        status="failed", recipients=[], finished_at=now, claimed_by=None, claimed_until=None,
                        last_error="member unreachable"))
                    continue
                job.endpoint = "multicast" if len(job.recipients) > 1 else "push"
                session.execute(update(DeliveryBatch).where(DeliveryBatch.id == job.id).values(
                    recipients=job.recipients, endpoint=job.endpoint))
            out.append(job)
        return out

    async def _send_line(self, job: _Batch) -> Outcome | None:
        """One batch's calls (paced by the token bucket). None: something unexpected; the batch is left
        to its lease (and then re-sent with the same keys)."""
        try:
            if job.attempts > self.cfg.max_attempts:
                return Outcome("failed", f"gave up after {job.attempts - 1} attempts")
            if self._keys_expired(job):
                return Outcome("failed", f"{RETRY_KEY_EXPIRED}: first tried more than 23 hours ago; LINE no "
                                         "longer knows its retry keys, so it is not sent again")

            async def progress(n: int) -> None:
                await self.rec.record(lambda session: self._batch_progress(session, job.id, n))

            return await self.line.send(job.endpoint, job.recipients, job.chunks, job.keys, start=job.chunks_done,
                                        unit=job.unit,
                                        on_progress=progress if len(job.chunks) > 1 else None)
        except Exception:  # noqa: BLE001 - the lease brings it back; never kill the pass
            log.exception("LINE batch %s failed unexpectedly; it will be retried after its lease", job.id)
            return None

    def _keys_expired(self, job: _Batch) -> bool:
        """A re-send (an earlier attempt may have reached LINE) of keys made more than 23 hours ago. A first
        attempt is always safe, however old its keys: LINE has never seen them."""
        if job.attempts <= 1 or job.created_at is None:
            return False
        made = job.created_at if job.created_at.tzinfo else job.created_at.replace(tzinfo=timezone.utc)
        return self._now() - made > RETRY_KEY_LIFETIME

    def _batch_progress(self, session: Session, batch_id: int, done: int) -> None:
        session.execute(update(DeliveryBatch).where(DeliveryBatch.id == batch_id)
                        .values(chunks_done=done, claimed_until=self._lease(self._now())))

    @staticmethod
    def _still_open() -> Any:
        # a negation rather than `status IN (…)`: it cannot use the status index, so batch_id's is used
        return col(O.status).not_in(("delivered", "failed", "unreachable"))

    def _record_line(self, session: Session, results: list[tuple[_Batch, Outcome]]) -> None:
        """Record the outcomes of a group of batches in one transaction: delivered ones in bulk (one
        UPDATE of the batches, one of their rows), the rest one by one."""
        now = self._now()
        delivered = [job for job, outcome in results if outcome.status == "delivered"]
        by_chunks: dict[int, list[int]] = {}
        for job in delivered:
            by_chunks.setdefault(len(job.chunks), []).append(job.id)
            self.stats.add("line", "delivered", len(job.recipients))
        for n_chunks, ids in by_chunks.items():
            session.execute(update(DeliveryBatch).where(col(DeliveryBatch.id).in_(ids))
                            .values(status="done", chunks_done=n_chunks, finished_at=now, claimed_by=None,
                                    claimed_until=None, last_error=None)
                            .execution_options(synchronize_session=False))
        if delivered:
            session.execute(update(O).where(col(O.batch_id).in_([job.id for job in delivered]), self._still_open())
                            .values(status="delivered", delivered_at=now, claimed_by=self.worker,
                                    claimed_until=None, last_error=None)
                            .execution_options(synchronize_session=False))
        for job, outcome in results:
            if outcome.status != "delivered":
                self._finish_batch(session, job, outcome, now)

    def _finish_batch(self, session: Session, job: _Batch, outcome: Outcome, now: datetime) -> None:
        """A batch that was not delivered: rescheduled (its rows wait in it), or failed with its rows."""
        batch = update(DeliveryBatch).where(DeliveryBatch.id == job.id)
        if outcome.status == "retry" and job.attempts < self.cfg.max_attempts:
            at = self._reschedule_at(now, job.attempts, outcome.retry_after)
            session.execute(batch.values(status="pending", next_attempt_at=at, chunks_done=outcome.progress,
                                         claimed_by=None, claimed_until=None, last_error=outcome.error))
            self.stats.add("line", "retry", len(job.recipients))
            return
        status = "unreachable" if outcome.status == "unreachable" else "failed"
        error = outcome.error if outcome.status != "retry" else f"gave up: {outcome.error}"
        session.execute(batch.values(status="failed", finished_at=now, claimed_by=None,
                                     claimed_until=None, last_error=error))
        session.execute(update(O).where(O.batch_id == job.id, self._still_open())
                        .values(status=status, claimed_by=None, claimed_until=None, last_error=error)
                        .execution_options(synchronize_session=False))
        self.stats.add("line", status, len(job.recipients))

    # --- Telegram -------------------------------------------------------------------------------
    async def _drain_telegram(self, deadline: float | None) -> None:
        sem = asyncio.Semaphore(self.cfg.telegram_concurrency)
        tasks: set[asyncio.Task] = set()
        low_water = max(1, self.cfg.claim_telegram // 3)
        try:
            while not self._expired(deadline):
                if len(tasks) > low_water:
                    _, tasks = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
                    continue
                rows = await asyncio.to_thread(self._claim_telegram_rows)
                if rows is None:
                    if not tasks:
                        return
                    _, tasks = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
                    continue
                for row, payloads in rows:
                    self.inflight_rows.add(row.id)
                    tasks.add(asyncio.create_task(self._send_telegram(row, payloads, sem)))
        finally:
            if tasks:
                await asyncio.gather(*tasks, return_exceptions=True)

    def _claim_telegram_rows(self) -> list[tuple[_Row, list[dict[str, Any]]]] | None:
        from bot.channels.telegram_format import to_telegram_messages

        with self.rt.db.session() as session:
            rows = self._claim(session, "telegram", self.cfg.claim_telegram, reclaim=True)
            if not rows:
                return None
            rows = self._drop_unreachable(session, "telegram", rows)
            out = []
            for r in rows:
                payloads = self._tg_content.get(r.content_hash)
                if payloads is None:
                    payloads = to_telegram_messages(replies_from_json(self._content(session, r.id)))
                    if len(self._tg_content) > 256:
                        self._tg_content.clear()
                    self._tg_content[r.content_hash] = payloads
                out.append((_Row(r.id, r.address, r.content_hash, r.parts_sent, r.attempts), payloads))
            return out

    async def _send_telegram(self, row: _Row, payloads: list[dict[str, Any]], sem: asyncio.Semaphore) -> None:
        """Each part Telegram accepted is committed at once, inside the sender's in-flight gate (its own
        group-commit recorder, never queued behind LINE's writes): the delivered mark of the last part
        is the row's final state."""
        try:
            if row.attempts > self.cfg.max_attempts:
                outcome = Outcome("failed", f"gave up after {row.attempts - 1} attempts")
            else:
                user = row.address.split(":", 1)[1]
                chat_id: int | str = int(user) if user.lstrip("-").isdigit() else user

                async def accepted(n: int) -> None:
                    if n < len(payloads):
                        await self.tg_rec.record(lambda session: self._row_progress(session, row.id, n))
                    else:
                        await self.tg_rec.record(lambda session: self._finish_row(
                            session, row, Outcome("delivered", progress=n), len(payloads)))

                async with sem:
                    outcome = await self.telegram.send(chat_id, payloads, start=row.parts_sent,
                                                       on_progress=accepted)
            if outcome.status != "delivered":  # delivered: already committed by `accepted`
                await self.tg_rec.record(lambda session: self._finish_row(session, row, outcome, len(payloads)))
        except Exception:  # noqa: BLE001
            log.exception("Telegram message %s failed unexpectedly; it will be retried after its lease", row.id)
        finally:
            self.inflight_rows.discard(row.id)

    def _row_progress(self, session: Session, row_id: int, parts: int) -> None:
        session.execute(update(O).where(O.id == row_id).values(parts_sent=parts))

    def _finish_row(self, session: Session, row: _Row, outcome: Outcome, parts: int) -> None:
        now = self._now()
        status = outcome.status
        stmt = update(O).where(O.id == row.id, col(O.status).in_(OPEN))
        if status == "delivered":
            session.execute(stmt.values(status="delivered", delivered_at=now, parts_sent=parts,
                                        claimed_by=self.worker, claimed_until=None, last_error=None))
        elif status == "retry" and row.attempts < self.cfg.max_attempts:
            session.execute(stmt.values(status="pending", parts_sent=outcome.progress, claimed_by=None,
                                        claimed_until=None, last_error=outcome.error,
                                        next_attempt_at=self._reschedule_at(now, row.attempts,
                                                                            outcome.retry_after)))
        else:
            if status == "retry":
                status, outcome.error = "failed", f"gave up: {outcome.error}"
            session.execute(stmt.values(status=status, parts_sent=outcome.progress, claimed_by=None,
                                        claimed_until=None, last_error=outcome.error))
            if status == "unreachable":
                session.execute(update(MemberIdentity).where(MemberIdentity.address == row.address)
                                .values(reachable=False))
        self.stats.add("telegram", status)


# --- broadcasts ---------------------------------------------------------------------------------------
def broadcast_counts(session: Session, broadcast_id: int) -> Counter:
    rows = session.execute(select(O.status, func.count()).where(O.broadcast_id == broadcast_id)
                           .group_by(O.status)).all()
    return Counter({status: n for status, n in rows})


def finish_broadcasts(runtime: Runtime) -> list[int]:
    """Close broadcasts with nothing left to send and tell the officer the result (exactly once)."""
    done: list[int] = []
    with runtime.db.session() as session:
        sending = session.execute(select(Broadcast).where(Broadcast.status == "sending")
                                  .with_for_update(skip_locked=True)).scalars().all()
        for b in sending:
            counts = broadcast_counts(session, b.id)  # type: ignore[arg-type]
            if counts["pending"] or counts["sending"]:
                continue
            now = runtime.clock.now()
            b.delivered, b.failed, b.unreachable = counts["delivered"], counts["failed"], counts["unreachable"]
            b.status, b.finished_at = "done", now
            session.add(b)
            if b.created_by is not None:
                notify_officer(session, b)
            done.append(b.id)  # type: ignore[arg-type]
    return done


def notify_officer(session: Session, b: Broadcast) -> bool:
    from bot import audiences

    officer = session.get(Member, b.created_by)
    if officer is None:
        return False
    addresses = session.execute(select(MemberIdentity.address).where(
        MemberIdentity.member_id == officer.id, MemberIdentity.reachable == True)  # noqa: E712
        .order_by(MemberIdentity.id)).scalars().all()
    if not addresses:
        return False
    address = sorted(addresses, key=lambda a: audiences.CHANNEL_PREFERENCE.get(a.split(":", 1)[0], 9))[0]
    locale = officer.locale or "th"
    text = i18n.t("broadcast.result", locale, id=b.id, audience=audiences.describe(session, b.audience, locale),
                  state=state_of(b, b.finished_at or b.scheduled_at).label(locale), total=b.total,
                  delivered=b.delivered, failed=b.failed, unreachable=b.unreachable,
                  opted_out=b.opted_out)
    expired = session.execute(select(func.count()).select_from(O).where(
        O.broadcast_id == b.id, O.status == "failed", col(O.last_error).startswith(RETRY_KEY_EXPIRED))).scalar_one()
    if expired:
        text += "\n" + i18n.t("broadcast.result_key_expired", locale, n=expired)
    return enqueue(session, key=f"broadcast:{b.id}:result", address=address, replies=[Reply(text=text)],
                   kind="notice", member_id=officer.id)


def drain_once(runtime: Runtime, cfg: DeliveryConfig | None = None, *, max_seconds: float | None = None,
               worker: str | None = None) -> DrainStats:
    """One synchronous pass (tests, the CLI): a fresh drainer on a fresh event loop."""

    async def run() -> DrainStats:
        drainer = Drainer(runtime, cfg, worker=worker)
        try:
            return await drainer.drain(max_seconds=max_seconds)
        finally:
            await drainer.aclose()

    return asyncio.run(run())


def pending_count(runtime: Runtime, *, broadcast_id: int | None = None) -> int:
    with runtime.db.session() as session:
        stmt = select(func.count()).select_from(O).where(col(O.status).in_(OPEN))
        if broadcast_id is not None:
            stmt = stmt.where(O.broadcast_id == broadcast_id)
        return int(session.execute(stmt).scalar_one())


def next_due(runtime: Runtime) -> datetime | None:
    """When the next open row or batch becomes due (None: nothing open)."""
    with runtime.db.session() as session:
        a = session.execute(select(func.min(O.next_attempt_at)).where(
            O.status == "pending", or_(O.channel != "line", col(O.batch_id).is_(None)))).scalar()
        b = session.execute(select(func.min(DeliveryBatch.next_attempt_at)).where(
            DeliveryBatch.status == "pending")).scalar()
        c = session.execute(select(func.min(O.claimed_until)).where(O.status == "sending")).scalar()
        d = session.execute(select(func.min(DeliveryBatch.claimed_until)).where(
            DeliveryBatch.status == "sending")).scalar()
    times = [t for t in (a, b, c, d) if t is not None]
    return min(times) if times else None

