"""A member reports an activity in their own words: only the missing or doubtful fields are asked,
photos are optional, the read-back has Thai dates, and the report survives restarts ("ทำต่อ")."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlmodel import select

from bot.messages import Attachment, IncomingMessage
from bot.wiring import build
from storage.models.reports import Report, ReportActivity, ReportPhoto
from storage.repositories import reports as repo
from tests.conversations.helpers import approve_join
from tests.reports.helpers import SENTENCE, deadline, member, report_one_sentence
from tests.transcript import Chat


def _rows(chat: Chat) -> dict[str, str]:
    return {f.label: f.value for f in chat.card.fields}


def test_one_thai_sentence_needs_no_question_and_becomes_an_export_row(new_chat, runtime) -> None:  # noqa: ANN001
    dl = deadline(runtime)
    chat = member(new_chat, "somsri", "มูลนิธิรักษ์น้ำพิษณุโลก")
    chat.say("ส่งรายงาน")
    # The one open deadline is chosen for the member, with a note and a way out.
    assert "รายงานสำหรับ: รายงานผลการดำเนินงานประจำปี 2569" in chat.text and "9 ธ.ค. 2569" in chat.text
    assert "กิจกรรมอื่น (นอกกำหนดส่ง)" in chat.labels
    assert "เล่ากิจกรรม" in chat.text
    chat.say(SENTENCE)
    # Everything was in the sentence: straight to the (optional) photos, then the read-back.
    assert "ส่งรูปกิจกรรม" in chat.text and "ไม่มีรูป" in chat.labels
    chat.tap("ไม่มีรูป")
    rows = _rows(chat)
    assert rows["วันที่จัด"] == "25 ต.ค. 2568"
    assert rows["ผู้เข้าร่วม"] == "110 คน"
    assert rows["งบประมาณ"] == "15,000 บาท"
    assert rows["แหล่งงบประมาณ"] == "กองทุนส่งเสริมการจัดสวัสดิการสังคม"
    assert rows["กลุ่มเป้าหมาย"] == "ผู้สูงอายุ"
    assert "เยี่ยมบ้านผู้สูงอายุ" in rows["กิจกรรม"]
    assert rows["กำหนดส่ง"].startswith("รายงานผลการดำเนินงานประจำปี 2569")
    chat.tap("ยืนยัน")
    assert "ส่งให้ พมจ. เรียบร้อยแล้ว" in chat.text and "เพิ่มกิจกรรม" in chat.labels

    with runtime.db.session() as s:
        rows = list(repo.export_rows(s, deadline_id=dl))
        report = s.exec(select(Report)).one()
    assert report.status == "submitted" and report.submitted_at is not None
    assert len(rows) == 1
    row = rows[0]
    assert row["deadline_id"] == dl and row["organization"] == "มูลนิธิรักษ์น้ำพิษณุโลก"
    assert row["organization_kind"] == "public_benefit" and row["province"] == "พิษณุโลก"
    assert (row["start_date"], row["end_date"]) == (date(2025, 10, 25), date(2025, 10, 25))
    assert row["participants"] == 110 and row["budget_thb"] == Decimal("15000")
    assert row["funding_source"] == "กองทุนส่งเสริมการจัดสวัสดิการสังคม" and row["target_group"] == "ผู้สูงอายุ"
    assert row["photos"] == 0 and row["submitted_by"] == "somsri ใจดี"
    with runtime.db.session() as s:
        act = s.exec(select(ReportActivity)).one()
    assert act.original_text == SENTENCE and act.complete and act.draft is None


def test_asks_only_what_is_missing_and_retries_with_an_example(new_chat, runtime) -> None:  # noqa: ANN001
    chat = member(new_chat, "boonmee", "ชมรมผู้สูงอายุบ้านนา")
    chat.say("ส่งรายงาน")  # no deadline open: an activity outside any deadline
    assert "ไม่มีกำหนดส่งรายงานที่ค้างอยู่" in chat.text
    chat.say("อบรมอาสาสมัครดูแลผู้สูงอายุ ผู้เข้าร่วม 40 คน")
    assert "จัดกิจกรรมวันไหน" in chat.text  # the date is missing; the title and the count were not asked
    chat.say("จำไม่ได้แล้วค่ะ")  # not a date
    assert "ตัวอย่างที่ใช้ได้: 25 ต.ค. 68" in chat.text and "จัดกิจกรรมวันไหน" in chat.text
    chat.say("๓-๔ พ.ย. ๖๘")
    assert "งบประมาณเท่าไร" in chat.text
    chat.say("หมื่นห้า")
    assert "แหล่งไหน" in chat.text  # a budget was given, so where it came from
    chat.say("เทศบาลนครพิษณุโลก")
    # the target group was in the title: the volunteers trained (อาสาสมัคร), not the elderly they will care for
    assert "ส่งรูปกิจกรรม" in chat.text
    chat.tap("ไม่มีรูป")
    rows = _rows(chat)
    assert rows["กิจกรรม"] == "อบรมอาสาสมัครดูแลผู้สูงอายุ"
    assert rows["วันที่จัด"] == "3–4 พ.ย. 2568"
    assert rows["ผู้เข้าร่วม"] == "40 คน" and rows["งบประมาณ"] == "15,000 บาท"
    assert rows["กลุ่มเป้าหมาย"] == "อาสาสมัคร" and rows["แหล่งงบประมาณ"] == "เทศบาลนครพิษณุโลก"
    assert rows["กำหนดส่ง"] == "กิจกรรมอื่น (นอกกำหนดส่ง)"
    asked = [said for said, _ in chat.history]
    assert len(asked) - asked.index("ส่งรายงาน") == 7  # start, describe, date (twice), budget, funding, photos


def test_a_future_date_is_doubtful_and_asked_again(new_chat, runtime) -> None:  # noqa: ANN001
    chat = member(new_chat, "wilai", "มูลนิธิคนพิการนครไทย")
    chat.say("ส่งรายงาน")
    chat.say("จัดกีฬาคนพิการ 20 ธ.ค. 69 ผู้เข้าร่วม 50 คน งบ 3,000 บาท จาก อบจ. กลุ่มเป้าหมาย คนพิการ")
    assert "20 ธ.ค. 2569" in chat.text and "จัดกิจกรรมวันไหน" in chat.text
    chat.say("1 ธ.ค. 2569")
    assert "ยังมาไม่ถึง" in chat.text  # today is 25 Nov 2569
    chat.say("20 พ.ย. 69")
    assert "ส่งรูปกิจกรรม" in chat.text


def test_editing_a_field_from_the_read_back(new_chat, runtime) -> None:  # noqa: ANN001
    chat = member(new_chat, "somsri", "มูลนิธิรักษ์น้ำพิษณุโลก")
    chat.say("ส่งรายงาน")
    chat.say(SENTENCE)
    chat.tap("ไม่มีรูป")
    chat.tap("แก้ไข")
    chat.tap("ผู้เข้าร่วม")
    assert "ผู้เข้าร่วมกี่คน" in chat.text
    chat.say("หนึ่งร้อยยี่สิบคนค่ะ")
    assert _rows(chat)["ผู้เข้าร่วม"] == "120 คน"
    chat.tap("ยืนยัน")
    with runtime.db.session() as s:
        assert s.exec(select(ReportActivity)).one().participants == 120


def test_photos_up_to_five_are_stored_in_the_database(new_chat, runtime) -> None:  # noqa: ANN001
    chat = member(new_chat, "somsri", "มูลนิธิรักษ์น้ำพิษณุโลก")
    chat.say("ส่งรายงาน")
    chat.say(SENTENCE)
    chat.say("ส่งรูปค่ะ")  # text instead of a photo
    assert "ส่งเป็นรูปภาพ" in chat.text

    def photo(i: int) -> IncomingMessage:
        return IncomingMessage(address=chat.address, attachments=(
            Attachment("image", content_type="image/jpeg", data=b"\xff\xd8\xffjpeg-%d" % i),))

    chat.send(photo(1))
    assert "1/5" in chat.text and "เสร็จ" in chat.labels
    chat.send(IncomingMessage(address=chat.address, attachments=tuple(
        Attachment("image", content_type="image/jpeg", data=b"\xff\xd8\xffmore-%d" % i) for i in range(6))))
    # Five in all: the extra ones are refused and the bot goes on to the read-back by itself.
    assert "สูงสุด 5 รูป" in chat.text and _rows(chat)["รูปภาพ"] == "5 รูป"
    chat.tap("ยืนยัน")
    with runtime.db.session() as s:
        photos = s.exec(select(ReportPhoto)).all()
        rows = list(repo.export_rows(s))
    assert len(photos) == 5 and photos[0].data == b"\xff\xd8\xffjpeg-1" and photos[0].status == "stored"
    assert rows[0]["photos"] == 5


def test_a_half_finished_report_survives_a_restart_and_expiry(new_chat, runtime, clock, settings) -> None:  # noqa: ANN001
    deadline(runtime)
    chat = member(new_chat, "somsri", "มูลนิธิรักษ์น้ำพิษณุโลก")
    chat.say("ส่งรายงาน")
    chat.say("อบรมอาสาสมัครดูแลผู้สูงอายุ 3 พ.ย. 68")
    assert "ผู้เข้าร่วมกี่คน" in chat.text
    chat.say("40 คน")
    assert "งบประมาณ" in chat.text

    # The process restarts and two days pass: the conversation has expired.
    clock.set(clock.now() + timedelta(days=2))
    restarted = Chat(build(settings, clock=clock), "somsri")
    restarted.say("ทำต่อ")
    assert "ทำรายงานต่อ" in restarted.text and "อบรมอาสาสมัครดูแลผู้สูงอายุ" in restarted.text
    assert "งบประมาณ" in restarted.text  # exactly where it stopped
    restarted.say("ไม่มี")
    restarted.tap("ไม่มีรูป")
    rows = _rows(restarted)
    assert rows["ผู้เข้าร่วม"] == "40 คน" and rows["วันที่จัด"] == "3 พ.ย. 2568"
    restarted.tap("ยืนยัน")
    with runtime.db.session() as s:
        report = s.exec(select(Report)).one()
        assert report.status == "submitted" and report.deadline_id is not None
    restarted.runtime.db.dispose()


def test_starting_again_offers_to_continue_the_draft(new_chat, runtime) -> None:  # noqa: ANN001
    chat = member(new_chat, "somsri", "มูลนิธิรักษ์น้ำพิษณุโลก")
    chat.say("ส่งรายงาน")
    chat.say("อบรมอาสาสมัครดูแลผู้สูงอายุ")
    chat.say("เมนู")
    chat.say("ส่งรายงาน")
    assert "ยังทำไม่เสร็จ" in chat.text and chat.labels[:2] == ["ทำต่อ", "เริ่มใหม่"]
    chat.tap("เริ่มใหม่")
    assert "เล่ากิจกรรม" in chat.text
    with runtime.db.session() as s:
        assert s.exec(select(ReportActivity)).all() == []  # the old draft is gone
    chat.say("ไม่มี")
    assert "ขอรายละเอียดอีกนิด" in chat.text  # too short to be a report: asked again


def test_add_activity_to_the_same_report(new_chat, runtime) -> None:  # noqa: ANN001
    dl = deadline(runtime)
    chat = member(new_chat, "somsri", "มูลนิธิรักษ์น้ำพิษณุโลก")
    report_one_sentence(chat, deadline_label="รายงานผลการดำเนินงาน")
    chat.tap("เพิ่มกิจกรรม")
    assert "เพิ่มกิจกรรมในรายงาน" in chat.text
    chat.say("ประชุมเครือข่ายอาสาสมัคร 10 พ.ย. 69 ผู้เข้าร่วม 25 คน ไม่ใช้งบ กลุ่มเป้าหมาย อาสาสมัคร")
    assert "ส่งรูปกิจกรรม" in chat.text  # "ไม่ใช้งบ" answers the budget: nothing else to ask
    chat.tap("ไม่มีรูป")
    assert _rows(chat)["งบประมาณ"] == "0 บาท"
    chat.tap("ยืนยัน")
    assert "รวม 2 กิจกรรม" in chat.text
    with runtime.db.session() as s:
        rows = list(repo.export_rows(s, deadline_id=dl))
        assert len(s.exec(select(Report)).all()) == 1
    assert [r["activity"] for r in rows][1] == "ประชุมเครือข่ายอาสาสมัคร"
    # Asking for the same deadline again says it was sent, and offers to add.
    chat.say("ส่งรายงาน")
    assert "ไม่มีกำหนดส่งรายงานที่ค้างอยู่" in chat.text  # the sent deadline is no longer offered
    chat.say("ยกเลิก")
    chat.postback(f"go:report.start:{dl}")
    assert "ส่งรายงาน" in chat.text and "แล้วเมื่อ" in chat.text and "เพิ่มกิจกรรม" in chat.labels


def test_a_submission_by_another_member_counts_for_the_organization(new_chat, runtime) -> None:  # noqa: ANN001
    dl = deadline(runtime)
    first = member(new_chat, "somsri", "มูลนิธิรักษ์น้ำพิษณุโลก")
    second = new_chat("somchai")
    second.say("สวัสดี")
    second.tap("ยินยอม")
    second.say("รักษ์น้ำพิษณุโลก")
    assert "ไหมคะ" in second.text  # the one resembling organization proposed, name asked next
    second.say("สมชาย รักดี")
    second.say("เลขา")
    second.say("0899999999")
    second.tap("ยืนยัน")
    approve_join(first)  # the first member speaks for the organization
    report_one_sentence(first, deadline_label="รายงานผลการดำเนินงาน")
    second.postback(f"go:report.start:{dl}")
    assert "แล้วเมื่อ" in second.text


def test_no_organization_no_report(new_chat, runtime) -> None:  # noqa: ANN001
    from storage.models import Member

    chat = member(new_chat, "somsri", "มูลนิธิรักษ์น้ำพิษณุโลก")
    with runtime.db.session() as s:
        for m in s.exec(select(Member)):
            m.organization_id = None
            s.add(m)
    chat.say("ส่งรายงาน")
    assert "เชื่อมบัญชีกับองค์กร" in chat.text


def test_a_photo_first_with_two_deadlines_open_asks_for_the_deadline_first(new_chat, runtime) -> None:  # noqa: ANN001
    deadline(runtime, title="รายงานผลการดำเนินงานประจำปี 2569")
    deadline(runtime, title="รายงานการใช้เงินกองทุน ไตรมาส 4", due=date(2026, 12, 20))
    chat = member(new_chat, "somsri", "มูลนิธิรักษ์น้ำพิษณุโลก")
    chat.send(IncomingMessage(address=chat.address, attachments=(
        Attachment("image", content_type="image/jpeg", data=b"\xff\xd8\xffearly"),)))
    assert "ต้องเลือกกำหนดส่งก่อน" in chat.text  # the photo is not kept without a deadline to put it under
    assert any("ไตรมาส 4" in label for label in chat.labels)  # and the deadlines to choose from are offered
