""""ยกเลิก" means it: a half-written report is gone, so the chat never offers to resume what it just
said was not saved."""
from __future__ import annotations

from sqlmodel import select

from storage.models.reports import Report, ReportActivity
from tests.reports.helpers import deadline, member


def test_cancel_throws_the_draft_away_and_it_is_not_offered_again(new_chat, runtime) -> None:  # noqa: ANN001
    deadline(runtime)
    chat = member(new_chat, "somsri", "มูลนิธิรักษ์น้ำพิษณุโลก")
    chat.say("ส่งรายงาน")
    chat.say("อบรมอาสาสมัครดูแลผู้สูงอายุ 3 พ.ย. 68")
    assert "ผู้เข้าร่วมกี่คน" in chat.text
    chat.say("ยกเลิก")
    assert "ไม่ได้บันทึก" in chat.text
    with runtime.db.session() as s:
        assert s.exec(select(ReportActivity)).all() == []
        assert s.exec(select(Report)).all() == []
    chat.say("ส่งรายงาน")
    assert "ยังทำไม่เสร็จ" not in chat.text and "ทำต่อ" not in chat.labels
    assert "เล่ากิจกรรม" in chat.text

