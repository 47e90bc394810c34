"""How a serving process is tuned for webhooks: the database thread that takes urgent work first
(`PriorityExecutor`) and the interpreter's GC and GIL settings (`tune_for_serving`). Everything here was
measured with bench/webhook.py at 500 events/s on the 2-core reference machine."""
from __future__ import annotations

import collections
import gc
import sys
import threading
from concurrent.futures import Executor, Future
from typing import Any


class PriorityExecutor(Executor):
    """A single worker thread taking urgent work first. On SQLite every write is serialised anyway, so
    the engine turns of all channels and the inbox's writes share this one thread: a webhook's inbox
    write waits at most for the turn batch in progress, never behind the queue of turns, and no two
    threads of this process contend for SQLite's lock (or the GIL) over it. Urgent work never runs
    twice in a row while other work waits, so a steady stream of webhooks cannot starve the turns."""

    def __init__(self, name: str = "db") -> None:
        self._urgent: collections.deque[Any] = collections.deque()
        self._normal: collections.deque[Any] = collections.deque()
        self._cond = threading.Condition()
        self._shutdown = False
        self._last_urgent = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def submit(self, fn, /, *args, **kwargs) -> Future:
        return self._put(self._normal, fn, args, kwargs)

    def submit_urgent(self, fn, /, *args, **kwargs) -> Future:
        return self._put(self._urgent, fn, args, kwargs)

    def _put(self, queue_: collections.deque, fn, args, kwargs) -> Future:
        fut: Future = Future()
        with self._cond:
            if self._shutdown:
                raise RuntimeError("cannot schedule new futures after shutdown")
            queue_.append((fut, fn, args, kwargs))
            self._cond.notify()
        return fut

    def _next(self) -> Any:
        with self._cond:
            while not self._urgent and not self._normal:
                if self._shutdown:
                    return None
                self._cond.wait()
            take_urgent = bool(self._urgent) and not (self._last_urgent and self._normal)
            self._last_urgent = take_urgent
            return (self._urgent if take_urgent else self._normal).popleft()

    def _run(self) -> None:
        while True:
            item = self._next()
            if item is None:
                return
            fut, fn, args, kwargs = item
            if not fut.set_running_or_notify_cancel():
                continue
            try:
                fut.set_result(fn(*args, **kwargs))
            except BaseException as exc:  # noqa: BLE001
                fut.set_exception(exc)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with self._cond:  # what is queued still runs; then the thread ends
            self._shutdown = True
            self._cond.notify_all()
        if wait and threading.current_thread() is not self._thread:
            self._thread.join(timeout=10)


def tune_for_serving() -> None:
    """Interpreter settings for a long-running server process (measured with bench/webhook.py at
    500 events/s on the 2-core reference machine; each cut the p99 acknowledgement and reply times):

    * The garbage collector: everything loaded at start (modules, catalogs, province tables, the
      SQLAlchemy mappers) is moved out of its reach (`gc.freeze`), and a collection of the young
      generation runs every 50,000 allocations instead of 700. A turn allocates thousands of short-lived
      ORM objects; with the defaults the collector ran many times a second and now and then walked the
      whole heap, pausing every request at once. Reference cycles are still collected.
    * The GIL switch interval, 5 → 1 ms. The event loop (webhooks in, replies out) and the database
      thread (engine turns) share the GIL; when a turn holds it, the loop waited up to 5 ms at every
      wake-up, several times per acknowledgement."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
    sys.setswitchinterval(0.001)
