"""SQLite in the server: WAL checkpoints run on their own thread, never inside a commit."""
from __future__ import annotations

import os
import time

from sqlalchemy import text

from storage.db import Database


def _fill(db: Database, rows: int) -> None:
    with db.session() as s:
        s.execute(text("CREATE TABLE IF NOT EXISTS blob (id INTEGER PRIMARY KEY, v TEXT)"))
    for i in range(rows):
        with db.session() as s:
            s.execute(text("INSERT INTO blob (v) VALUES (:v)"), {"v": "ข้อมูล" * 400})


def test_commits_leave_checkpoints_to_the_background_thread(tmp_path) -> None:  # noqa: ANN001
    path = tmp_path / "kk.db"
    db = Database(f"sqlite:///{path}")
    db.checkpoint_in_background(interval=3600)  # started, but not due while we write
    try:
        with db.session() as s:
            assert s.execute(text("PRAGMA wal_autocheckpoint")).scalar() == 0
        _fill(db, 1500)  # ~1,500 pages: past the 1,000 at which a commit would checkpoint by default
        assert os.path.getsize(path) < 200_000, "a commit copied the WAL into the database file"
    finally:
        db.dispose()  # the thread's last checkpoint on the way out
    assert os.path.getsize(path) > 2_000_000


def test_the_thread_checkpoints_while_the_server_runs(tmp_path) -> None:  # noqa: ANN001
    path = tmp_path / "kk.db"
    db = Database(f"sqlite:///{path}")
    db.checkpoint_in_background(interval=0.05)
    try:
        _fill(db, 600)
        deadline = time.monotonic() + 10
        while os.path.getsize(path) < 1_000_000 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert os.path.getsize(path) > 1_000_000
        with db.session() as s:
            assert s.execute(text("SELECT count(*) FROM blob")).scalar() == 600
    finally:
        db.dispose()


def test_without_it_sqlite_keeps_its_default(tmp_path) -> None:  # noqa: ANN001
    db = Database(f"sqlite:///{tmp_path / 'kk.db'}")
    with db.session() as s:
        assert s.execute(text("PRAGMA wal_autocheckpoint")).scalar() == 1000
    db.dispose()
