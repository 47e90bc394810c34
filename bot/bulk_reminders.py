"""Set-based reminder sources: who is due is decided in SQL, the new ones are queued with set inserts.

A source registered with `bulk_reminder_source` returns, for the scan's moment, one `BulkReminders` per
offset (e.g. "deadline 12, 7 days before"): a SELECT of the due messages, with the outbox key computed in
SQL. The scan (`scan_bulk_sources`, called by `bot.reminders.send_due_reminders`):

1. looks, in a read-only session (SQLite: a deferred transaction, so writers are not held up), for one
   due row whose key is not yet in the outbox (SQLite: ``NOT EXISTS`` on the outbox's unique key index,
   ``LIMIT 1``, one statement per source and offset; PostgreSQL: one statement for all of them, see
   `_with_new_keys`);
2. if there is none, stops: a scan with nothing new writes nothing;
3. otherwise inserts the new rows in chunks of `CHUNK` members (by member id), each chunk one
   ``INSERT … SELECT … WHERE NOT EXISTS`` (SQLite: ``OR IGNORE``; PostgreSQL: ``ON CONFLICT DO NOTHING``)
   in its own short transaction (measured: a chunk of 1,500 rows holds SQLite's write lock for about
   30 ms), so webhooks get the writer between chunks and two processes scanning at once still queue each
   key once.

When the message is the same for everyone of a locale (a deadline reminder), `contents` gives it per
locale and no row passes through Python: the message is stored once (`outbox_contents`, in each chunk's
transaction) and the rows carry only its hash. When it differs per row (an event's registration card), the
new rows are read and `render` builds their content; they are then inserted with `outbox.enqueue_many`.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import (
    Boolean, Integer, Row, Select, String, bindparam, case, exists, func, insert, literal, literal_column, null, select,
    union_all,
)
from sqlalchemy.dialects import postgresql
from sqlmodel import Session

from bot.config import Settings
from storage.models import Member
from storage.models.outbox import OutboxMessage

CHUNK = 1500  # members per insert transaction (≤ ~50 ms of SQLite's write lock)
OUTBOX = OutboxMessage.__table__


@dataclass(frozen=True)
class BulkReminders:
    """The reminders of one source and offset. `due(low, high)` is a SELECT with (at least) the columns
    ``key``, ``address``, ``channel``, ``member_id`` and ``locale``, limited to members with
    ``low <= member id <= high`` when those are given."""

    description: str  # for the scan's listing: "deadline 12 (2026-12-09) +7d"
    due: Callable[[int | None, int | None], Select]
    kind: str = "reminder"
    urgent: bool = False
    # The same content for everyone of a locale ({"th": [...], "en": [...]}; the first is the default) …
    contents: dict[str, list[dict[str, Any]]] | None = None
    # … or one content per new row (rows as read from `due`).
    render: Callable[[Session, Sequence[Row]], list[list[dict[str, Any]]]] | None = None
    # Every key of `due` starts with this ("reminder:deadline:12:member:"): PostgreSQL's look for new keys
    # reads the outbox keys of that range once and compares the two sets by hashing (see `_with_new_keys`).
    key_prefix: str | None = None
    # A SELECT of exactly `due(None, None)`'s keys (one column), when it can be had cheaper than `due`
    # itself (without each member's preferred address, which only an inserted row needs).
    keys: Callable[[], Select] | None = None


BulkSource = Callable[[Session, datetime, Settings], Iterable[BulkReminders]]
BULK_SOURCES: list[BulkSource] = []


def bulk_reminder_source(fn: BulkSource) -> BulkSource:
    """Register a set-based source of due reminders (from a capability's `register()`). `now` is aware UTC."""
    if fn not in BULK_SOURCES:
        BULK_SOURCES.append(fn)
    return fn


class Tally(Protocol):
    def add(self, description: str, outcome: str, n: int) -> None: ...

    def spent(self, description: str, seconds: float) -> None: ...


def _new_rows(bulk: BulkReminders, low: Any = None, high: Any = None) -> Select:  # noqa: ANN401
    d = bulk.due(low, high).subquery("due")
    return select(d).where(~exists(select(OUTBOX.c.id).where(OUTBOX.c.key == d.c.key)))


def _key_range(prefix: str) -> tuple[str, str]:
    """The bounds of the keys starting with `prefix` (its last character raised by one for the upper)."""
    return prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _with_new_keys(session: Session, bulks: Sequence[BulkReminders]) -> list[bool]:
    """Which of `bulks` have a due key that is not yet in the outbox (PostgreSQL).

    One statement for all of them (a round trip and a plan instead of one per source and offset), in which
    each source and offset with a `key_prefix` is ``EXISTS (due keys EXCEPT the outbox keys of that
    range)``: PostgreSQL hashes both sets (10-15 ms for a deadline owed by 12,500 members), where the
    ``NOT EXISTS`` anti-join probed the outbox's key index once per due key (three index pages and a heap
    page each: 30-50 ms; docs/scale.md). The range only bounds what is read: a due key counts as present
    only if it equals a stored key, so a range too narrow (another collation) could only make the scan
    look for new rows it then does not find, never miss one."""
    parts = []
    for i, bulk in enumerate(bulks):
        if bulk.key_prefix:
            keys = bulk.keys() if bulk.keys is not None else select(bulk.due(None, None).subquery().c.key)
            low, high = _key_range(bulk.key_prefix)
            new = keys.except_(select(OUTBOX.c.key).where(OUTBOX.c.key >= low, OUTBOX.c.key < high)).exists()
        else:
            new = _new_rows(bulk).exists()
        parts.append(select(literal_column(str(i))).where(new))
    if not parts:
        return []
    found = {row[0] for row in session.connection().execute(union_all(*parts))}
    return [i in found for i in range(len(bulks))]


def _insert_select(bulk: BulkReminders, hashes: dict[str, str], *, dialect: str, not_before: datetime,  # noqa: ANN401
                   now: datetime) -> Any:
    """The INSERT … SELECT of the new rows of members ``:low``..``:high``, built once per source and offset.

    On SQLite it is a core ``INSERT OR IGNORE`` (the only writer holds the lock while the statement's own
    ``NOT EXISTS`` runs; OR IGNORE is the backstop) because SQLAlchemy caches the compiled form of that
    statement and not of the dialect's ``ON CONFLICT`` insert: recompiling it for every chunk cost more
    than SQLite's own work. PostgreSQL (several writers at once) uses ``ON CONFLICT (key) DO NOTHING``.
    The rows carry only their locale's content hash (`hashes`); the content is stored once."""
    assert bulk.contents
    d = _new_rows(bulk, bindparam("low", type_=Integer), bindparam("high", type_=Integer)).subquery("new")
    locales = list(bulk.contents)
    default = locales[0]

    def by_locale(values: dict[str, Any], type_: Any) -> Any:  # noqa: ANN401
        others = [(d.c.locale == loc, literal(values[loc], type_)) for loc in locales[1:]]
        return case(*others, else_=literal(values[default], type_)) if others else literal(values[default], type_)

    when_type = OUTBOX.c.next_attempt_at.type
    columns = ["key", "kind", "address", "channel", "member_id", "content", "content_hash", "status", "urgent",
               "attempts", "next_attempt_at", "broadcast_id", "created_at", "parts_sent", "batch_id"]
    rows = select(d.c.key, literal(bulk.kind, String), d.c.address, d.c.channel, d.c.member_id,
                  null(), by_locale(hashes, String), literal("pending", String),
                  literal(bulk.urgent, Boolean), literal(0, Integer), literal(not_before, when_type), null(),
                  literal(now, OUTBOX.c.created_at.type), literal(0, Integer), null()).where(d.c.key.is_not(None))
    if dialect == "sqlite":
        return insert(OUTBOX).prefix_with("OR IGNORE").from_select(columns, rows)
    # Counted by RETURNING: psycopg reports no row count for an INSERT … SELECT … ON CONFLICT.
    return (postgresql.insert(OUTBOX).from_select(columns, rows).on_conflict_do_nothing(index_elements=["key"])
            .returning(OUTBOX.c.id))


def _chunks(member_ids: list[int]) -> list[tuple[int, int]]:
    ids = sorted(set(member_ids))
    return [(ids[i], ids[min(i + CHUNK, len(ids)) - 1]) for i in range(0, len(ids), CHUNK)]


def scan_bulk_sources(db: Any, now: datetime, settings: Settings, report: Tally, *, not_before: datetime,  # noqa: ANN401
                      dry_run: bool = False) -> None:
    """Queue every new due reminder of the set-based sources (see the module's docstring)."""
    from bot.clock import db_now

    outcome = "waiting" if not_before > now else "queued"
    with db.read_session() as session:
        bulks = [bulk for source in BULK_SOURCES for bulk in source(session, now, settings)]
        if dry_run:
            for bulk in bulks:
                started = time.process_time()
                new = session.execute(select(func.count()).select_from(_new_rows(bulk).subquery())).scalar_one()
                total = session.execute(select(func.count()).select_from(bulk.due(None, None).subquery())).scalar_one()
                report.add(bulk.description, "would_send", new)
                report.add(bulk.description, "already", total - new)
                report.spent(bulk.description, time.process_time() - started)
            return
        started = time.process_time()
        # PostgreSQL: which have anything new, in one statement; SQLite answers each look in-process (no round
        # trip) through the key index, and a per-row card's new rows are read straight away.
        fresh = _with_new_keys(session, bulks) if db.engine.dialect.name == "postgresql" else None
        share = (time.process_time() - started) / max(len(bulks), 1)
        for bulk in bulks:
            report.spent(bulk.description, share)
        plans: list[tuple[BulkReminders, list[Any]]] = []
        member_chunks = None  # (lowest, highest) member id of each insert chunk, the same for every source
        for i, bulk in enumerate(bulks):
            started = time.process_time()
            if bulk.contents:
                # Is anything new? The first new row ends the search; the inserts then find the new rows
                # of each chunk of member ids themselves (reading them all here too cost a second full
                # evaluation of the due SELECT).
                if fresh is not None:
                    anything = fresh[i]
                else:
                    d = _new_rows(bulk).subquery()
                    anything = session.connection().execute(select(d.c.member_id).limit(1)).first() is not None
                if anything and member_chunks is None:
                    member_chunks = _chunks(session.connection().execute(
                        select(Member.id).where(Member.consent_at.is_not(None))).scalars().all())
                rows: list[Any] = member_chunks if anything and member_chunks else []
            else:
                rows = list(session.execute(_new_rows(bulk))) if fresh is None or fresh[i] else []
            if rows:
                plans.append((bulk, rows))
            report.spent(bulk.description, time.process_time() - started)
        rendered = []
        for bulk, rows in plans:
            started = time.process_time()
            rendered.append((bulk, rows, bulk.render(session, rows) if bulk.render else None))
            report.spent(bulk.description, time.process_time() - started)
    stamp = db_now()
    for bulk, rows, contents in rendered:
        started = time.process_time()
        _queue(db, bulk, rows, contents, report, outcome, not_before, stamp)
        report.spent(bulk.description, time.process_time() - started)


def _queue(db: Any, bulk: BulkReminders, rows: list[Any], contents: list | None, report: Tally,  # noqa: ANN401
           outcome: str, not_before: datetime, stamp: datetime) -> None:
    """Insert the new rows of one source and offset, a chunk per transaction. `rows`: the chunks of member
    ids (a content per locale), or the new rows read (a content per row, `contents`)."""
    from bot.outbox import content_hash, enqueue_many, outbox_row, share_contents

    if contents is None:
        dialect = db.engine.dialect.name
        hashes = {loc: content_hash(content) for loc, content in (bulk.contents or {}).items()}
        shared = {hashes[loc]: content for loc, content in (bulk.contents or {}).items()}
        stmt = _insert_select(bulk, hashes, dialect=dialect, not_before=not_before, now=stamp)
        for low, high in rows:  # the chunks of member ids
            with db.session() as session:
                share_contents(session, shared)
                result = session.connection().execute(stmt, {"low": low, "high": high})
                added = max(result.rowcount or 0, 0) if dialect == "sqlite" else len(result.all())
                report.add(bulk.description, outcome, added)
        return
    digests: dict[int, tuple[list, str]] = {}  # a member on two channels gets the same content object

    def digest(content: list) -> str:
        hit = digests.get(id(content))
        if hit is None or hit[0] is not content:
            hit = digests[id(content)] = (content, content_hash(content))
        return hit[1]

    for start in range(0, len(rows), CHUNK):
        part = [outbox_row(key=r.key, address=r.address, content=content, kind=bulk.kind, member_id=r.member_id,
                           urgent=bulk.urgent, not_before=not_before, now=stamp, digest=digest(content))
                for r, content in zip(rows[start:start + CHUNK], contents[start:start + CHUNK], strict=True)]
        with db.session() as session:
            report.add(bulk.description, outcome, enqueue_many(session, part, chunk=CHUNK))
