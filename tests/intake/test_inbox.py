"""The durable inbox in-process: accept is the de-duplication, a turn commits with its "turned" mark or
not at all, recovery takes expired events only (a member's together, in order), old rows are pruned."""
from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import text, update

from bot.intake.inbox import Inbox, LeaseLost, wall_now
from bot.intake.inbox_sql import InboxItem, message_from_json, message_to_json
from bot.messages import (
    Address,
    Attachment,
    Card,
    CardField,
    Choice,
    IncomingMessage,
    Reply,
    replies_from_json,
    replies_to_json,
)
from storage.models import ConversationState, ProcessedEvent
from tests.channels.helpers import eventually_async


def _item(key: str, address: str = "line:U1", text_: str = "สวัสดีค่ะ") -> InboxItem:
    msg = IncomingMessage(address=Address.parse(address), text=text_, event_id=key)
    return InboxItem(key, "line", address, {"msg": message_to_json(msg)})


def _status(runtime) -> dict[str, str]:
    with runtime.db.engine.connect() as conn:
        return dict(conn.execute(text("SELECT event_key, status FROM processed_events")).all())


def test_serialization_round_trips() -> None:
    msg = IncomingMessage(address=Address("line", "U1"), text="x", postback="go:menu", locale_hint="th",
                          attachments=(Attachment("image", fetch_ref="123", content_type="image/jpeg"),),
                          event_id="e", reply_token="t", received_at=wall_now(), kind="message", is_group=True,
                          display_name="สมศรี")
    assert message_from_json(message_to_json(msg)) == msg
    replies = [Reply(text="สวัสดี", choices=(Choice("เมนู", "go:menu"),)),
               Reply(card=Card(title="สรุป", fields=(CardField("ชื่อ", "ก"),), text="t",
                               buttons=(Choice("ยืนยัน", "yes"),), link_url="https://example.org"))]
    assert replies_from_json(replies_to_json(replies)) == replies


def test_accept_dedupes_and_marks_turned_atomically(runtime) -> None:
    inbox = Inbox(runtime.db, lease_seconds=30)

    async def go() -> tuple[set[str], set[str]]:
        first = await inbox.accept([_item("line:a"), _item("line:b"), _item("line:a")])
        again = await inbox.accept([_item("line:a"), _item("line:c")])
        return first, again

    first, again = asyncio.run(go())
    assert first == {"line:a", "line:b"} and again == {"line:c"}
    msg = IncomingMessage(address=Address("line", "U1"), text="สวัสดีค่ะ")
    out = runtime.engine.handle(msg, on_turn=lambda s, r: inbox.mark_turned(s, [("line:a", r)]))
    assert out and _status(runtime)["line:a"] == "turned"
    # another process took "line:b" over: our turn is rolled back entirely, without an apology
    with runtime.db.session() as s:
        s.exec(update(ProcessedEvent).where(ProcessedEvent.event_key == "line:b").values(claimed_by="other"))
    before = runtime.db.session
    with before() as s:
        state_before = s.get(ConversationState, "line:U2")
    try:
        runtime.engine.handle(IncomingMessage(address=Address("line", "U2"), text="สวัสดีค่ะ"),
                              on_turn=lambda s, r: inbox.mark_turned(s, [("line:b", r)]))
        raise AssertionError("LeaseLost expected")
    except LeaseLost:
        pass
    with runtime.db.session() as s:
        assert s.get(ConversationState, "line:U2") == state_before is None
    assert _status(runtime)["line:b"] == "pending"
    inbox.executor.shutdown()


def test_recovery_claims_only_expired_events_a_members_together_in_order(runtime) -> None:
    dead = Inbox(runtime.db, lease_seconds=30)
    live = Inbox(runtime.db, lease_seconds=30)
    got = []
    live.register("line", got.append, lambda: 0)

    async def go() -> int:
        await dead.accept([_item("line:1", "line:U1"), _item("line:2", "line:U2")])
        await dead.accept([_item("line:3", "line:U1", "ยินยอม")])
        await live.accept([_item("line:4", "line:U1")])
        n0 = await live.tick()  # nothing expired yet
        with runtime.db.session() as s:  # the dead process's lease runs out; line:2 is done already
            s.exec(update(ProcessedEvent).where(ProcessedEvent.claimed_by == dead.worker_id)
                   .values(claimed_until=wall_now() - timedelta(seconds=1)))
            s.exec(update(ProcessedEvent).where(ProcessedEvent.event_key == "line:2").values(status="done"))
        return n0 + await live.tick()

    assert asyncio.run(go()) == 2
    assert [(r.key, r.status, r.attempts) for r in got] == [("line:1", "pending", 2), ("line:3", "pending", 2)]
    assert message_from_json(got[1].payload["msg"]).text == "ยินยอม"
    for inbox in (dead, live):
        inbox.executor.shutdown()


def test_done_marks_and_pruning(runtime) -> None:
    inbox = Inbox(runtime.db, lease_seconds=30)

    async def go() -> None:
        await inbox.accept([_item("line:old"), _item("line:new")])
        inbox.finish("line:old")
        inbox.finish("line:new")
        await eventually_async(lambda: _status(runtime) == {"line:old": "done", "line:new": "done"}, "the done marks")

    asyncio.run(go())
    assert _status(runtime) == {"line:old": "done", "line:new": "done"}
    with runtime.db.session() as s:
        s.exec(update(ProcessedEvent).where(ProcessedEvent.event_key == "line:old")
               .values(done_at=wall_now() - timedelta(days=8)))
        row = s.get(ProcessedEvent, "line:new")
        assert row.payload is None and row.result is None  # nothing personal kept once done
    assert inbox.sql.prune() == 1
    assert _status(runtime) == {"line:new": "done"}
    inbox.executor.shutdown()


def _terminate(runtime, pids: list[int]) -> None:  # noqa: ANN001
    """What a PostgreSQL restart (or a firewall's idle timeout) does to connections at rest."""
    from sqlalchemy import create_engine

    other = create_engine(runtime.db.engine.url)
    with other.connect() as conn:
        for pid in pids:
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    other.dispose()


def test_connections_that_died_at_rest_are_replaced(runtime, monkeypatch) -> None:  # noqa: ANN001
    """A webhook after a quiet spell during which the database dropped the connections is still stored
    (no 503) and its turn still runs (no apology): rested connections are pinged before use."""
    import storage.db

    inbox = Inbox(runtime.db, lease_seconds=30)

    async def accept(key: str) -> set[str]:
        return await inbox.accept([_item(key)])

    assert asyncio.run(accept("line:before")) == {"line:before"}
    with runtime.db.session() as s:  # a pooled connection, now at rest
        pooled = s.connection().connection.dbapi_connection
    monkeypatch.setattr(storage.db, "PING_AFTER_IDLE", 0.0)  # "a while" has passed (the ping runs on SQLite too)
    if not runtime.db.is_sqlite:
        _terminate(runtime, [inbox.sql._raw.dbapi_connection.info.backend_pid, pooled.info.backend_pid])
    assert asyncio.run(accept("line:after")) == {"line:after"}
    out = runtime.engine.handle(IncomingMessage(address=Address("line", "U2"), text="สวัสดีค่ะ"))
    assert "PDPA" in "\n".join(r.text or "" for r in out)  # the welcome, not an apology
    assert _status(runtime) == {"line:before": "pending", "line:after": "pending"}
    inbox.executor.shutdown()
