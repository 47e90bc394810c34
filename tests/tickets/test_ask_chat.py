"""Asking the office in the chat (web transcript): the ways to ask, the offer after two unplaced messages,
follow-ups joining the open question, the bot still working meanwhile, answers from the officer's chat."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import select

from bot.clock import BANGKOK
from bot.messages import Address
from bot.reminders import send_due_reminders
from storage.models import OutboxMessage
from storage.models.tickets import Ticket, TicketMessage
from tests.conversations.helpers import make_officer, sign_up_new_org
from tests.transcript import Chat


def _tickets(runtime) -> list[Ticket]:  # noqa: ANN001
    with runtime.db.session() as s:
        return list(s.exec(select(Ticket).order_by(Ticket.id)))


def _outbox_to(runtime, address: str) -> list[OutboxMessage]:  # noqa: ANN001
    with runtime.db.session() as s:
        return list(s.exec(select(OutboxMessage).where(OutboxMessage.address == address,
                                                       OutboxMessage.key.startswith("ticket:"))  # type: ignore[attr-defined]
                           .order_by(OutboxMessage.id)))


def test_a_sentence_asking_the_office_becomes_a_ticket_and_officers_are_told(runtime, chat) -> None:  # noqa: ANN001
    make_officer(runtime, "nan-officer", "น่าน", channel="telegram")
    make_officer(runtime, "other-officer", "ตาก", channel="telegram")
    sign_up_new_org(chat)
    chat.say("ขอสอบถามเรื่องเงินอุดหนุนค่ะ")
    assert "ส่งคำถามของคุณให้เจ้าหน้าที่ พมจ. น่าน แล้วค่ะ (คำถาม #1)" in chat.text
    # Wednesday 10:00 + 8 office hours (08–17) = Thursday 09:00
    assert "26 พ.ย. 2569" in chat.text and "09.00 น." in chat.text and "จันทร์–ศุกร์ 08.00–17.00" in chat.text
    [ticket] = _tickets(runtime)
    assert ticket.province == "น่าน" and ticket.status == "open" and ticket.subject == "ขอสอบถามเรื่องเงินอุดหนุนค่ะ"
    [notice] = _outbox_to(runtime, "telegram:nan-officer")
    assert "คำถามใหม่ #1" in notice.content[0]["text"] and "เงินอุดหนุน" in notice.content[0]["text"]
    assert _outbox_to(runtime, "telegram:other-officer") == []

    # The bot still works: the menu is the menu, not a message to the office.
    chat.say("เมนู")
    assert "ติดต่อเจ้าหน้าที่" in [c.label for c in chat.choices]
    # Anything it cannot place joins the open question.
    chat.say("ขอแบบฟอร์มด้วยนะคะ")
    assert "ส่งต่อข้อความของคุณในคำถาม #1 แล้ว" in chat.text
    assert len(_tickets(runtime)) == 1
    assert len(_outbox_to(runtime, "telegram:nan-officer")) == 2


def test_the_menu_item_asks_for_the_question(runtime, chat) -> None:  # noqa: ANN001
    sign_up_new_org(chat)
    chat.say("เมนู")
    chat.tap("ติดต่อเจ้าหน้าที่")
    assert "พิมพ์คำถามถึงเจ้าหน้าที่" in chat.text
    chat.say("อบรมวันที่ 15 มีที่จอดรถไหมคะ")
    assert "(คำถาม #1)" in chat.text
    for words in ("มีคำถามค่ะ", "ขอคุยกับเจ้าหน้าที่"):
        chat.say(words)
        assert "จะส่งต่อในคำถาม #1" in chat.text, words
        chat.say("ยกเลิก")


def test_two_unplaced_messages_in_a_row_get_an_offer(runtime, chat) -> None:  # noqa: ANN001
    sign_up_new_org(chat)
    chat.say("ปีนี้จะมีงบให้ไหม")
    assert "ยังไม่เข้าใจ" in chat.text and "ส่งให้เจ้าหน้าที่" not in chat.text
    chat.say("เมนู")  # something the bot understood: the count starts again
    chat.say("ปีนี้จะมีงบให้ไหม")
    assert "ส่งให้เจ้าหน้าที่" not in [c.label for c in chat.choices]
    chat.say("งบอุดหนุนโครงการน่ะค่ะ")
    assert "ส่งข้อความนี้ต่อให้เจ้าหน้าที่" in chat.text
    chat.tap("ส่งให้เจ้าหน้าที่")
    assert "(คำถาม #1)" in chat.text
    with runtime.db.session() as s:
        [message] = s.exec(select(TicketMessage)).all()
    assert message.text == "ปีนี้จะมีงบให้ไหม\nงบอุดหนุนโครงการน่ะค่ะ"


def test_an_officer_answers_from_the_chat_and_is_audited(runtime, chat, new_chat) -> None:  # noqa: ANN001
    from storage.models import AuditEntry

    make_officer(runtime, "nan-officer", "น่าน")
    officer = new_chat("nan-officer")
    sign_up_new_org(chat)
    chat.say("ขอสอบถามเรื่องเงินอุดหนุนค่ะ")
    officer.say("ตอบ #1 ยื่นได้ถึงสิ้นเดือนค่ะ")
    assert "ส่งคำตอบคำถาม #1 ให้ สมศรี ใจดี (มูลนิธิรักษ์น้ำน่าน) แล้ว" in officer.text
    [answer] = [o for o in _outbox_to(runtime, str(chat.address)) if o.key.startswith("ticket:1:answer:")]
    assert "ยื่นได้ถึงสิ้นเดือนค่ะ" in answer.content[0]["text"]
    [ticket] = _tickets(runtime)
    assert ticket.status == "answered"
    with runtime.db.session() as s:
        [entry] = s.exec(select(AuditEntry).where(AuditEntry.action == "ticket.answer")).all()
    assert entry.target_id == "1" and entry.details["via"] == "chat:web"
    # The follow-up joins the same question and opens it again.
    chat.say("ต้องใช้เอกสารอะไรบ้างคะ")
    assert "คำถาม #1" in chat.text
    [ticket] = _tickets(runtime)
    assert ticket.status == "open"
    # An officer of another province cannot answer it.
    make_officer(runtime, "tak-officer", "ตาก")
    tak = new_chat("tak-officer")
    tak.say("ตอบ #1 ลองดูค่ะ")
    assert "จังหวัดอื่น" in tak.text


def test_waiting_questions_are_reminded_to_the_officers_once_per_step(runtime, chat) -> None:  # noqa: ANN001
    make_officer(runtime, "nan-officer", "น่าน", channel="telegram")
    sign_up_new_org(chat)
    chat.say("ขอสอบถามเรื่องเงินอุดหนุนค่ะ")
    asked = datetime(2026, 11, 25, 10, 0, tzinfo=BANGKOK)
    assert send_due_reminders(runtime, now=asked + timedelta(hours=3)).count("queued") == 0
    assert send_due_reminders(runtime, now=asked + timedelta(hours=4, minutes=1)).count("queued") == 1
    assert send_due_reminders(runtime, now=asked + timedelta(hours=5)).count("queued") == 0
    # 17:00 Wednesday to 12:00 Thursday is 4 more office hours (08–12): the second reminder.
    assert send_due_reminders(runtime, now=asked + timedelta(hours=26)).count("queued") == 1
    reminders = [o for o in _outbox_to(runtime, "telegram:nan-officer") if ":remind:" in o.key]
    assert "รอคำตอบมาแล้ว 8 ชั่วโมงทำการ" in reminders[-1].content[0]["text"]


def test_erasing_ones_data_erases_ones_questions(runtime, chat) -> None:  # noqa: ANN001
    sign_up_new_org(chat)
    chat.say("ขอสอบถามเรื่องเงินอุดหนุนค่ะ")
    chat.say("ลบข้อมูลของฉัน")
    chat.tap("ลบ")
    assert _tickets(runtime) == []
    with runtime.db.session() as s:
        assert s.exec(select(TicketMessage)).all() == []
    assert Address
