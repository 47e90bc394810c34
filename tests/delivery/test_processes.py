"""Real processes: SIGKILL in the middle of a broadcast, and two processes sharing the work on PostgreSQL.

The delivery processes run `bot.scheduler.start` (what `khruakhai serve` runs) via `tests/delivery/worker.py`;
the fake LINE and Telegram servers run in this test process's threads.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlmodel import select

from bot import web_inbox
from storage.models import Broadcast, OutboxMessage
from tests.delivery.conftest import add_members

ROOT = Path(__file__).resolve().parents[2]
TG_IN_FLIGHT = 2  # Telegram messages in flight in the SIGKILL test: the most it may see sent twice


def _env(database_url, fake_line, fake_telegram, **delivery) -> dict[str, str]:  # noqa: ANN001
    url, schema = database_url
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DELIVERY_", "LINE_", "TELEGRAM_", "DATABASE_"))}
    env.update({"DATABASE_URL": url, "PYTHAINLP_READ_ONLY": "1", "PYTHONPATH": str(ROOT),
                "LINE_CHANNEL_SECRET": "test-line-channel-secret", "LINE_CHANNEL_ACCESS_TOKEN": fake_line.access_token,
                "LINE_API_BASE_URL": fake_line.url, "TELEGRAM_BOT_TOKEN": fake_telegram.token,
                "TELEGRAM_API_BASE_URL": fake_telegram.url, "DELIVERY_DRAIN_INTERVAL_SECONDS": "0.3",
                "DELIVERY_REMINDER_SCAN_SECONDS": "1", "DELIVERY_BROADCAST_CHECK_SECONDS": "1",
                "DELIVERY_LEASE_SECONDS": "3", "DELIVERY_RETRY_BASE_SECONDS": "0.05",
                "DELIVERY_RESCHEDULE_BASE_SECONDS": "0.2", "DELIVERY_RESCHEDULE_CAP_SECONDS": "1"})
    if schema:
        env["DATABASE_SCHEMA"] = schema
    env.update({f"DELIVERY_{k.upper()}": str(v) for k, v in delivery.items()})
    return env


def _start(env: dict[str, str], cwd: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "tests.delivery.worker", *args], env=env, cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _wait(predicate, timeout: float, procs=()) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        for p in procs:
            if p.poll() is not None:
                raise AssertionError(f"worker exited early:\n{p.stdout.read()}")
        time.sleep(0.1)
    raise AssertionError("timed out")


def _stop(*procs: subprocess.Popen) -> str:
    out = []
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        out.append(p.stdout.read() if p.stdout else "")
    return "\n".join(out)


def _statuses(rt) -> Counter:  # noqa: ANN001
    with rt.db.session() as s:
        return Counter(o.status for o in s.exec(select(OutboxMessage)))


def test_sigkill_mid_broadcast_then_restart_delivers_exactly_once(runtime, database_url, fake_line, fake_telegram,
                                                                  tmp_path) -> None:  # noqa: ANN001
    from tests.fakes.common import Faults

    runtime.clock.set(None)
    line = add_members(runtime, 2000, channel="line")
    tg = add_members(runtime, 40, channel="telegram", start=5000)
    web = add_members(runtime, 10, channel="web", start=6000)
    fake_line.faults = Faults(fail_500=0.05, accept_then_500=0.1, seed=11)  # accepted-then-500: the key matters
    with runtime.db.session() as s:
        s.add(Broadcast(text="ขอเชิญร่วมอบรมผู้บริหารองค์กรสาธารณประโยชน์ รุ่นที่ ๔",
                        audience={"name": "province", "param": "*"}))
    # slow enough to be killed in the middle: 100 multicasts of 20 at 20/s, Telegram 10/s
    env = _env(database_url, fake_line, fake_telegram, line_multicast_size=20, line_multicast_rate=20,
               line_multicast_burst=1, claim_line=200, telegram_rate=10, telegram_in_flight=TG_IN_FLIGHT)
    first = _start(env, tmp_path)
    _wait(lambda: len(fake_line.deliveries) >= 600 and len(fake_telegram.deliveries) >= 5, 60, [first])
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    before = len(fake_line.deliveries)
    assert before < 2000, "the broadcast finished before the kill; slow it down"
    second = _start(env, tmp_path)
    try:
        _wait(lambda: _statuses(runtime) == Counter({"delivered": 2050}), 90, [second])
    finally:
        log = _stop(second)
    line_counts = Counter(d["to"] for d in fake_line.deliveries)
    assert all(line_counts[a[5:]] == 1 for a in line), [a for a in line if line_counts[a[5:]] != 1][:5]
    assert sum(line_counts.values()) == 2000
    assert any(c["status"] == 409 for c in fake_line.calls), "no batch was re-sent with its stored key"
    with runtime.db.session() as s:
        for a in web:
            assert len(web_inbox.take(s, address=a)) == 1
    tg_counts = Counter(d["chat_id"] for d in fake_telegram.deliveries)
    assert all(tg_counts[int(a[9:])] >= 1 for a in tg), "a Telegram member was missed"
    # Telegram has no idempotency key: a message sent and not yet committed when the process dies is sent
    # again. At most DELIVERY_TELEGRAM_IN_FLIGHT messages are in that state at any instant (the sender's
    # gate is held from the request until the delivered mark is committed), so at most that many
    # duplicates, each at most once; never a whole claim (leases are renewed while a process works).
    dup = sum(n - 1 for n in tg_counts.values())
    print(f"SIGKILL: {before} LINE deliveries before the kill; Telegram sent twice: {dup}")
    assert dup <= TG_IN_FLIGHT and max(tg_counts.values()) <= 2, (dup, log)
    with runtime.db.session() as s:
        b = s.exec(select(Broadcast)).one()
        assert (b.status, b.total, b.delivered) == ("done", 2050, 2050)


def test_two_processes_on_postgresql_share_broadcast_and_reminders(runtime, database_url, fake_line, fake_telegram,
                                                                   tmp_path) -> None:  # noqa: ANN001
    if database_url[1] is None:
        pytest.skip("several processes need PostgreSQL (SQLite: one process, see docs/delivery.md)")
    runtime.clock.set(None)
    line = add_members(runtime, 1500, channel="line")
    tg = add_members(runtime, 30, channel="telegram", start=5000)
    web = add_members(runtime, 20, channel="web", start=6000)
    n = 1550
    with runtime.db.session() as s:
        s.add(Broadcast(text="ประชุมใหญ่เครือข่ายประจำปี", audience={"name": "province", "param": "*"}))
    env = _env(database_url, fake_line, fake_telegram, line_multicast_size=25, line_multicast_rate=40,
               line_multicast_burst=1, claim_line=100)
    procs = [_start(env, tmp_path, "--with-source"), _start(env, tmp_path, "--with-source")]
    try:
        _wait(lambda: _statuses(runtime) == Counter({"delivered": 2 * n}), 120, procs)
    finally:
        log = _stop(*procs)
    line_counts = Counter(d["to"] for d in fake_line.deliveries)
    assert all(line_counts[a[5:]] == 2 for a in line), log  # the announcement and the reminder, once each
    tg_counts = Counter(d["chat_id"] for d in fake_telegram.deliveries)
    assert all(tg_counts[int(a[9:])] == 2 for a in tg), log
    with runtime.db.session() as s:
        for a in web:
            assert len(web_inbox.take(s, address=a)) == 2
        workers = {o.claimed_by.rsplit(":", 2)[1] for o in s.exec(select(OutboxMessage)) if o.claimed_by}
    assert len(workers) == 2, "both processes should have delivered part of the work"
