"""Real processes: SIGKILL in the middle of a broadcast, and two processes sharing the work on PostgreSQL.

The processes are the real server, `python -m bot.cli serve --host 127.0.0.1 --port <free> --no-migrate`,
with its scheduler (the reminder scan, the outbox drain, scheduled broadcasts) and its LINE and Telegram
channels (Telegram in webhook mode: `getMe` at start, no polling) pointed at the fake LINE and Telegram
servers, which run in this test process's threads. A process is ready when `GET /healthz` answers 200.
Quiet hours are switched off (QUIET_HOURS_START = QUIET_HOURS_END), so the tests run at any hour.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from bot import web_inbox
from bot.clock import BANGKOK
from storage.models import Broadcast, Member, MemberIdentity, OutboxMessage
from storage.repositories import reports as reports_repo
from tests.delivery.conftest import add_members

ROOT = Path(__file__).resolve().parents[2]
TG_IN_FLIGHT = 2  # Telegram messages in flight in the SIGKILL test: the most it may see sent twice
ANNOUNCEMENT = "ประชุมใหญ่เครือข่ายประจำปี"  # the two-process test's broadcast
DEADLINE = "รายงานผลการดำเนินงานประจำไตรมาส"  # and its report deadline
_OURS = ("DELIVERY_", "LINE_", "TELEGRAM_", "DATABASE_", "QUIET_HOURS_", "SCHEDULER_", "SEED_", "BOT_")


def _env(database_url, fake_line, fake_telegram, **delivery) -> dict[str, str]:  # noqa: ANN001
    url, schema = database_url
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith(_OURS)}
    env.update({"DATABASE_URL": url, "PYTHAINLP_READ_ONLY": "1", "PYTHONPATH": str(ROOT),
                "SCHEDULER_ENABLED": "true", "SEED_DEMO": "false", "BOT_TIMEZONE": "Asia/Bangkok",
                "QUIET_HOURS_START": "0", "QUIET_HOURS_END": "0",  # equal = no quiet hours: any time of day
                "SECRET_KEY": "test-secret-key-for-the-process-tests",
                "LINE_CHANNEL_SECRET": "test-line-channel-secret", "LINE_CHANNEL_ACCESS_TOKEN": fake_line.access_token,
                "LINE_API_BASE_URL": fake_line.url, "LINE_DATA_API_BASE_URL": fake_line.data_url,
                "TELEGRAM_BOT_TOKEN": fake_telegram.token, "TELEGRAM_API_BASE_URL": fake_telegram.url,
                "TELEGRAM_WEBHOOK_SECRET": "test-telegram-webhook-secret", "TELEGRAM_POLLING": "false",
                "DELIVERY_DRAIN_INTERVAL_SECONDS": "0.3",
                "DELIVERY_REMINDER_SCAN_SECONDS": "1", "DELIVERY_BROADCAST_CHECK_SECONDS": "1",
                "DELIVERY_LEASE_SECONDS": "3", "DELIVERY_RETRY_BASE_SECONDS": "0.05",
                "DELIVERY_RESCHEDULE_BASE_SECONDS": "0.2", "DELIVERY_RESCHEDULE_CAP_SECONDS": "1"})
    if schema:
        env["DATABASE_SCHEMA"] = schema
    env.update({f"DELIVERY_{k.upper()}": str(v) for k, v in delivery.items()})
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    proc: subprocess.Popen
    port: int
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def check_alive(self) -> None:
        if self.proc.poll() is not None:
            raise AssertionError(f"serve exited early ({self.proc.returncode}):\n{self.output()}")


def _serve(env: dict[str, str], cwd: Path, name: str) -> Server:
    """Start `khruakhai serve` in its own process group; its output goes to a file (a pipe nobody reads
    would fill up and stall the server)."""
    port = _free_port()
    log = cwd / f"{name}.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
                                 "--no-migrate"], env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    return Server(proc, port, log)


def _ready(*servers: Server, timeout: float = 60) -> float:
    """Wait until every server answers GET /healthz with 200 (its scheduler and channels have started);
    returns the seconds waited."""
    started = time.monotonic()
    deadline = started + timeout
    for server in servers:
        while True:
            server.check_alive()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/healthz", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"serve on port {server.port} not ready:\n{server.output()}")
            time.sleep(0.1)
    return time.monotonic() - started


def _wait(predicate, timeout: float, servers=()) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        for s in servers:
            s.check_alive()
        time.sleep(0.1)
    raise AssertionError("timed out:\n" + "\n".join(s.output()[-5000:] for s in servers))


def _kill(server: Server) -> None:
    os.killpg(server.proc.pid, signal.SIGKILL)  # the whole process group: nothing of it survives
    server.proc.wait(timeout=10)


def _stop(*servers: Server) -> str:
    for s in servers:
        if s.proc.poll() is None:
            os.killpg(s.proc.pid, signal.SIGTERM)
    for s in servers:
        try:
            s.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(s.proc.pid, signal.SIGKILL)
            s.proc.wait(timeout=5)
    return "\n".join(s.output() for s in servers)


def _statuses(rt) -> Counter:  # noqa: ANN001
    with rt.db.session() as s:
        return Counter(o.status for o in s.exec(select(OutboxMessage)))


def _webhook_mode(fake_telegram) -> None:  # noqa: ANN001
    """The Telegram channel started (getMe) and stayed in webhook mode (no polling, webhook untouched)."""
    methods = Counter(c["method"] for c in fake_telegram.calls)
    assert methods["getMe"] >= 1, methods
    assert not {"getUpdates", "deleteWebhook", "setWebhook"} & set(methods), methods


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
    first = _serve(env, tmp_path, "first")
    try:
        _ready(first)
        _wait(lambda: len(fake_line.deliveries) >= 600 and len(fake_telegram.deliveries) >= 5, 60, [first])
    finally:
        if first.proc.poll() is None:
            _kill(first)  # SIGKILL: no shutdown, no lease released, answers in flight not committed
    before = len(fake_line.deliveries)
    assert before < 2000, "the broadcast finished before the kill; slow it down"
    second = _serve(env, tmp_path, "second")
    try:
        restart = _ready(second)
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
    print(f"SIGKILL: {before} LINE deliveries before the kill; restarted server ready in {restart:.1f} s; "
          f"Telegram sent twice: {dup}")
    assert dup <= TG_IN_FLIGHT and max(tg_counts.values()) <= 2, (dup, log)
    with runtime.db.session() as s:
        b = s.exec(select(Broadcast)).one()
        assert (b.status, b.total, b.delivered) == ("done", 2050, 2050)
    _webhook_mode(fake_telegram)


def test_two_processes_on_postgresql_share_broadcast_and_reminders(runtime, database_url, fake_line, fake_telegram,
                                                                   tmp_path) -> None:  # noqa: ANN001
    if database_url[1] is None:
        pytest.skip("several processes need PostgreSQL (SQLite: one process, see docs/delivery.md)")
    runtime.clock.set(None)  # the servers run on real time too
    line = add_members(runtime, 1500, channel="line")
    tg = add_members(runtime, 30, channel="telegram", start=5000)
    web = add_members(runtime, 20, channel="web", start=6000)
    reported = add_members(runtime, 10, channel="line", start=7000)  # their organizations have submitted
    n = len(line) + len(tg) + len(web)
    # A report deadline a week from today (Bangkok): the 7-day reminder is the one due now, and still the
    # one due should the test cross midnight (6 days left). It goes to every member of an organization
    # that has not submitted (bot/report_notify.py), once: key reminder:deadline:<id>:member:<id>:7d.
    today = datetime.now(BANGKOK).date()
    with runtime.db.session() as s:
        deadline = reports_repo.create_deadline(s, title=DEADLINE, due_date=today + timedelta(days=7))
        deadline_id = deadline.id
        for ident in s.exec(select(MemberIdentity)).all():
            if ident.address not in reported:
                continue
            member = s.get(Member, ident.member_id)
            report = reports_repo.start_report(s, organization_id=member.organization_id, deadline_id=deadline_id,
                                               member_id=member.id)
            reports_repo.submit(s, report=report, member_id=member.id)
        s.add(Broadcast(text=ANNOUNCEMENT, audience={"name": "province", "param": "*"}))
    env = _env(database_url, fake_line, fake_telegram, line_multicast_size=25, line_multicast_rate=40,
               line_multicast_burst=1, claim_line=100)
    servers = [_serve(env, tmp_path, "a"), _serve(env, tmp_path, "b")]
    try:
        print(f"two servers ready in {_ready(*servers):.1f} s")
        # the announcement to everyone, the reminder to everyone who has not reported
        _wait(lambda: _statuses(runtime) == Counter({"delivered": 2 * n + len(reported)}), 120, servers)
    finally:
        log = _stop(*servers)[-5000:]
    # one LINE call per outbox row (text + card of the reminder go together): per member, calls by content
    line_calls: dict[str, dict[str, str]] = {}
    for d in fake_line.deliveries:
        text = json.dumps(d["message"], ensure_ascii=False)
        what = "announcement" if ANNOUNCEMENT in text else "reminder" if DEADLINE in text else "other"
        line_calls.setdefault(d["to"], {})[d["request_id"]] = what
    for a in line:
        assert Counter(line_calls.get(a[5:], {}).values()) == {"announcement": 1, "reminder": 1}, (a, log)
    for a in reported:
        assert Counter(line_calls.get(a[5:], {}).values()) == {"announcement": 1}, (a, log)
    # Telegram: one sendMessage per message (the reminder is its text and its card); none twice
    tg_texts: dict[int, Counter] = {}
    for d in fake_telegram.deliveries:
        tg_texts.setdefault(d["chat_id"], Counter())[d["text"]] += 1
    for a in tg:
        texts = tg_texts.get(int(a[9:]), Counter())
        assert max(texts.values(), default=0) == 1, (a, texts)
        assert sum(ANNOUNCEMENT in t for t in texts) == 1 and any(DEADLINE in t for t in texts), (a, texts)
    with runtime.db.session() as s:
        for a in web:
            texts = [r.text or "" for r in web_inbox.take(s, address=a)]
            assert len(texts) == 2 and sum(ANNOUNCEMENT in t for t in texts) == 1 \
                and sum(DEADLINE in t for t in texts) == 1, (a, texts)
        member_of = {i.address: i.member_id for i in s.exec(select(MemberIdentity))}
        rows = list(s.exec(select(OutboxMessage)))
    reminders = sorted(o.key for o in rows if o.key.startswith("reminder:"))
    assert reminders == sorted(f"reminder:deadline:{deadline_id}:member:{member_of[a]}:7d" for a in line + tg + web)
    workers = {o.claimed_by.rsplit(":", 2)[1] for o in rows if o.claimed_by}
    assert len(workers) == 2, "both processes should have delivered part of the work"
    _webhook_mode(fake_telegram)
