"""Ordered per-member work after a fast 200: `KeyedQueue` (one queue per member's address, members in
parallel), and `cancel_and_wait` for the intake's background tasks."""
from __future__ import annotations

import asyncio
import collections
import logging
import threading

log = logging.getLogger(__name__)


class KeyedQueue:
    """In-process work queues, one per key (a member's address): items of one key run in order,
    one at a time; different keys run concurrently (each active key has one asyncio task, which ends
    when its queue is empty). `pending` counts submitted items not finished yet; `wait_idle` (from any
    thread) and `drain` (async) wait until it is zero.
    """

    def __init__(self, worker, name: str = "work") -> None:  # noqa: ANN001 - async fn(item) -> None
        self._worker = worker
        self._name = name
        self._queues: dict[str, collections.deque] = {}
        self._tasks: set = set()
        self._cond = threading.Condition()
        self.pending = 0
        self.processed = 0

    def submit(self, key: str, item: object) -> None:
        with self._cond:
            self.pending += 1
        q = self._queues.get(key)
        if q is not None:
            q.append(item)
            return
        q = self._queues[key] = collections.deque([item])
        task = asyncio.get_running_loop().create_task(self._drain_key(key, q), name=f"{self._name}:{key[-6:]}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _drain_key(self, key: str, q: collections.deque) -> None:
        try:
            while q:
                item = q[0]
                try:
                    await self._worker(item)
                except Exception:  # noqa: BLE001 - one bad event must not stop the member's queue
                    log.exception("%s: processing failed", self._name)
                finally:
                    q.popleft()
                    with self._cond:
                        self.pending -= 1
                        self.processed += 1
                        if self.pending == 0:
                            self._cond.notify_all()
        finally:
            if self._queues.get(key) is q:
                del self._queues[key]

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block (in a thread other than the event loop's) until nothing is pending."""
        with self._cond:
            return self._cond.wait_for(lambda: self.pending == 0, timeout=timeout)

    async def drain(self, timeout: float = 10.0) -> bool:
        deadline = asyncio.get_running_loop().time() + timeout
        while self.pending and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.02)
        return self.pending == 0

    def cancel(self) -> None:
        for task in list(self._tasks):
            task.cancel()


async def cancel_and_wait(task: "asyncio.Task | None") -> None:
    """Cancel a background task (maintenance, polling) and wait until it has ended; how it ended is
    not the caller's concern."""
    if task is None:
        return
    task.cancel()
    try:
        await task
    except (asyncio.CancelledError, Exception):  # noqa: BLE001
        pass
