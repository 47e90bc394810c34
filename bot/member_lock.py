"""One turn at a time per member address, across server processes (PostgreSQL).

A turn's transaction first takes a transaction-level advisory lock on each address it serves, before the
conversation state is read; the lock is held until the commit. A second turn of the same member (a quick
second message that another server process took) waits, then reads what the first one saved instead of
overwriting it, and two first messages no longer both insert the new conversation. SQLite needs none:
one process, one writer at a time. The order of a member's turns across processes is kept by the inbox
(`Inbox.mark_turned`, `OlderFirst`); see docs/channels.md.
"""
from __future__ import annotations

import hashlib
from collections.abc import Sequence

from sqlalchemy import text
from sqlmodel import Session

from bot.messages import IncomingMessage

# Keys in ascending order, so two batches never deadlock (PostgreSQL ≥ 9.6 evaluates a volatile function of
# the select list after the ORDER BY).
_LOCK = text("SELECT pg_advisory_xact_lock(k) FROM unnest(CAST(:keys AS bigint[])) AS k ORDER BY k")


def member_lock_key(address: str) -> int:
    """The advisory lock key of an address: 64 bits of its BLAKE2 hash, as a signed bigint."""
    return int.from_bytes(hashlib.blake2b(address.encode(), digest_size=8).digest(), "big", signed=True)


def lock_members(session: Session, messages: Sequence[IncomingMessage]) -> None:
    if session.get_bind().dialect.name != "postgresql":
        return
    session.execute(_LOCK, {"keys": sorted({member_lock_key(str(m.address)) for m in messages})})
