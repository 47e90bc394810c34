"""Officers: create a deadline in the chat, see who has submitted, nudge the missing ones through the
outbox, and return a report for correction (the member is told and can fix and resend it)."""
from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import select

from bot.messages import replies_from_json
from storage.models import OutboxMessage
from storage.models.reports import Report, ReportDeadline
from tests.conversations.helpers import seed_org
from tests.reports.helpers import deadline, member, officer, report_one_sentence
from tests.transcript import Chat


def _outbox(runtime, prefix: str) -> list[OutboxMessage]:  # noqa: ANN001
    with runtime.db.session() as s:
        return [m for m in s.exec(select(OutboxMessage).order_by(OutboxMessage.id)) if m.key.startswith(prefix)]


def test_officer_creates_a_deadline_in_the_chat(new_chat, runtime) -> None:  # noqa: ANN001
    seed_org(runtime, "มูลนิธิพัฒนาเด็กพิษณุโลก")
    seed_org(runtime, "สมาคมผู้สูงอายุโคราช", province="นครราชสีมา")
    off = officer(new_chat, runtime)
    off.say("สร้างกำหนดส่งรายงาน")
    assert "ชื่อรายงาน" in off.text
    off.say("รายงานผลการดำเนินงานประจำปี 2569")
    off.say("1 ธ.ค. 68")  # already past
    assert "ผ่านไปแล้ว" in off.text
    off.say("๓๑ ธ.ค. ๖๙")
    off.tap("ทุกประเภท")
    card = {f.label: f.value for f in off.card.fields}
    assert card["ครบกำหนด"] == "31 ธ.ค. 2569" and card["จังหวัด"] == "พิษณุโลก"  # the officer's own province
    off.tap("ยืนยัน")
    assert "สร้างกำหนดส่งแล้ว" in off.text and "องค์กรที่ต้องส่ง 1 แห่ง" in off.text
    with runtime.db.session() as s:
        d = s.exec(select(ReportDeadline)).one()
    assert (d.due_date, d.provinces, d.kinds) == (date(2026, 12, 31), ["พิษณุโลก"], [])


def test_status_counts_and_lists_the_missing_then_nudges_once(new_chat, runtime, clock) -> None:  # noqa: ANN001
    dl = deadline(runtime)
    done = member(new_chat, "somsri", "มูลนิธิรักษ์น้ำพิษณุโลก")
    late = member(new_chat, "somchai", "ชมรมผู้สูงอายุวังทอง", phone="0891112222")
    seed_org(runtime, "กองทุนสวัสดิการชุมชนบ้านกร่าง", kind="community_welfare")  # no members
    seed_org(runtime, "มูลนิธิเพื่อนหญิงโคราช", province="นครราชสีมา")  # another province
    report_one_sentence(done, deadline_label="รายงานผลการดำเนินงาน")

    off = officer(new_chat, runtime)
    off.say("สถานะการส่งรายงาน")
    assert "ส่งแล้ว 1 จาก 3 องค์กร" in off.text
    assert "ชมรมผู้สูงอายุวังทอง" in off.text and "กองทุนสวัสดิการชุมชนบ้านกร่าง" in off.text
    assert "มูลนิธิรักษ์น้ำพิษณุโลก" not in off.text.split("ยังไม่ส่ง")[1]
    assert "โคราช" not in off.text
    off.tap("เตือน 2 องค์กร")
    assert "1 คน" in off.text
    nudges = _outbox(runtime, "report:nudge:")
    assert [m.address for m in nudges] == ["web:somchai"]
    reply = replies_from_json(nudges[0].content)[0]
    assert "รายงานผลการดำเนินงานประจำปี 2569" in reply.text and "อีก 14 วัน" in reply.text
    assert reply.card.buttons[0].value == f"go:report.start:{dl}"
    # A second tap the same day sends nothing twice; the next day it may go again.
    off.postback(f"go:report.nudge:{dl}")
    assert "วันนี้ได้เตือน" in off.text and len(_outbox(runtime, "report:nudge:")) == 1
    clock.set(clock.now() + timedelta(days=1))
    off.postback(f"go:report.nudge:{dl}")
    assert len(_outbox(runtime, "report:nudge:")) == 2
    # The nudged member taps the button and is right in the report.
    late.postback(reply.card.buttons[0].value)
    assert "รายงานสำหรับ: รายงานผลการดำเนินงานประจำปี 2569" in late.text and "เล่ากิจกรรม" in late.text


def test_return_for_correction_reaches_the_member_who_fixes_and_resends(new_chat, runtime) -> None:  # noqa: ANN001
    dl = deadline(runtime)
    chat = member(new_chat, "somsri", "มูลนิธิรักษ์น้ำพิษณุโลก")
    report_one_sentence(chat, deadline_label="รายงานผลการดำเนินงาน")
    off = officer(new_chat, runtime)
    off.postback(f"go:report.status:{dl}")
    off.tap("ดูรายงานที่ส่งแล้ว")
    off.tap("มูลนิธิรักษ์น้ำพิษณุโลก")
    assert "ส่งโดย somsri ใจดี" in off.text and "110 คน" in off.text
    off.tap("ส่งกลับให้แก้ไข")
    off.say("กรุณาแก้จำนวนผู้เข้าร่วมให้ตรงกับใบลงทะเบียนค่ะ")
    off.tap("ยืนยัน")
    assert "ส่งรายงานของ มูลนิธิรักษ์น้ำพิษณุโลก กลับให้แก้ไขแล้ว" in off.text
    with runtime.db.session() as s:
        assert s.exec(select(Report)).one().status == "returned"
    off.postback(f"go:report.status:{dl}")
    assert "ส่งแล้ว 0 จาก 1" in off.text and "(ส่งกลับให้แก้ไข)" in off.text

    [msg] = _outbox(runtime, "report:return:")
    assert msg.address == "web:somsri"
    reply = replies_from_json(msg.content)[0]
    assert "ใบลงทะเบียน" in reply.text
    chat.postback(reply.choices[0].value)
    assert "ข้อความจากเจ้าหน้าที่" in chat.text and "1. " in chat.text
    chat.tap("แก้กิจกรรมที่ 1")
    chat.tap("แก้ไข")
    chat.tap("ผู้เข้าร่วม")
    chat.say("98 คน")
    chat.tap("ยืนยัน")
    assert "ที่แก้ไขกลับไปยัง พมจ." in chat.text
    off.postback(f"go:report.status:{dl}")
    assert "ส่งแล้ว 1 จาก 1" in off.text
    with runtime.db.session() as s:
        from storage.repositories import reports as repo

        [row] = list(repo.export_rows(s, deadline_id=dl))
    assert row["participants"] == 98


def test_a_provincial_officer_cannot_see_another_province(new_chat, runtime) -> None:  # noqa: ANN001
    deadline(runtime, provinces=("นครราชสีมา",))
    chat = member(new_chat, "jan", "มูลนิธิเพื่อนหญิงโคราช", province="โคราช")
    report_one_sentence(chat, deadline_label="รายงานผลการดำเนินงาน")
    with runtime.db.session() as s:
        report_id = s.exec(select(Report)).one().id
    off = officer(new_chat, runtime)  # พิษณุโลก
    off.say("สถานะการส่งรายงาน")
    assert "ยังไม่มีกำหนดส่งรายงาน" in off.text
    off.postback(f"go:report.view:{report_id}")
    assert "ไม่พบรายงานนี้" in off.text
    off.postback(f"go:report.return:{report_id}")
    assert "ไม่พบรายงานนี้" in off.text


def test_members_cannot_use_officer_actions(new_chat, runtime) -> None:  # noqa: ANN001
    dl = deadline(runtime)
    chat: Chat = member(new_chat, "somsri", "มูลนิธิรักษ์น้ำพิษณุโลก")
    chat.postback(f"go:report.nudge:{dl}")
    assert "สำหรับเจ้าหน้าที่ พมจ. เท่านั้น" in chat.text
    assert _outbox(runtime, "report:nudge:") == []
