"""The due-reminders scan: exactly once per key, quiet hours, opt-out, dry run, catch-up; the CLI."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from bot import reminders
from bot.clock import BANGKOK
from bot.delivery import drain_once
from bot.messages import Reply
from bot.reminders import DueReminder, send_due_reminders
from storage.models import Member, MemberIdentity, OutboxMessage
from tests.delivery.conftest import add_members, on_real_time

DEADLINE = datetime(2026, 11, 27, 17, 0, tzinfo=BANGKOK)


@pytest.fixture
def source():  # noqa: ANN201
    """A reminder source like the reports capability will register: every member, 2 days before."""

    def due(session, now, settings):  # noqa: ANN001, ANN202
        if now < DEADLINE - timedelta(days=2) or now > DEADLINE:
            return []
        rows = session.exec(select(Member.id, MemberIdentity.address).join(
            MemberIdentity, MemberIdentity.member_id == Member.id)).all()
        for mid, address in rows:
            yield DueReminder(key=f"reminder:deadline:1:member:{mid}:-2d", address=address, member_id=mid,
                              replies=(Reply(text="อย่าลืมส่งรายงานผลการดำเนินงานภายในวันศุกร์"),),
                              description=f"deadline 1, member {mid}")
            yield DueReminder(key=f"reminder:news:1:member:{mid}", address=address, member_id=mid,
                              replies=(Reply(text="ข่าวสารทั่วไป"),), about_own_obligation=False,
                              description="general news")

    reminders.SOURCES.append(due)
    yield due
    reminders.SOURCES.remove(due)


def _rows(rt) -> list[OutboxMessage]:  # noqa: ANN001
    with rt.db.session() as s:
        return list(s.exec(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_scan_twice_sends_once(wired, source, cfg) -> None:  # noqa: ANN001
    add_members(wired, 3, channel="web")
    now = DEADLINE - timedelta(days=1)
    first = send_due_reminders(wired, now)
    second = send_due_reminders(wired, now + timedelta(minutes=1))
    assert first.count("queued") == 6 and second.count("already") == 6
    assert len(_rows(wired)) == 6


def test_catch_up_after_downtime(wired, source) -> None:  # noqa: ANN001
    add_members(wired, 2, channel="web")
    send_due_reminders(wired, DEADLINE - timedelta(days=3))  # not due yet
    assert _rows(wired) == []
    send_due_reminders(wired, DEADLINE - timedelta(hours=5))  # the server was down for days
    assert len(_rows(wired)) == 4


def test_opted_out_members_still_get_their_own_reminders(wired, source) -> None:  # noqa: ANN001
    add_members(wired, 1, channel="web", opt_out=True)
    report = send_due_reminders(wired, DEADLINE - timedelta(days=1))
    assert report.count("opted_out") == 1
    assert [r.key.split(":")[1] for r in _rows(wired)] == ["deadline"]


def test_quiet_hours_hold_reminders_until_morning(wired, source, cfg) -> None:  # noqa: ANN001
    add_members(wired, 1, channel="web")
    night = datetime(2026, 11, 26, 23, 15, tzinfo=BANGKOK)
    wired.clock.set(night)
    report = send_due_reminders(wired, night)
    assert report.count("waiting") == 2
    drain_once(wired, cfg)
    assert {r.status for r in _rows(wired)} == {"pending"}
    assert all(r.next_attempt_at == datetime(2026, 11, 27, 7, 0, tzinfo=BANGKOK) for r in _rows(wired))
    wired.clock.set(datetime(2026, 11, 27, 7, 1, tzinfo=BANGKOK))
    drain_once(wired, cfg)
    assert {r.status for r in _rows(wired)} == {"delivered"}


def test_dry_run_changes_nothing(wired, source) -> None:  # noqa: ANN001
    add_members(wired, 2, channel="web")
    report = send_due_reminders(wired, DEADLINE - timedelta(days=1), dry_run=True)
    assert report.count("would_send") == 4 and _rows(wired) == []


def test_cli_reminders_run_with_now(wired, source, monkeypatch) -> None:  # noqa: ANN001
    from bot.cli import app

    add_members(wired, 2, channel="web")
    monkeypatch.setattr("bot.cli.common.runtime", lambda: wired)
    runner = CliRunner()
    dry = runner.invoke(app, ["reminders", "run", "--now", "2026-11-26T10:00", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "4 would be sent" in dry.output and _rows(wired) == []
    res = runner.invoke(app, ["reminders", "run", "--now", "2026-11-26T10:00"])
    assert res.exit_code == 0, res.output
    assert "4 queued" in res.output and "web delivered 4" in res.output
    assert {r.status for r in _rows(wired)} == {"delivered"}
    again = runner.invoke(app, ["reminders", "run", "--now", "2026-11-26T10:05"])
    assert "4 already sent" in again.output


def test_cli_broadcast(wired, fake_line, fake_telegram, monkeypatch) -> None:  # noqa: ANN001
    from bot.cli import app

    line = add_members(wired, 30, channel="line", province="พิษณุโลก")
    tg = add_members(wired, 5, channel="telegram", province="พิษณุโลก", start=100)
    add_members(wired, 5, channel="line", province="น่าน", start=200)
    on_real_time(wired)
    monkeypatch.setattr("bot.cli.common.runtime", lambda: wired)
    res = CliRunner().invoke(app, ["broadcast", "--text", "เชิญร่วมเวทีเสวนาเครือข่าย", "--province", "พิษณุโลก",
                                   "--yes"])
    assert res.exit_code == 0, res.output
    assert "35 members" in res.output and "delivered 35 of 35" in res.output
    assert all(len(fake_line.messages_to(a[5:])) == 1 for a in line)
    assert all(len(fake_telegram.messages_to(int(a[9:]))) == 1 for a in tg)


def test_cli_broadcast_refuses_when_quota_is_short(wired, fake_line, monkeypatch) -> None:  # noqa: ANN001
    from bot.cli import app

    add_members(wired, 150, channel="line")
    fake_line.quota_limit = 1000
    fake_line.quota_used = 900
    monkeypatch.setattr("bot.cli.common.runtime", lambda: wired)
    res = CliRunner().invoke(app, ["broadcast", "--text", "ประกาศใหญ่", "--yes"])
    assert res.exit_code == 2 and "100 messages left" in res.output and "--override-quota" in res.output
    assert _rows(wired) == []
    on_real_time(wired)
    res = CliRunner().invoke(app, ["broadcast", "--text", "ประกาศใหญ่", "--yes", "--override-quota"])
    # LINE refuses what is over the quota: those are failed with LINE's reason, not retried forever
    assert res.exit_code == 0, res.output
    assert "delivered 0 of 150, failed 150" in res.output
    rows = _rows(wired)
    assert len(rows) == 150 and {r.status for r in rows} == {"failed"}
    assert {r.last_error for r in rows} == {
        "LINE monthly message quota used up: HTTP 429: You have reached your monthly limit."}
    assert [c["status"] for c in fake_line.calls_to("multicast")] == [429]  # asked once, not again and again
    assert fake_line.deliveries == []
