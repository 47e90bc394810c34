"""The cycle through signed LINE webhooks and the fake LINE server: members sign up on LINE, the
announcement card arrives by multicast/push, they register with its button, one waits, gets the freed seat
by push and takes it, reminders and the feedback question arrive, and the officer's export is right."""
from __future__ import annotations

from datetime import datetime

from sqlmodel import select

from bot.clock import BANGKOK
from storage.models.events import EventFeedback, EventRegistration
from storage.repositories import events as repo
from tests.channels.conftest import app_client, channel_settings, line_client  # noqa: F401  (fixtures)
from tests.channels.helpers import LineUser, sign_up
from tests.events.helpers import days_before, make_event, make_officer
from tests.transcript import Chat


def _inbox(user: LineUser) -> list[dict]:
    """What reached the user since last time (pushes from the outbox included)."""
    messages = user.fake.messages_to(user.user_id)
    user.last = messages[user._seen:]
    user._seen = len(messages)
    return user.last


def _deliver(runtime) -> None:  # noqa: ANN001
    from bot.delivery import drain_once

    drain_once(runtime, max_seconds=20)


def test_whole_event_cycle_over_line(line_client, fake_line, monkeypatch) -> None:  # noqa: ANN001, F811
    from bot.reminders import send_due_reminders

    client, channel = line_client
    runtime = client.app.state.runtime
    ann = LineUser(client, fake_line, channel)
    ben = LineUser(client, fake_line, channel)
    sign_up(ann, org="มูลนิธิพัฒนาเด็กพิษณุโลก", province="พิษณุโลก", name="อัญชลี สายใจ")
    sign_up(ben, org="สมาคมผู้สูงอายุพิษณุโลก", province="พิษณุโลก", name="เบญจา ศรีงาม")

    make_officer(runtime, "officer", "พิษณุโลก")
    officer = Chat(runtime, "officer")
    event_id = make_event(runtime, capacity=1, seats_per_org=1, publish=False)
    officer.postback(f"go:event.publish:{event_id}")
    assert "สมาชิก 2 คน" in officer.text
    _deliver(runtime)

    # The announcement is a Flex card with a register button.
    for user in (ann, ben):
        card = _inbox(user)
        assert any(m["type"] == "flex" for m in card)
        assert "โรงแรมเรือนแพ" in user.text and "ลงทะเบียน" in [a.get("label") for a in user.actions]

    ann.tap("ลงทะเบียน")
    assert "ใครจะเข้าร่วม" in ann.text
    ann.tap("ตัวฉันเอง")
    ann.tap("ยืนยัน")
    assert "ลงทะเบียนเรียบร้อยแล้ว" in ann.text

    ben.tap("ลงทะเบียน")
    assert "ลำดับที่ 1" in ben.text
    ben.tap("ตัวฉันเอง")
    ben.tap("ยืนยัน")
    assert "รายชื่อสำรองลำดับที่ 1" in ben.text

    # Ann cancels; Ben is offered the seat by push and takes it.
    ann.say("การลงทะเบียนของฉัน")
    ann.tap("ยกเลิกการลงทะเบียน")
    ann.tap("ใช่ ยกเลิก")
    assert "ยกเลิกการลงทะเบียน" in ann.text
    _deliver(runtime)
    _inbox(ben)
    assert "มีที่นั่งว่าง" in ben.text
    ben.tap("ยืนยันรับที่นั่ง")
    assert "ลงทะเบียนเรียบร้อยแล้ว" in ben.text

    # Reminders 3 days and 1 day before, pushed to Ben only.
    for when in (days_before(3), days_before(1)):
        runtime.clock.set(when)
        send_due_reminders(runtime, now=runtime.clock.now())
        _deliver(runtime)
    _inbox(ben)
    assert "อีก 3 วัน" in ben.text and "พรุ่งนี้" in ben.text and "google.com/maps" in ben.text
    assert _inbox(ann) == []

    # Attendance by check-in code, then the feedback question by push, answered on LINE.
    runtime.clock.set(datetime(2027, 1, 29, 8, 45, tzinfo=BANGKOK))
    with runtime.db.session() as s:
        code = s.exec(select(EventRegistration).where(EventRegistration.status == "registered")).one().checkin_code
    officer.postback(f"go:event.attendance:{event_id}")
    officer.say(code)
    assert "เช็กอินแล้ว: เบญจา ศรีงาม" in officer.text
    runtime.clock.set(datetime(2027, 2, 1, 9, 0, tzinfo=BANGKOK))  # the day after
    send_due_reminders(runtime, now=runtime.clock.now())
    _deliver(runtime)
    _inbox(ben)
    assert "1–5" in ben.text
    ben.tap("4 ดี")
    ben.say("ได้ความรู้มากค่ะ")
    assert "ขอบคุณ" in ben.text
    with runtime.db.session() as s:
        fb = s.exec(select(EventFeedback)).one()
        rows = repo.export_rows(s, event_id=event_id)
    assert (fb.rating, fb.comment) == (4, "ได้ความรู้มาก")
    assert {(r["attendee_name"], r["status"]) for r in rows} == {("อัญชลี สายใจ", "cancelled"),
                                                                 ("เบญจา ศรีงาม", "attended")}
    assert not fake_line.violations
