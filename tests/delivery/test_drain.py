"""The drain against the fake LINE and Telegram servers: batching, retry keys, faults, crashes, leases."""
from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

import pytest
from sqlmodel import select

from bot.delivery import Drainer, drain_once
from bot.messages import Reply
from bot.outbox import enqueue
from storage.models import Broadcast, DeliveryBatch, MemberIdentity, OutboxMessage
from tests.delivery.conftest import PER_CHAT_GAP, add_members, on_real_time


def _broadcast(rt, text: str = "ประชุมเครือข่าย", **audience) -> int:  # noqa: ANN001
    with rt.db.session() as s:
        b = Broadcast(text=text, audience=audience or {"name": "province", "param": "*"})
        s.add(b)
        s.flush()
        return b.id


def _statuses(rt, model=OutboxMessage) -> dict[str, int]:  # noqa: ANN001
    """How many rows of `model` (outbox messages, or LINE batches) are in each status."""
    with rt.db.session() as s:
        return dict(Counter(row.status for row in s.exec(select(model))))


def test_enqueue_is_idempotent(wired) -> None:  # noqa: ANN001
    with wired.db.session() as s:
        assert enqueue(s, key="k1", address="web:a", replies=[Reply(text="x")], kind="notice") is True
        assert enqueue(s, key="k1", address="web:a", replies=[Reply(text="y")], kind="notice") is False
    with wired.db.session() as s:
        assert len(s.exec(select(OutboxMessage)).all()) == 1


def test_multicast_batches_of_500_with_stored_retry_keys(wired, fake_line, cfg) -> None:  # noqa: ANN001
    line = add_members(wired, 1001, channel="line")
    _broadcast(wired)
    drain_once(wired, cfg)
    calls = fake_line.calls_to("multicast")
    assert sorted(len(c["body"]["to"]) for c in calls) == [500, 500]
    assert len(fake_line.calls_to("pushMessage")) == 1  # the one left over: a multicast needs two ids or more
    assert all(len(fake_line.messages_to(a[5:])) == 1 for a in line)
    with wired.db.session() as s:
        batches = s.exec(select(DeliveryBatch)).all()
        keys = {k for b in batches for k in b.retry_keys}
    assert {c["retry_key"] for c in fake_line.calls if c["operation"] in ("multicast", "pushMessage")} == keys
    assert _statuses(wired) == {"delivered": 1001}


def test_line_faults_retry_without_duplicates(wired, fake_line, cfg) -> None:  # noqa: ANN001
    from tests.fakes.common import Faults

    line = add_members(wired, 3000, channel="line")
    fake_line.faults = Faults(fail_429=0.2, fail_500=0.2, accept_then_500=0.2, seed=7)
    _broadcast(wired)
    for _ in range(5):
        drain_once(wired, cfg)
        if _statuses(wired) == {"delivered": 3000}:
            break
    assert _statuses(wired) == {"delivered": 3000}
    assert all(len(fake_line.messages_to(a[5:])) == 1 for a in line)
    assert any(c["status"] == 409 for c in fake_line.calls)  # accepted-then-500 came back as 409


def test_crash_after_line_accepted_is_not_sent_twice(wired, fake_line, cfg, monkeypatch) -> None:  # noqa: ANN001
    """The process dies after LINE accepted the batch but before it recorded that: after the lease the
    batch is reclaimed and re-sent with the same key; LINE answers 409 and nothing is sent twice."""
    line = add_members(wired, 700, channel="line")
    _broadcast(wired)

    def crash(self, session, results):  # noqa: ANN001, ANN202
        raise RuntimeError("killed")

    monkeypatch.setattr(Drainer, "_record_line", crash)
    drain_once(wired, cfg)
    assert all(len(fake_line.messages_to(a[5:])) == 1 for a in line)
    assert _statuses(wired) == {"sending": 700} and _statuses(wired, DeliveryBatch) == {"sending": 2}
    monkeypatch.undo()
    drain_once(wired, cfg)  # the lease has not run out: nothing is taken
    assert _statuses(wired) == {"sending": 700} and _statuses(wired, DeliveryBatch) == {"sending": 2}
    wired.clock.set(wired.clock.now() + timedelta(seconds=cfg.lease_seconds + 1))
    drain_once(wired, cfg)
    assert _statuses(wired) == {"delivered": 700}
    assert all(len(fake_line.messages_to(a[5:])) == 1 for a in line)
    assert [c["status"] for c in fake_line.calls[-2:]] == [409, 409]


def test_other_4xx_fails_with_the_reason(wired, fake_line, cfg) -> None:  # noqa: ANN001
    fake_line.allow_violations("recipient")  # a malformed id, on purpose
    with wired.db.session() as s:
        enqueue(s, key="bad", address="line:Unot-a-valid-id", replies=[Reply(text="x")], kind="notice")
    drain_once(wired, cfg)
    with wired.db.session() as s:
        row = s.exec(select(OutboxMessage)).one()
    assert row.status == "failed" and "400" in row.last_error and row.attempts == 1
    assert len(fake_line.calls_to("pushMessage")) == 1  # not retried


def test_telegram_blocked_is_unreachable(wired, fake_telegram, cfg) -> None:  # noqa: ANN001
    tg = add_members(wired, 3, channel="telegram")
    fake_telegram.block(int(tg[0][9:]))
    bid = _broadcast(wired)
    drain_once(wired, cfg)
    with wired.db.session() as s:
        assert s.exec(select(MemberIdentity).where(MemberIdentity.address == tg[0])).one().reachable is False
        assert {o.address: o.status for o in s.exec(select(OutboxMessage))} == {
            tg[0]: "unreachable", tg[1]: "delivered", tg[2]: "delivered"}
        b = s.get(Broadcast, bid)
        assert (b.status, b.delivered, b.unreachable) == ("done", 2, 1)


def test_telegram_rate_limits_respected(wired, fake_telegram, cfg) -> None:  # noqa: ANN001
    """The fake answers 429 to anything faster than its limits (30 messages/s overall, one at a time per
    chat); it never has to. The per-chat limit is one per 0.1 s here instead of Telegram's one per
    second, with the bot's chat interval configured to match (tests/delivery/conftest.py), so the test
    does not sit through seconds of gaps."""
    fake_telegram.rate_limits = True
    fake_telegram.per_chat_rate = 1 / PER_CHAT_GAP
    fake_telegram.reset()
    tg = add_members(wired, 40, channel="telegram")
    # four reminders to one chat and one message to each of 40 chats (more than the fake's burst of 30),
    # in one pass of one sender: the chat's own pacing spaces the first chat's five messages, the bot's
    # overall rate the rest (a second pass would start a fresh sender that knows no earlier gap)
    with wired.db.session() as s:
        for i in range(4):
            enqueue(s, key=f"r{i}", address=tg[0], replies=[Reply(text=f"เตือน {i}")], kind="reminder")
    _broadcast(wired)
    drain_once(wired, cfg)
    assert [t for t in fake_telegram.texts_to(int(tg[0][9:])) if t.startswith("เตือน")] == \
        [f"เตือน {i}" for i in range(4)]
    assert len(fake_telegram.texts_to(int(tg[0][9:]))) == 5
    assert _statuses(wired) == {"delivered": 44}
    assert [(c["status"], c.get("params", {}).get("chat_id")) for c in fake_telegram.calls
            if c["status"] != 200] == []


def test_telegram_retry_after_is_honoured(wired, fake_telegram, cfg) -> None:  # noqa: ANN001
    from tests.fakes.common import Faults

    tg = add_members(wired, 20, channel="telegram")
    fake_telegram.faults = Faults(fail_429=0.3, fail_500=0.1, seed=3)
    _broadcast(wired)
    drain_once(wired, cfg)
    assert _statuses(wired) == {"delivered": 20}
    assert all(len(fake_telegram.messages_to(int(a[9:]))) == 1 for a in tg)
    assert any(c["status"] == 429 for c in fake_telegram.calls)
    # a chat that got a 429 (retry_after 1) was not tried again within that second: the fake records
    # an early retry as a violation (and the fixture would fail the test on it too)
    assert fake_telegram.violations == []


def test_multi_part_telegram_message_resumes_after_crash(wired, fake_telegram, cfg, monkeypatch) -> None:  # noqa: ANN001
    """A long message is several sendMessage calls; parts already answered are not sent again."""
    tg = add_members(wired, 1, channel="telegram")
    long_text = ("บรรทัดยาวมาก " * 400 + "\n") * 3  # > 4096 characters: split in parts
    with wired.db.session() as s:
        enqueue(s, key="long", address=tg[0], replies=[Reply(text=long_text)], kind="notice")
    from bot.channels.telegram import TelegramBulkSender

    real = TelegramBulkSender._call
    count = {"n": 0}

    async def flaky(self, chat_id, payload, **kw):  # noqa: ANN001, ANN202
        count["n"] += 1
        if count["n"] == 2:
            raise RuntimeError("killed after the first part")
        return await real(self, chat_id, payload, **kw)

    monkeypatch.setattr(TelegramBulkSender, "_call", flaky)
    drain_once(wired, cfg)
    assert len(fake_telegram.messages_to(int(tg[0][9:]))) == 1
    wired.clock.set(wired.clock.now() + timedelta(seconds=cfg.lease_seconds + 1))
    drain_once(wired, cfg)
    from bot.channels.telegram_format import to_telegram_messages

    parts = fake_telegram.texts_to(int(tg[0][9:]))
    assert _statuses(wired) == {"delivered": 1}
    assert len(parts) == len(to_telegram_messages([Reply(text=long_text)])) >= 2


def test_unfollowed_member_is_not_sent(wired, fake_line, cfg) -> None:  # noqa: ANN001
    line = add_members(wired, 2, channel="line")
    _broadcast(wired)
    from bot.broadcast_expand import prepare_due_broadcasts

    prepare_due_broadcasts(wired)
    with wired.db.session() as s:
        ident = s.exec(select(MemberIdentity).where(MemberIdentity.address == line[0])).one()
        ident.reachable = False
        s.add(ident)
    drain_once(wired, cfg)
    assert fake_line.messages_to(line[0][5:]) == [] and len(fake_line.messages_to(line[1][5:])) == 1
    assert _statuses(wired) == {"unreachable": 1, "delivered": 1}


def test_gives_up_after_max_attempts(wired, fake_line, cfg) -> None:  # noqa: ANN001
    from tests.fakes.common import Faults

    add_members(wired, 2, channel="line")
    fake_line.faults = Faults(fail_500=1.0)
    cfg.max_attempts = 2
    cfg.inline_retries = 1
    _broadcast(wired)
    for _ in range(3):
        drain_once(wired, cfg)
    with wired.db.session() as s:
        rows = s.exec(select(OutboxMessage)).all()
    assert {r.status for r in rows} == {"failed"} and all("gave up" in r.last_error for r in rows)
    assert fake_line.deliveries == []


def test_scheduled_broadcast_waits_for_its_time(wired, cfg) -> None:  # noqa: ANN001
    from bot.outbox import create_broadcast

    add_members(wired, 2, channel="web")
    with wired.db.session() as s:
        create_broadcast(s, text="ประกาศล่วงหน้า", audience={"name": "province", "param": "*"}, scope_province=None,
                         scheduled_at=wired.clock.now() + timedelta(hours=2))
    drain_once(wired, cfg)
    assert _statuses(wired) == {}
    wired.clock.set(wired.clock.now() + timedelta(hours=2))
    drain_once(wired, cfg)
    assert _statuses(wired) == {"delivered": 2}


@pytest.mark.asyncio
async def test_scheduler_starts_and_stops(wired, fake_line) -> None:  # noqa: ANN001
    from bot import scheduler
    from bot.config import DeliveryConfig

    add_members(wired, 3, channel="line")
    on_real_time(wired)  # the scheduler runs on real time
    _broadcast(wired)
    stop = scheduler.start(wired, DeliveryConfig(_env_file=None, drain_interval_seconds=0.2))
    try:
        for _ in range(100):
            await asyncio.sleep(0.1)
            if await asyncio.to_thread(_statuses, wired) == {"delivered": 3}:
                break
    finally:
        await stop()
    assert _statuses(wired) == {"delivered": 3}


def test_telegram_in_flight_is_bounded_until_committed(wired, fake_telegram, cfg, monkeypatch) -> None:  # noqa: ANN001
    """A Telegram message counts as in flight from its request until its delivered mark is committed;
    never more than `telegram_in_flight` at once — the most a crash can send twice."""
    import threading
    import time

    tg = add_members(wired, 30, channel="telegram")
    _broadcast(wired)
    cfg.telegram_in_flight, cfg.telegram_rate, cfg.telegram_burst = 2, 1000.0, 50.0
    lock = threading.Lock()
    state = {"live": 0, "max": 0}
    real_finish = Drainer._finish_row

    def finish(self, session, row, outcome, parts):  # noqa: ANN001, ANN202
        time.sleep(0.02)  # a slow commit: the next messages must wait for it, not pile up
        real_finish(self, session, row, outcome, parts)
        session.flush()
        with lock:
            state["live"] -= 1

    from bot.intake.http import HttpClient

    real_post = HttpClient.post_json

    async def post(self, url, *a, **k):  # noqa: ANN001, ANN002, ANN003, ANN202
        if str(url).endswith("/sendMessage"):
            with lock:
                state["live"] += 1
                state["max"] = max(state["max"], state["live"])
        return await real_post(self, url, *a, **k)

    monkeypatch.setattr(Drainer, "_finish_row", finish)
    monkeypatch.setattr(HttpClient, "post_json", post)
    drain_once(wired, cfg)
    assert _statuses(wired) == {"delivered": 30}
    assert all(len(fake_telegram.messages_to(int(a[9:]))) == 1 for a in tg)
    assert 1 <= state["max"] <= 2, state
