"""The whole loop through signed LINE webhooks and the fake LINE API: a member asks, the province's officer
is notified on LINE, answers in the console, the member receives it (once), follows up, and the officer
answers that from their own LINE chat. Opening the question marks the member's chat as read."""
from __future__ import annotations

from sqlmodel import select

from bot.clock import db_now
from bot.delivery import drain_once
from bot.messages import Address
from storage.models import AuditEntry
from storage.models.tickets import Ticket
from storage.repositories import console as console_repo
from storage.repositories import members as members_repo
from tests.channels.helpers import LineUser, sign_up
from tests.console.conftest import PASSWORD, csrf_of
from tests.fakes import line_webhook as lw


def _officer(runtime, user_id: str) -> None:  # noqa: ANN001
    with runtime.db.session() as s:
        member = members_repo.grant_officer(s, address=Address("line", user_id), province="น่าน")
        member.consent_at = db_now()
        member.full_name = "วิไล เจ้าหน้าที่"
        s.add(member)
        console_repo.create_login(s, email="nan@example.go.th", password=PASSWORD, province="น่าน",
                                  display_name="วิไล (พมจ.น่าน)")


def _pushed(user: LineUser) -> str:
    """What the drain pushed to this user since they last looked."""
    messages = user.fake.messages_to(user.user_id)
    user.last = messages[user._seen:]  # noqa: SLF001
    user._seen = len(messages)  # noqa: SLF001
    return user.text


def test_ask_notify_answer_in_console_follow_up_answer_from_line(server, fake_line) -> None:  # noqa: ANN001
    client, channel = server
    runtime = client.app.state.runtime
    officer = LineUser(client, fake_line, channel)
    _officer(runtime, officer.user_id)
    member = LineUser(client, fake_line, channel)
    member.follow()
    sign_up(member, first="")

    # 1. The member asks; LINE gives the chat-mode read token with the message.
    event = lw.text_event(member.user_id, "ขอสอบถามเรื่องเงินอุดหนุนค่ะ", reply_token=member.token())
    read_token = fake_line.issue_read_token()
    event["message"]["markAsReadToken"] = read_token
    member.send(event)
    assert "ส่งคำถามของคุณให้เจ้าหน้าที่ พมจ. น่าน แล้วค่ะ (คำถาม #1)" in member.text
    assert "คาดว่าจะได้รับคำตอบภายใน" in member.text

    # 2. The officer is told on LINE, through the outbox.
    drain_once(runtime)
    assert "คำถามใหม่ #1" in _pushed(officer) and "เงินอุดหนุน" in officer.text

    # 3. The officer answers in the console; opening the question marks the member's chat as read.
    page = client.get("/admin/login")
    res = client.post("/admin/login", data={"email": "nan@example.go.th", "password": PASSWORD,
                                            "csrf": csrf_of(page.text), "next": "/admin/inbox"})
    assert res.status_code == 303
    inbox = client.get("/admin/inbox")
    assert "ขอสอบถามเรื่องเงินอุดหนุนค่ะ" in inbox.text and "สมศรี ใจดี" in inbox.text
    ticket_page = client.get("/admin/inbox/1")
    assert ticket_page.status_code == 200 and "ขอสอบถามเรื่องเงินอุดหนุนค่ะ" in ticket_page.text
    assert fake_line.marked_read == [read_token]
    res = client.post("/admin/inbox/1/answer", data={"csrf": csrf_of(ticket_page.text),
                                                     "text": "ยื่นขอได้ถึง 31 ธ.ค. ค่ะ ที่ พมจ.น่าน"})
    assert res.status_code == 303

    # 4. The member receives it once, on LINE.
    drain_once(runtime)
    drain_once(runtime)
    assert _pushed(member).count("ยื่นขอได้ถึง 31 ธ.ค. ค่ะ") == 1
    assert "คำตอบจากเจ้าหน้าที่ พมจ. น่าน (คำถาม #1)" in member.text

    # 5. The follow-up joins the same question; the officer hears of it.
    member.say("ต้องใช้เอกสารอะไรบ้างคะ")
    assert "คำถาม #1" in member.text
    drain_once(runtime)
    assert "ข้อความเพิ่มในคำถาม #1" in _pushed(officer)

    # A photo joins the question too; the officer sees it in the console (fetched from LINE when looked at).
    photo_id = lw.new_message_id()
    fake_line.add_content(photo_id, b"\xff\xd8\xff\xe0form-photo", "image/jpeg")
    member.send(lw.image_event(member.user_id, message_id=photo_id, reply_token=member.token()))
    assert "คำถาม #1" in member.text
    page = client.get("/admin/inbox/1")
    assert "/admin/inbox/1/photos/" in page.text
    src = page.text.split('img src="')[1].split('"')[0]
    image = client.get(src)
    assert image.status_code == 200 and image.content == b"\xff\xd8\xff\xe0form-photo"
    drain_once(runtime)
    assert "[รูปภาพ 1 รูป]" in _pushed(officer)

    # 6. The officer answers straight from the notification in their own LINE chat.
    officer.tap("ตอบคำถาม #1")
    assert "พิมพ์คำตอบสำหรับคำถาม #1" in officer.text
    officer.say("สำเนาหนังสือรับรององค์กรค่ะ")
    assert "ส่งคำตอบคำถาม #1 ให้ สมศรี ใจดี" in officer.text
    drain_once(runtime)
    assert "สำเนาหนังสือรับรององค์กรค่ะ" in _pushed(member)

    with runtime.db.session() as s:
        [ticket] = s.exec(select(Ticket)).all()
        actions = [a.action for a in s.exec(select(AuditEntry).where(AuditEntry.target_type == "ticket")
                                            .order_by(AuditEntry.id))]
    assert ticket.status == "answered" and ticket.read_marked_at is not None
    assert actions == ["ticket.open", "ticket.answer", "ticket.open", "ticket.answer"]
    assert not fake_line.unexpected_violations()


def test_officers_are_not_woken_at_night_unless_the_question_is_urgent(server, fake_line, clock) -> None:  # noqa: ANN001
    from datetime import datetime

    from bot.clock import BANGKOK
    from tests.conversations.helpers import sign_up_new_org
    from tests.transcript import Chat

    client, channel = server
    runtime = client.app.state.runtime
    officer = LineUser(client, fake_line, channel)
    _officer(runtime, officer.user_id)
    member = Chat(runtime, "night-owl")
    sign_up_new_org(member)
    clock.set(datetime(2026, 11, 25, 22, 30, tzinfo=BANGKOK))
    member.say("ขอสอบถามเรื่องเงินอุดหนุนค่ะ")
    drain_once(runtime)
    assert "คำถามใหม่" not in _pushed(officer)  # waits for the morning
    member.say("ด่วนค่ะ น้ำท่วมศูนย์ ขอความช่วยเหลือ")
    drain_once(runtime)
    woken = _pushed(officer)
    assert "ข้อความเพิ่มในคำถาม #1" in woken and "น้ำท่วมศูนย์" in woken and "คำถามใหม่" not in woken
    with runtime.db.session() as s:
        [ticket] = s.exec(select(Ticket)).all()
    assert ticket.urgent is True  # urgent from now on: first in the inbox, reminders wake too
    clock.set(datetime(2026, 11, 26, 7, 0, tzinfo=BANGKOK))
    drain_once(runtime)
    assert "คำถามใหม่ #1" in _pushed(officer)  # the first message came in the morning
