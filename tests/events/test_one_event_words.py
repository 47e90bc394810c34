"""With one training open, the everyday intent words act on it (its card shown) instead of listing it again;
with one registration, "ยกเลิกการลงทะเบียน" asks about that one."""
from __future__ import annotations

import pytest
from sqlmodel import select

from storage.models.events import EventRegistration
from tests.events.helpers import add_member, make_event

TITLE = "อบรมนักบริหารองค์กร รุ่นที่ 4"


def _status(runtime, member_id: int) -> str | None:  # noqa: ANN001
    with runtime.db.session() as s:
        reg = s.exec(select(EventRegistration).where(EventRegistration.member_id == member_id)).first()
        return reg.status if reg else None


@pytest.mark.parametrize("words", ["ขอต่อคิวสำรอง", "ขอต่อคิวสำรองค่ะ", "ลงทะเบียน", "สมัคร", "ขอลงชื่อ"])
def test_a_full_events_waitlist_is_joined_by_intent_words_after_its_card(runtime, new_chat, words) -> None:  # noqa: ANN001
    add_member(runtime, "first")
    me = add_member(runtime, "somsri", name="สมศรี ใจดี")
    event_id = make_event(runtime, capacity=1, seats_per_org=1)
    first = new_chat("first")
    first.postback(f"go:event.register:{event_id}")
    first.tap("ตัวฉันเอง")
    first.tap("ยืนยัน")
    chat = new_chat("somsri")
    chat.say("อบรม")
    assert TITLE in chat.text and "เต็ม" in chat.text  # the one open event, full
    chat.say(words)
    assert chat.card is not None and chat.card.title == TITLE  # that event, not the list again
    assert "ลงชื่อสำรองได้" in chat.text and "ลำดับที่ 1" in chat.text and "ไม่เข้าใจ" not in chat.text
    chat.tap("ตัวฉันเอง")
    chat.tap("ยืนยัน")
    assert "สำรองลำดับที่ 1" in chat.text
    assert _status(runtime, me) == "waitlisted"


@pytest.mark.parametrize("words", ["ลงทะเบียน", "สมัคร", "ขอลงชื่อค่ะ", "ลงทะเบียนอบรมให้หน่อย"])
def test_a_seat_is_taken_by_intent_words_when_one_event_is_open(runtime, new_chat, words) -> None:  # noqa: ANN001
    me = add_member(runtime, "somsri", name="สมศรี ใจดี")
    make_event(runtime)
    chat = new_chat("somsri")
    chat.say("อบรม")
    chat.say(words)
    assert chat.card is not None and chat.card.title == TITLE
    assert f'ลงทะเบียน "{TITLE}"' in chat.text and "ไม่เข้าใจ" not in chat.text
    chat.tap("ตัวฉันเอง")
    if "เสร็จแล้ว" in chat.labels:
        chat.tap("เสร็จแล้ว")
    chat.tap("ยืนยัน")
    assert _status(runtime, me) == "registered"


def test_several_open_events_are_listed_to_choose_from(runtime, new_chat) -> None:  # noqa: ANN001
    add_member(runtime, "somsri")
    make_event(runtime)
    make_event(runtime, title="เวทีเสวนาเครือข่าย")
    chat = new_chat("somsri")
    chat.say("ลงทะเบียน")
    assert TITLE in chat.text and "เวทีเสวนาเครือข่าย" in chat.text and chat.card is None


@pytest.mark.parametrize("words", ["ยกเลิกการลงทะเบียน", "ขอยกเลิกการลงทะเบียนค่ะ", "ขอถอนชื่อค่ะ"])
def test_cancelling_by_words_with_one_registration_asks_about_it(runtime, new_chat, words) -> None:  # noqa: ANN001
    me = add_member(runtime, "somsri", name="สมศรี ใจดี")
    event_id = make_event(runtime, seats_per_org=1)
    chat = new_chat("somsri")
    chat.postback(f"go:event.register:{event_id}")
    chat.tap("ตัวฉันเอง")
    chat.tap("ยืนยัน")
    assert _status(runtime, me) == "registered"
    chat.say(words)
    assert TITLE in chat.text and "ใช่ ยกเลิก" in chat.labels  # that registration, asked once to be sure
    chat.tap("ใช่ ยกเลิก")
    assert _status(runtime, me) == "cancelled"
