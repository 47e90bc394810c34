"""Engine turns in batches (`Engine.handle_many`, `bot.intake.turns.TurnBatcher`): a member cannot tell
whether their message shared a transaction with others — same replies, same saved state — and one
failing turn does not take the others down with it."""
from __future__ import annotations

import asyncio

from sqlalchemy import text, update

from bot.intake.inbox import Inbox, LeaseLost
from bot.intake.inbox_sql import InboxItem, message_to_json
from bot.intake.turns import TurnBatcher
from bot.engine import Engine
from bot.messages import Address, IncomingMessage
from bot.wiring import build
from storage.models import ConversationState, ProcessedEvent

SCRIPT = ["สวัสดีค่ะ", "ยินยอม", "มูลนิธิรักษ์น้ำน่าน", "ช่วยเหลือ", "ย้อนกลับ", "เมนู"]


def _msg(user: int, text_: str) -> IncomingMessage:
    return IncomingMessage(address=Address("line", f"U{user:032d}"), text=text_)


def _states(runtime) -> dict[str, tuple]:  # noqa: ANN001
    with runtime.db.session() as s:
        return {st.address: (st.flow, dict(st.data or {}), st.locale, st.greeted) for st in s.exec(
            __import__("sqlmodel").select(ConversationState))}


def _texts(replies) -> list[str]:  # noqa: ANN001
    return [r.text or (r.card.title if r.card else "") for r in replies]


def test_a_batch_gives_what_one_by_one_gives(runtime, settings, clock, tmp_path) -> None:  # noqa: ANN001
    other = build(settings.model_copy(update={"database_url": f"sqlite:///{tmp_path}/alone.db"}), clock=clock)
    from storage.migrate import upgrade

    upgrade(other.settings.database_url)
    users = range(1, 9)
    for line in SCRIPT:
        batch = runtime.engine.handle_many([_msg(u, line) for u in users])
        alone = [other.engine.handle(_msg(u, line)) for u in users]
        assert [_texts(r) for r in batch] == [_texts(r) for r in alone], line
        assert [[c.label for r in b for c in r.choices] for b in batch] == \
               [[c.label for r in a for c in r.choices] for a in alone]
    assert _states(runtime) == _states(other)
    assert len(_states(runtime)) == 8


def test_a_crashing_turn_gets_its_apology_and_the_others_their_replies(runtime, monkeypatch) -> None:  # noqa: ANN001
    real = Engine._turn

    def turn(self, ctx):  # noqa: ANN001, ANN202
        if ctx.msg.text == "พัง":
            ctx.state.flow = "half-done"  # changed, then the handler crashes: must not be saved
            raise RuntimeError("handler bug")
        return real(self, ctx)

    monkeypatch.setattr(Engine, "_turn", turn)
    out = runtime.engine.handle_many([_msg(1, "สวัสดีค่ะ"), _msg(2, "พัง"), _msg(3, "สวัสดีค่ะ")])
    assert "ขออภัย" in out[1][0].text and "half-done" not in str(_states(runtime))
    assert out[0] and out[2] and "ขออภัย" not in _texts(out[0])[0]
    assert set(_states(runtime)) == {str(_msg(1, "").address), str(_msg(3, "").address)}


def test_a_lost_lease_aborts_only_that_turn(runtime) -> None:  # noqa: ANN001
    inbox = Inbox(runtime.db, lease_seconds=30)
    msgs = [_msg(u, "สวัสดีค่ะ") for u in (1, 2, 3)]
    keys = [f"line:e{u}" for u in (1, 2, 3)]

    async def accept() -> None:
        await inbox.accept([InboxItem(k, "line", str(m.address), {"msg": message_to_json(m)})
                            for k, m in zip(keys, msgs)])

    asyncio.run(accept())
    with runtime.db.session() as s:  # another process took the second event over
        s.exec(update(ProcessedEvent).where(ProcessedEvent.event_key == keys[1]).values(claimed_by="other"))
    out = runtime.engine.handle_many(msgs, on_turns=lambda s, idx, r: inbox.mark_turned(
        s, [(keys[i], r[j]) for j, i in enumerate(idx)]))
    assert isinstance(out[1], LeaseLost) and out[0] and out[2] and not isinstance(out[0], LeaseLost)
    with runtime.db.engine.connect() as conn:
        status = dict(conn.execute(text("SELECT event_key, status FROM processed_events")).all())
    assert status == {keys[0]: "turned", keys[1]: "pending", keys[2]: "turned"}
    assert str(msgs[1].address) not in _states(runtime)
    inbox.executor.shutdown()


def test_waiting_turns_are_taken_together_and_each_gets_its_own_replies(runtime) -> None:  # noqa: ANN001
    inbox = Inbox(runtime.db, lease_seconds=30)
    batcher = TurnBatcher(runtime.engine, inbox.executor, inbox.mark_turned)
    n = 40
    msgs = [_msg(u, "สวัสดีค่ะ" if u % 2 else "เมนู") for u in range(n)]

    async def go() -> list:
        await inbox.accept([InboxItem(f"line:t{i}", "line", str(m.address), {"msg": message_to_json(m)})
                            for i, m in enumerate(msgs)])
        return await asyncio.gather(*(batcher.turn(m, f"line:t{i}") for i, m in enumerate(msgs)))

    out = asyncio.run(go())
    alone = build(runtime.settings, clock=runtime.clock)  # same database: compare with a fresh member
    expected_hello = _texts(alone.engine.handle(_msg(10_001, "สวัสดีค่ะ")))
    expected_menu = _texts(alone.engine.handle(_msg(10_002, "เมนู")))
    assert [_texts(r) for r in out] == [expected_hello if u % 2 else expected_menu for u in range(n)]
    assert batcher.stats["turns"] == n and batcher.stats["batches"] < n  # they did share transactions
    with runtime.db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM processed_events WHERE status = 'turned'")).scalar() == n
    inbox.executor.shutdown()


def test_a_busy_stream_of_turns_waits_to_share_a_transaction_and_a_lone_one_does_not(runtime, monkeypatch) -> None:  # noqa: ANN001
    """While messages keep coming, a turn waits `linger` for company (fewer, larger transactions); a
    message on a quiet server is answered at once."""
    import bot.intake.turns as turns_module

    # "keep coming" must not depend on how long a turn takes on this machine: any arrival after the first counts
    monkeypatch.setattr(turns_module, "BUSY_GAP", 60.0)
    inbox = Inbox(runtime.db, lease_seconds=30)
    batcher = TurnBatcher(runtime.engine, inbox.executor, inbox.mark_turned, linger=0.5)
    msgs = [_msg(u, "สวัสดีค่ะ") for u in range(6)]

    submitted: list[int] = []  # batches handed to the database thread, each by how many turns were waiting
    real_submit = batcher._submit
    monkeypatch.setattr(batcher, "_submit", lambda: (submitted.append(batcher.waiting()), real_submit())[1])

    async def go() -> list:
        await inbox.accept([InboxItem(f"line:s{i}", "line", str(m.address), {"msg": message_to_json(m)})
                            for i, m in enumerate(msgs)])
        lone = asyncio.ensure_future(batcher.turn(msgs[0], "line:s0"))  # the first message in a while
        await asyncio.sleep(0)  # the turn has run up to waiting for its batch
        assert submitted == [1]  # handed over at once, not held back by the linger
        first = await lone
        await asyncio.sleep(0.05)  # the database thread has finished that batch's bookkeeping: it is idle
        tasks = []
        for i in range(1, 6):  # then a stream: each arrives 5 ms after the one before
            tasks.append(asyncio.ensure_future(batcher.turn(msgs[i], f"line:s{i}")))
            await asyncio.sleep(0.005)
        return [first, *await asyncio.gather(*tasks)]

    out = asyncio.run(go())
    assert all(r and r[0].text for r in out)
    # the stream's first turn waited for the other four and they shared its transaction (without the
    # linger it would have started at once, alone, and at least one more batch would follow)
    assert batcher.stats == {"turns": 6, "batches": 2}
    with runtime.db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM processed_events WHERE status = 'turned'")).scalar() == 6
    inbox.executor.shutdown()
