"""Long button values: the database side (table ``callback_values``) of `bot.channels.telegram_format`'s
token map. A button value longer than Telegram's 64 bytes (or LINE's 300) is sent as a short hash token;
the value is remembered here so a tap on it, in this or any other server process, finds it again.

Writes go through one background thread, so converting replies never opens a second write transaction
inside a caller's own (which would wait on SQLite's lock).
"""
from __future__ import annotations

import logging
import queue
import threading

from sqlalchemy.exc import IntegrityError

from bot.channels import telegram_format
from storage.db import Database
from storage.models.links import CallbackValue

log = logging.getLogger(__name__)


class _CallbackWriter:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.queue: "queue.Queue[tuple[str, str] | None]" = queue.Queue()
        self.seen: set[str] = set()
        self.thread = threading.Thread(target=self._run, name="callback-values", daemon=True)
        self.thread.start()

    def put(self, token: str, value: str) -> None:
        if token not in self.seen:
            self.seen.add(token)
            self.queue.put((token, value))

    def get(self, token: str) -> str | None:
        try:
            with self.db.session() as session:
                row = session.get(CallbackValue, token)
                return row.value if row else None
        except Exception:  # noqa: BLE001 - a lookup failure is an unknown button, not a crash
            log.exception("callback value lookup failed")
            return None

    def _run(self) -> None:
        while True:
            item = self.queue.get()
            if item is None:
                self.queue.task_done()
                return
            token, value = item
            try:
                with self.db.session() as session:
                    if session.get(CallbackValue, token) is None:
                        session.add(CallbackValue(token=token, value=value))
            except IntegrityError:
                pass  # another process stored the same token (same value: it is a hash)
            except Exception:  # noqa: BLE001
                log.exception("could not store a callback value")
                self.seen.discard(token)
            finally:
                self.queue.task_done()  # after the commit: flush() waits for this, not for an empty queue

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until every value put so far is committed (or failed); False if `timeout` ran out."""
        done = self.queue.all_tasks_done
        with done:
            return done.wait_for(lambda: self.queue.unfinished_tasks == 0, timeout)

    def stop(self) -> None:
        self.queue.put(None)
        self.thread.join(timeout=5)


_writer: _CallbackWriter | None = None


def install_callback_store(db: Database) -> _CallbackWriter:
    """Back long-button tokens with the database (idempotent per database)."""
    global _writer
    if _writer is None or _writer.db is not db:
        if _writer is not None:
            _writer.stop()
        _writer = _CallbackWriter(db)
        telegram_format.set_callback_store(_writer.put, _writer.get)
    return _writer
