"""Engine turns of the chat channels, run in batches on the database threads.

Under load most of a turn's cost is not the conversation but the transaction around it: a session,
BEGIN, three lookups, a flush and COMMIT. `TurnBatcher.turn(msg, event_key)` queues the turn of an inbox
event; a database thread takes whatever turns are waiting (up to `max_batch`) and runs them through
`Engine.handle_many`, one transaction for the lot, in which `Inbox.mark_turned` marks all their events
"turned" with one statement. A quiet server therefore runs each turn alone, as soon as it arrives (no
waiting to fill a batch); a busy one commits once per batch (measured: ~1.4 ms per turn alone,
~0.5 ms in batches of 10 or more, SQLite on the reference machine). If any turn of a batch fails, the
engine rolls the batch back and runs each turn on its own, so a crashing conversation still gets its
apology and the others their replies.

The channels' per-member queues (`bot.intake.lifecycle.KeyedQueue`) hand over one turn per member at a time, so the
turns of one batch are of different members and their order does not matter. Across server processes
(PostgreSQL) the engine locks each member's address for the turn's transaction, and `Inbox.mark_turned`
refuses a turn while an older message of that member is still pending in another live process
(`OlderFirst`): the turn is rolled back and tried again shortly (`ORDER_RETRY`), so a member's messages are
answered one at a time and in the order they were acknowledged, whichever process took each.

On SQLite the batches run on the inbox's `PriorityExecutor` (one database thread; an inbox write goes
before the next batch, so an acknowledgement waits at most for the batch in progress). On PostgreSQL
`parallel` batches run at once on a thread pool of their own, and while messages keep coming (the
previous one less than `BUSY_GAP` before) a batch waits `linger` (`TURN_BATCH_LINGER_MS`) for company
before it starts: turns only pile up by themselves when the database thread is behind, so at moderate
load each would otherwise pay for a transaction of its own.
"""
from __future__ import annotations

import asyncio
import collections
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any

from sqlmodel import Session

from bot.engine import Engine, OlderFirst, TurnAborted
from bot.messages import IncomingMessage, Reply

log = logging.getLogger(__name__)

MarkTurned = Callable[[Session, list[tuple[str, list[Reply]]]], None]  # `Inbox.mark_turned`

MAX_BATCH = 16  # turns per transaction: ~10 gets most of the gain; more only holds the write lock longer
BUSY_GAP = 0.05  # seconds: a turn arriving this soon after the previous one means messages keep coming
# Batches at once per PostgreSQL process. One: with the linger, a second thread only fought the first (and
# the event loop and the inbox) over the GIL and split its batches. More processes give more parallel turns.
PG_PARALLEL = 1
# How long a turn waits for company while messages keep coming (`TURN_BATCH_LINGER_MS`), on both databases.
# SQLite used not to wait (its turns share the one database thread with the inbox's writes, and a longer
# batch delayed the acknowledgements); since the intake's own path got cheaper, 20 ms costs the
# acknowledgements little (p99 15-34 ms at 500/s) and halves the CPU of a busy server's turns (server CPU
# per event at 500/s: 1.57 with no wait, 1.23 with 10 ms, 1.10 with 20 ms). docs/channels.md has the figures.
LINGER_MS = 20.0
# Seconds before a turn that found an older message of its member in another process tries again
# (doubling up to ORDER_RETRY_MAX: each try is a whole turn, rolled back).
ORDER_RETRY = 0.02
ORDER_RETRY_MAX = 0.32


class TurnBatcher:
    def __init__(self, engine: Engine, executor: Executor, mark_turned: MarkTurned, *, max_batch: int = MAX_BATCH,
                 parallel: int = 1, own_executor: bool = False, linger: float = 0.0) -> None:
        self.engine = engine
        self.linger = linger  # seconds a batch waits for company while messages keep coming
        self._last_arrival = float("-inf")
        self.mark_turned = mark_turned
        self.executor = executor
        self.own_executor = own_executor
        self.max_batch = max_batch
        self.parallel = parallel
        self._waiting: collections.deque[tuple[IncomingMessage, str, asyncio.Future, Any]] = \
            collections.deque()
        self._lock = threading.Lock()
        self._running = 0
        self.stats = {"turns": 0, "batches": 0}
        self.waited = 0  # turns tried again after an older message of their member (another process)

    def waiting(self) -> int:
        """Turns queued and not started yet."""
        return len(self._waiting)

    async def turn(self, msg: IncomingMessage, event_key: str) -> list[Reply]:
        """The replies of the turn of inbox event `event_key`, marked "turned" in the turn's transaction
        (raises `TurnAborted` as `Engine.handle` does, e.g. `LeaseLost`). While an older message of the
        same member waits in another server process (`OlderFirst`), the turn is tried again shortly:
        this member's queue waits, the others go on."""
        delay = ORDER_RETRY
        while True:
            try:
                return await self._turn_once(msg, event_key)
            except OlderFirst:
                self.waited += 1
                await asyncio.sleep(delay)
                delay = min(delay * 2, ORDER_RETRY_MAX)  # a lagging process is not polled with full turns

    async def _turn_once(self, msg: IncomingMessage, event_key: str) -> list[Reply]:
        loop = asyncio.get_running_loop()
        fut = loop.create_future()
        now = loop.time()
        busy, self._last_arrival = now - self._last_arrival < BUSY_GAP, now
        with self._lock:
            self._waiting.append((msg, event_key, fut, loop))
            start = self._running < self.parallel
            if start:
                self._running += 1
            wait = start and busy and self.linger > 0 and len(self._waiting) < self.max_batch
        if wait:  # more are on their way: let them share this batch's transaction
            loop.call_later(self.linger, self._submit)
        elif start:
            self._submit()
        return await fut

    def close(self, runtime: Any = None) -> None:
        """Stop the batcher's own thread pool (PostgreSQL); on SQLite the inbox owns the executor."""
        if self.own_executor:
            self.executor.shutdown(wait=False)
        if runtime is not None and getattr(runtime, "_turns", None) is self:
            runtime._turns = None

    def _submit(self) -> None:
        try:
            self.executor.submit(self._run_batch)
        except RuntimeError as exc:  # the executor is shut down: nothing will run what waits
            with self._lock:
                self._running -= 1
                waiting, self._waiting = list(self._waiting), collections.deque()
            for _, _, fut, loop in waiting:
                loop.call_soon_threadsafe(_settle, fut, exc)

    def _run_batch(self) -> None:
        """One batch on a database thread; then the next one is submitted (not looped here, so the
        inbox's urgent writes get their turn between batches)."""
        with self._lock:
            n = min(self.max_batch, len(self._waiting))
            batch = [self._waiting.popleft() for _ in range(n)]
        if batch:
            try:
                keys = [key for _, key, _, _ in batch]
                results: list[Any] = self.engine.handle_many(
                    [msg for msg, _, _, _ in batch],
                    on_turns=lambda session, idx, outs: self.mark_turned(session, [(keys[i], outs[j])
                                                                                   for j, i in enumerate(idx)]))
            except BaseException as exc:  # noqa: BLE001 - handle_many answers every turn; this is a bug
                log.exception("a batch of turns failed")
                results = [exc] * len(batch)
            self.stats["turns"] += len(batch)
            self.stats["batches"] += 1
            answers: dict[Any, list[tuple[asyncio.Future, Any]]] = {}
            for (_, _, fut, loop), result in zip(batch, results):
                answers.setdefault(loop, []).append((fut, result))
            for loop, settled in answers.items():  # one wake-up of the event loop per batch, not per turn
                loop.call_soon_threadsafe(_settle_all, settled)
        with self._lock:
            more = bool(self._waiting)
            if not more:
                self._running -= 1
        if more:
            self._submit()


def _settle_all(settled: list[tuple[asyncio.Future, Any]]) -> None:
    for fut, result in settled:
        _settle(fut, result)


def _settle(fut: asyncio.Future, result: Any) -> None:
    if fut.done():
        return
    if isinstance(result, BaseException):
        fut.set_exception(result)
    else:
        fut.set_result(result)


def get_turns(runtime: Any) -> TurnBatcher:
    """The process's turn batcher (one per runtime, shared by the LINE and Telegram channels)."""
    turns = getattr(runtime, "_turns", None)
    if turns is None:
        from concurrent.futures import ThreadPoolExecutor

        from bot.intake.inbox import get_inbox

        inbox = get_inbox(runtime)
        linger_ms = runtime.settings.turn_batch_linger_ms
        if linger_ms is None:
            linger_ms = LINGER_MS
        linger = linger_ms / 1000
        if runtime.db.is_sqlite:
            turns = TurnBatcher(runtime.engine, inbox.executor, inbox.mark_turned, linger=linger)
        else:
            workers = PG_PARALLEL
            turns = TurnBatcher(runtime.engine, ThreadPoolExecutor(max_workers=workers, thread_name_prefix="turns"),
                                inbox.mark_turned, parallel=workers, own_executor=True, linger=linger)
        runtime._turns = turns
        inbox.on_stop.append(lambda: turns.close(runtime))
    return turns


__all__ = ["TurnBatcher", "TurnAborted", "get_turns"]
