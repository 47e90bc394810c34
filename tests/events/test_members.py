"""Member side: the list shows only events meant for them; attendees and seats per organization; waitlist
offers that expire and pass on; my registrations; change and cancellation notices; feedback."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import select

from bot.clock import BANGKOK
from storage.models.events import EventRegistration
from tests.events.helpers import (
    STARTS, add_member, buttons_of, days_before, make_event, make_officer, org_of, outbox, scan, text_of,
)


def test_list_shows_only_open_events_for_my_kind_and_province(runtime, new_chat) -> None:  # noqa: ANN001
    add_member(runtime, "somsri", kind="community_welfare")
    make_event(runtime, title="เวทีเสวนาองค์กรสวัสดิการชุมชน", kind="forum", audience_kinds=["community_welfare"])
    make_event(runtime, title="อบรมเฉพาะสาธารณประโยชน์", audience_kinds=["public_benefit"])
    make_event(runtime, title="อบรมที่น่าน", province="น่าน")
    make_event(runtime, title="ร่างที่ยังไม่ประกาศ", publish=False)
    make_event(runtime, title="ปิดรับไปแล้ว", registration_deadline=runtime.clock.now() - timedelta(hours=1))
    chat = new_chat("somsri")
    chat.say("อบรม/สัมมนาค่ะ")
    assert "เวทีเสวนาองค์กรสวัสดิการชุมชน" in chat.text
    for hidden in ("เฉพาะสาธารณประโยชน์", "อบรมที่น่าน", "ร่างที่ยังไม่ประกาศ", "ปิดรับไปแล้ว"):
        assert hidden not in chat.text


def test_nothing_open_says_so_and_offers_my_registrations(runtime, new_chat) -> None:  # noqa: ANN001
    add_member(runtime, "somsri")
    chat = new_chat("somsri")
    chat.say("อบรม")
    assert "ยังไม่มีอบรม/สัมมนาที่เปิดรับ" in chat.text and "การลงทะเบียนของฉัน" in chat.labels


def test_several_attendees_typed_one_per_line_and_the_org_limit(runtime, new_chat) -> None:  # noqa: ANN001
    a = add_member(runtime, "a", name="อารีย์ ใจงาม")
    add_member(runtime, "b", org_id=org_of(runtime, a), name="บัวผัน สุขดี")  # same organization
    event_id = make_event(runtime, seats_per_org=3)
    chat = new_chat("a")
    chat.postback(f"go:event.register:{event_id}")
    assert "สูงสุด 3 คน" in chat.text
    chat.say("สมพร 123")  # digits are no name: retry with an example
    assert "ตัวอักษร" in chat.text and "สมชาย ใจดี, เหรัญญิก" in chat.text
    chat.say("1. สมชาย ใจดี ตำแหน่ง เหรัญญิก")
    assert "ยังเพิ่มได้อีก 2 คน" in chat.text  # one at a time: the next one is asked for
    chat.say("สมหญิง รักดี / เลขานุการ")
    assert "ยังเพิ่มได้อีก 1 คน" in chat.text
    chat.tap("เสร็จแล้ว")  # the member's own phone is the contact: not asked, shown in the read-back
    rows = {f.label: f.value for f in chat.card.fields}
    assert rows["เบอร์โทรติดต่อ"] == "081-234-5678"
    assert rows["ผู้เข้าร่วม"] == "1. สมชาย ใจดี (เหรัญญิก)\n2. สมหญิง รักดี (เลขานุการ)"
    chat.tap("ยืนยัน")
    assert "ลงทะเบียนเรียบร้อยแล้ว" in chat.text
    # A colleague of the same organization has one seat left, not three.
    other = new_chat("b")
    other.postback(f"go:event.register:{event_id}")
    assert "สูงสุด 1 คน" in other.text
    other.say("ประยุทธ์ มานะ ผู้ช่วยเลขานุการ")
    assert "สรุปการลงทะเบียน" in other.text  # the last seat: straight on to the read-back
    other.tap("ยืนยัน")
    assert "ลงทะเบียนเรียบร้อยแล้ว" in other.text
    third = new_chat("b")
    third.postback(f"go:event.register:{event_id}")
    assert "ลงทะเบียนงานนี้ไว้แล้ว" in third.text  # b again: sees their registration, not a new form


def test_several_people_in_one_message_are_the_whole_list(runtime, new_chat) -> None:  # noqa: ANN001
    add_member(runtime, "a")
    event_id = make_event(runtime, seats_per_org=5)
    chat = new_chat("a")
    chat.postback(f"go:event.register:{event_id}")
    chat.say("1. สมชาย ใจดี ตำแหน่ง เหรัญญิก\n2. สมหญิง รักดี / เลขานุการ")
    rows = {f.label: f.value for f in chat.card.fields}  # straight to the read-back, though 3 seats are left
    assert rows["ผู้เข้าร่วม"] == "1. สมชาย ใจดี (เหรัญญิก)\n2. สมหญิง รักดี (เลขานุการ)"


def test_not_in_the_audience_and_closed_events_are_refused_politely(runtime, new_chat) -> None:  # noqa: ANN001
    add_member(runtime, "nan", province="น่าน")
    event_id = make_event(runtime)
    chat = new_chat("nan")
    chat.postback(f"go:event.register:{event_id}")
    assert "เปิดรับเฉพาะ" in chat.text and "พิษณุโลก" in chat.text
    runtime.clock.set(STARTS + timedelta(hours=1))
    chat.postback(f"go:event.register:{event_id}")
    assert "ปิดรับสมัครแล้ว" in chat.text


def _register(chat, event_id: int) -> None:  # noqa: ANN001
    chat.postback(f"go:event.register:{event_id}")
    chat.tap("ตัวฉันเอง")
    if "เสร็จแล้ว" in chat.labels:  # more seats for the organization: just me
        chat.tap("เสร็จแล้ว")
    chat.tap("ยืนยัน")


def test_an_unanswered_offer_passes_to_the_next_after_24_hours(runtime, new_chat) -> None:  # noqa: ANN001
    for user in ("a", "b", "c"):
        add_member(runtime, user)
    event_id = make_event(runtime, capacity=1, seats_per_org=1)
    chats = {u: new_chat(u) for u in ("a", "b", "c")}
    for u in ("a", "b", "c"):
        _register(chats[u], event_id)
    assert "สำรองลำดับที่ 2" in chats["c"].text
    chats["a"].say("การลงทะเบียนของฉัน")
    chats["a"].tap("ยกเลิกการลงทะเบียน")
    chats["a"].tap("ใช่ ยกเลิก")
    assert len(outbox(runtime, "b", kind="waitlist")) == 1 and outbox(runtime, "c", kind="waitlist") == []
    # c, still waiting, sees their place move up.
    chats["c"].say("การลงทะเบียนของฉัน")
    assert "ลำดับที่ 1" in chats["c"].text
    # b does not answer: 23 hours is not enough, 24 is.
    scan(runtime, datetime(2026, 11, 26, 9, 0, tzinfo=BANGKOK))
    assert outbox(runtime, "c", kind="waitlist") == []
    scan(runtime, datetime(2026, 11, 26, 10, 1, tzinfo=BANGKOK))
    assert "เลยเวลายืนยันที่นั่ง" in text_of(outbox(runtime, "b", key_part="offer_expired")[0])
    offer_c = outbox(runtime, "c", kind="waitlist")
    assert len(offer_c) == 1
    # b taps the old button too late; c takes the seat.
    chats["b"].postback(buttons_of(outbox(runtime, "b", kind="waitlist")[0])["ยืนยันรับที่นั่ง"])
    assert "เลยเวลายืนยัน" in chats["b"].text
    chats["c"].postback(buttons_of(offer_c[0])["ยืนยันรับที่นั่ง"])
    assert "ลงทะเบียนเรียบร้อยแล้ว" in chats["c"].text
    with runtime.db.session() as s:
        statuses = {r.member_id: (r.status, r.cancel_reason) for r in s.exec(select(EventRegistration))}
    assert sorted(statuses.values()) == [("cancelled", "member"), ("cancelled", "offer_expired"), ("registered", None)]


def test_an_offer_made_at_night_still_gives_24_waking_hours(runtime, new_chat) -> None:  # noqa: ANN001
    add_member(runtime, "a")
    add_member(runtime, "b")
    event_id = make_event(runtime, capacity=1, seats_per_org=1)
    _register(new_chat("a"), event_id)
    _register(new_chat("b"), event_id)
    runtime.clock.set(datetime(2026, 11, 25, 22, 30, tzinfo=BANGKOK))
    a = new_chat("a")
    a.say("การลงทะเบียนของฉัน")
    a.tap("ยกเลิกการลงทะเบียน")
    a.tap("ใช่")
    with runtime.db.session() as s:
        offered = s.exec(select(EventRegistration).where(EventRegistration.status == "offered")).one()
    assert offered.offer_expires_at == datetime(2026, 11, 27, 7, 0, tzinfo=BANGKOK)


def test_declining_an_offer_passes_it_on_at_once(runtime, new_chat) -> None:  # noqa: ANN001
    for user in ("a", "b", "c"):
        add_member(runtime, user)
    event_id = make_event(runtime, capacity=1, seats_per_org=1)
    for u in ("a", "b", "c"):
        _register(new_chat(u), event_id)
    a = new_chat("a")
    a.say("การลงทะเบียนของฉัน")
    a.tap("ยกเลิกการลงทะเบียน")
    a.tap("ใช่")
    b = new_chat("b")
    b.postback(buttons_of(outbox(runtime, "b", kind="waitlist")[0])["ไม่รับ ส่งต่อคนอื่น"])
    assert "ส่งที่นั่ง" in b.text
    assert len(outbox(runtime, "c", kind="waitlist")) == 1


def test_keeping_a_registration_when_not_sure(runtime, new_chat) -> None:  # noqa: ANN001
    add_member(runtime, "a")
    event_id = make_event(runtime)
    chat = new_chat("a")
    _register(chat, event_id)
    chat.say("การลงทะเบียนของฉัน")
    chat.tap("ยกเลิกการลงทะเบียน")
    chat.say("ไม่ค่ะ")
    assert "ยังคงการลงทะเบียนไว้" in chat.text
    chat.say("การลงทะเบียนของฉัน")
    assert "ลงทะเบียนแล้ว" in chat.text and "รหัสเช็กอิน" in chat.text


def test_reminders_skip_stale_offsets_and_the_waitlist(runtime, new_chat) -> None:  # noqa: ANN001
    for user in ("early", "late", "waiting"):
        add_member(runtime, user)
    event_id = make_event(runtime, capacity=2, seats_per_org=1)
    _register(new_chat("early"), event_id)
    runtime.clock.set(days_before(2))  # registers after the 3-day moment: no 3-day reminder for them
    _register(new_chat("late"), event_id)
    _register(new_chat("waiting"), event_id)
    scan(runtime, days_before(2, hour=11))
    assert [r.key.rsplit(":", 1)[1] for r in outbox(runtime, kind="reminder")] == ["-3d"]
    assert outbox(runtime, "early", kind="reminder") and not outbox(runtime, "late", kind="reminder")
    scan(runtime, days_before(1, hour=10))
    assert len(outbox(runtime, "late", kind="reminder")) == 1 and outbox(runtime, "waiting", kind="reminder") == []
    scan(runtime, STARTS + timedelta(hours=2))  # the event started: nothing more
    assert len(outbox(runtime, kind="reminder")) == 3


def test_a_scan_after_downtime_sends_only_the_nearest_reminder(runtime, new_chat) -> None:  # noqa: ANN001
    add_member(runtime, "a")
    event_id = make_event(runtime)
    _register(new_chat("a"), event_id)
    scan(runtime, days_before(0.9, hour=10))  # the server was down from 4 days before until the day before
    assert [r.key.rsplit(":", 1)[1] for r in outbox(runtime, kind="reminder")] == ["-1d"]


def test_registrants_are_told_of_changes_and_of_cancellation(runtime, new_chat) -> None:  # noqa: ANN001
    make_officer(runtime, "officer")
    add_member(runtime, "a")
    add_member(runtime, "w")
    event_id = make_event(runtime, capacity=1, seats_per_org=1)
    _register(new_chat("a"), event_id)
    _register(new_chat("w"), event_id)
    off = new_chat("officer")
    off.postback(f"go:event.edit:{event_id}")
    off.say("แก้สถานที่")
    off.say("ศาลากลางจังหวัดพิษณุโลก ห้องประชุม 1")
    off.tap("ยืนยัน")
    assert "แจ้งผู้ลงทะเบียน 2 ราย" in off.text
    for user in ("a", "w"):
        notice = outbox(runtime, user, key_part=":changed:")
        assert len(notice) == 1 and "สถานที่" in text_of(notice[0]) and "ศาลากลาง" in text_of(notice[0])
    off.postback(f"go:event.cancel_event:{event_id}")
    assert "ผู้สมัคร 2 คน" in off.text
    off.tap("ใช่ ยกเลิกงาน")
    assert "ยกเลิก" in off.text
    for user in ("a", "w"):
        assert "ถูกยกเลิกแล้ว" in text_of(outbox(runtime, user, key_part=":cancelled:")[0])
    a = new_chat("a")
    a.say("การลงทะเบียนของฉัน")
    assert "ยังไม่มีการลงทะเบียน" in a.text


def test_feedback_goes_only_to_those_who_attended_and_a_typed_score_works(runtime, new_chat) -> None:  # noqa: ANN001
    make_officer(runtime, "officer")
    add_member(runtime, "came", name="มานี มาแล้ว")
    add_member(runtime, "absent", name="ขาดไป ไม่มา")
    event_id = make_event(runtime, seats_per_org=1)
    _register(new_chat("came"), event_id)
    _register(new_chat("absent"), event_id)
    runtime.clock.set(STARTS)
    off = new_chat("officer")
    off.postback(f"go:event.attendance:{event_id}")
    off.say("7")  # out of range
    assert "1 ถึง 2" in off.text
    off.say("1")
    off.tap("เสร็จ")
    scan(runtime, datetime(2027, 1, 31, 18, 0, tzinfo=BANGKOK))
    assert outbox(runtime, key_part=":feedback:") == []  # not on the evening of the last day
    scan(runtime, datetime(2027, 2, 1, 9, 0, tzinfo=BANGKOK))
    assert outbox(runtime, "absent", key_part=":feedback:") == []
    q = outbox(runtime, "came", key_part=":feedback:")[0]
    came = new_chat("came")
    came.postback(buttons_of(q)["3 พอใช้"].rsplit(":", 1)[0])  # an old client that drops the score
    assert "1–5" in came.text
    came.say("สี่ค่ะ")
    assert "ข้อเสนอแนะ" in came.text
    came.tap("ข้าม")
    assert "ขอบคุณ" in came.text
    off.postback(f"go:event.manage:{event_id}")
    assert "4.0/5 จาก 1 คำตอบ" in off.text
