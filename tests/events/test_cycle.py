"""The whole cycle in the chat: an officer creates and publishes, members get the card and register, the
event fills, the waitlist gets the freed seat, reminders go out, attendance, feedback and the export."""
from __future__ import annotations

import csv
from datetime import datetime

from sqlmodel import select

from bot.clock import BANGKOK
from storage.models.events import Event, EventFeedback, EventRegistration
from tests.events.helpers import (
    add_member, buttons_of, days_before, make_officer, outbox, scan, text_of,
)


def test_create_publish_register_waitlist_cancel_remind_attend_feedback_export(runtime, new_chat, tmp_path,  # noqa: ANN001
                                                                                 monkeypatch) -> None:
    make_officer(runtime, "officer", "พิษณุโลก")
    add_member(runtime, "anong", name="อนงค์ ศรีสุข")
    add_member(runtime, "boon", name="บุญมี แสงทอง")
    add_member(runtime, "chai", name="ชัยวัฒน์ มั่นคง", kind="community_welfare")
    add_member(runtime, "nan", province="น่าน")  # another province: not in the audience
    add_member(runtime, "quiet", opt_out=True)  # stopped announcements

    # --- the officer creates it in the chat, with Thai dates as people type them -----------------------
    off = new_chat("officer")
    off.say("สร้างงานอบรม")
    off.tap("อบรม")
    off.say("อบรมนักบริหารองค์กรสาธารณประโยชน์ รุ่นที่ 4")
    off.tap("ข้าม")
    off.say("29–31 ม.ค. 70 09.00–16.00 น.")
    off.say("โรงแรมเรือนแพ รอยัลปาร์ค อ.เมือง")
    off.say("16.8211, 100.2659")
    off.tap("พิษณุโลก")
    off.say("สองคนค่ะ")
    off.tap("1")
    off.say("20 ม.ค. 70")
    off.tap("ทุกประเภทองค์กร")
    off.tap("เฉพาะพิษณุโลก")
    rows = {f.label: f.value for f in off.card.fields}
    assert rows["วันและเวลา"] == "29–31 ม.ค. 2570 เวลา 09.00–16.00 น."
    assert rows["จำนวนที่นั่งทั้งหมด"] == "2" and rows["ที่นั่งต่อองค์กร"] == "1"
    assert rows["ปิดรับสมัคร"] == "20 ม.ค. 2570"
    off.tap("ยืนยัน")
    assert "ฉบับร่าง" in off.text
    assert outbox(runtime, kind="broadcast") == []  # nothing goes out before publishing
    with runtime.db.session() as s:
        event = s.exec(select(Event)).one()
    assert event.status == "draft" and event.starts_at == datetime(2027, 1, 29, 2, 0, tzinfo=event.starts_at.tzinfo)

    # --- publish: the card with a register button to the audience only ------------------------------------
    off.tap("ประกาศ (3 คน)")
    assert "ประกาศ" in off.text and "3 คน" in off.text
    announced = {r.address for r in outbox(runtime, kind="broadcast")}
    assert announced == {"web:anong", "web:boon", "web:chai"}
    card_row = outbox(runtime, "anong", kind="broadcast")[0]
    assert "โรงแรมเรือนแพ" in text_of(card_row) and "29–31 ม.ค. 2570" in text_of(card_row)
    register = buttons_of(card_row)["ลงทะเบียน"]
    assert register == f"go:event.register:{event.id}"

    # --- Anong registers from the card: herself, her phone ---------------------------------------------
    anong = new_chat("anong")
    anong.postback(register)
    assert "ลงทะเบียน" in anong.text and "ตัวฉันเอง (อนงค์ ศรีสุข)"[:20] in anong.labels
    anong.tap("ตัวฉันเอง")
    assert "สรุปการลงทะเบียน" in anong.text and "อนงค์ ศรีสุข (ประธาน)" in anong.text
    anong.tap("ยืนยัน")
    assert "ลงทะเบียนเรียบร้อยแล้ว" in anong.text
    assert "รหัสเช็กอิน" in anong.text

    # --- Boon from the list, typing someone else ----------------------------------------------------------
    boon = new_chat("boon")
    boon.say("อบรมสัมมนาค่ะ")
    assert "อบรมนักบริหาร" in boon.text and "ว่าง 1 ที่" in boon.text
    boon.tap("1. อบรมนักบริหาร")
    boon.say("สมชาย ใจดี, เหรัญญิก")
    assert "อาหารฮาลาล" in boon.labels  # the food and access question rides on the read-back
    boon.say("ฮาลาล 1 ท่านค่ะ")  # typed: read as that need, kept as a note for the venue
    assert "อาหารฮาลาล" in str(boon.card.fields)
    boon.say("เบอร์โทรเป็น ๐๘๙ ๑๒๓ ๔๕๖๗")  # another contact than Boon's own phone, corrected at the read-back
    assert "089-123-4567" in boon.text
    boon.tap("ยืนยัน")
    assert "ลงทะเบียนเรียบร้อยแล้ว" in boon.text

    # --- full: Chai is offered the waitlist with his position ----------------------------------------------
    chai = new_chat("chai")
    chai.say("อบรม")
    assert "เต็มแล้ว" in chai.text
    chai.tap("1. อบรมนักบริหาร")
    assert "ลำดับที่ 1" in chai.text
    chai.tap("ตัวฉันเอง")
    chai.tap("ยืนยัน")
    assert "รายชื่อสำรองลำดับที่ 1" in chai.text

    # --- Anong cancels from "my registrations"; Chai gets the offer and takes it ------------------------------
    anong.say("การลงทะเบียนของฉัน")
    assert "ลงทะเบียนแล้ว" in anong.text
    anong.tap("ยกเลิกการลงทะเบียน")
    anong.tap("ใช่ ยกเลิก")
    assert "ยกเลิกการลงทะเบียน" in anong.text
    offers = outbox(runtime, "chai", kind="waitlist")
    assert len(offers) == 1 and "มีที่นั่งว่าง" in text_of(offers[0]) and "26 พ.ย. 2569" in text_of(offers[0])
    chai.postback(buttons_of(offers[0])["ยืนยันรับที่นั่ง"])
    assert "ลงทะเบียนเรียบร้อยแล้ว" in chai.text

    # --- reminders 3 days and 1 day before, to the seated only, once each ------------------------------------
    scan(runtime, days_before(3, hour=10))
    rem = outbox(runtime, kind="reminder")
    assert {r.address for r in rem} == {"web:boon", "web:chai"}
    assert all("อีก 3 วัน" in text_of(r) and "google.com/maps" in text_of(r) and "เรือนแพ" in text_of(r) for r in rem)
    scan(runtime, days_before(2.9, hour=12))
    assert len(outbox(runtime, kind="reminder")) == 2  # the next scan sends nothing twice
    scan(runtime, days_before(1, hour=10))
    rem = outbox(runtime, kind="reminder")
    assert len(rem) == 4 and sum("พรุ่งนี้" in text_of(r) for r in rem) == 2

    # --- attendance on the day: a check-in code and a tick -----------------------------------------------------
    runtime.clock.set(datetime(2027, 1, 29, 8, 30, tzinfo=BANGKOK))
    with runtime.db.session() as s:
        chai_code = s.exec(select(EventRegistration).where(EventRegistration.status == "registered")
                           .order_by(EventRegistration.id.desc())).first().checkin_code
    off.say("เช็กชื่อ")
    off.tap("1. อบรมนักบริหาร")
    off.tap("เช็กชื่อผู้เข้าร่วม")
    assert "มาแล้ว 0 จาก 2 คน" in off.text
    off.say(chai_code)
    assert "เช็กอินแล้ว: ชัยวัฒน์ มั่นคง" in off.text and "มาแล้ว 1 จาก 2 คน" in off.text
    off.say("1")
    assert "มาแล้ว 2 จาก 2 คน" in off.text
    off.tap("เสร็จ")
    assert "มาร่วม 2 คน" in off.text

    # --- after the event: one feedback question ---------------------------------------------------------------
    scan(runtime, datetime(2027, 2, 1, 9, 0, tzinfo=BANGKOK))  # the day after
    questions = outbox(runtime, key_part=":feedback:")
    assert {q.address for q in questions} == {"web:boon", "web:chai"}
    chai.postback(buttons_of(outbox(runtime, "chai", key_part=":feedback:")[0])["5 ดีมาก"])
    assert "ข้อเสนอแนะ" in chai.text
    chai.say("วิทยากรเก่งมาก อยากให้จัดอีกค่ะ")
    assert "ขอบคุณ" in chai.text
    with runtime.db.session() as s:
        fb = s.exec(select(EventFeedback)).one()
    assert fb.rating == 5 and "วิทยากรเก่งมาก" in fb.comment

    # --- export ---------------------------------------------------------------------------------------------------
    from typer.testing import CliRunner

    from bot.cli import app
    from bot.config import get_settings

    monkeypatch.setenv("DATABASE_URL", runtime.settings.database_url)
    if runtime.settings.database_schema:
        monkeypatch.setenv("DATABASE_SCHEMA", runtime.settings.database_schema)
    get_settings.cache_clear()
    out = tmp_path / "regs.csv"
    res = CliRunner().invoke(app, ["export", "registrations", "--event", str(event.id), "--format", "csv",
                                   "--out", str(out)])
    get_settings.cache_clear()
    assert res.exit_code == 0, res.output
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert list(rows[0]) == ["event_id", "event_title", "organization", "province", "attendee_name", "position",
                             "phone", "status", "registered_at", "walk_in", "needs", "needs_note", "feedback_rating",
                             "feedback_comment", "certificate_no"]
    by_name = {r["attendee_name"]: r for r in rows}
    assert by_name["สมชาย ใจดี"]["needs"] == "อาหารฮาลาล" and by_name["สมชาย ใจดี"]["needs_note"] == "ฮาลาล 1 ท่าน"
    assert by_name["ชัยวัฒน์ มั่นคง"]["feedback_rating"] == "5"
    assert "วิทยากรเก่งมาก" in by_name["ชัยวัฒน์ มั่นคง"]["feedback_comment"]
    got = {(r["attendee_name"], r["status"], r["phone"]) for r in rows}
    assert got == {("อนงค์ ศรีสุข", "cancelled", "0812345678"), ("สมชาย ใจดี", "attended", "0891234567"),
                   ("ชัยวัฒน์ มั่นคง", "attended", "0812345678")}
    assert all(r["event_title"] == "อบรมนักบริหารองค์กรสาธารณประโยชน์ รุ่นที่ 4" and r["province"] == "พิษณุโลก"
               for r in rows)
