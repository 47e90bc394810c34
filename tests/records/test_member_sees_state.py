"""The member reads their report's state change: ได้รับแล้ว once sent, a message and ตรวจรับแล้ว once the
office accepts it, a message with the officer's reason when it is returned."""
from __future__ import annotations

from sqlmodel import col, select

from bot.notices import notify_accepted, notify_returned
from storage.models import OutboxMessage
from storage.models.reports import Report
from storage.repositories import report_records
from storage.repositories import reports as reports_repo
from tests.reports.helpers import deadline, member, report_one_sentence


def _told(runtime, prefix: str) -> list[str]:  # noqa: ANN001
    with runtime.db.session() as s:
        return [m.content[0]["text"] for m in s.exec(select(OutboxMessage).where(
            OutboxMessage.address == "web:somsri", col(OutboxMessage.key).startswith(prefix)))]


def test_received_then_accepted_then_returned(new_chat, runtime) -> None:  # noqa: ANN001
    dl = deadline(runtime)
    chat = member(new_chat, "somsri", "มูลนิธิรักษ์น้ำพิษณุโลก")
    report_one_sentence(chat, deadline_label="รายงานผลการดำเนินงาน")
    chat.postback(f"go:report.start:{dl}")
    assert "สถานะ: ได้รับแล้ว" in chat.text
    with runtime.db.session() as s:
        report = s.exec(select(Report)).one()
        assert report_records.accept(s, report=report, officer_id=None)
        assert notify_accepted(s, report=report) == 1
    assert any("ตรวจรับรายงาน \"รายงานผลการดำเนินงานประจำปี 2569\"" in t for t in _told(runtime, "report:accepted:"))
    chat.postback(f"go:report.start:{dl}")
    assert "สถานะ: ตรวจรับแล้ว" in chat.text
    with runtime.db.session() as s:
        report = s.exec(select(Report)).one()
        reports_repo.return_for_correction(s, report=report, officer_id=None, note="กรุณาแนบรูปกิจกรรมค่ะ")
        notify_returned(s, report=report, note="กรุณาแนบรูปกิจกรรมค่ะ")
    assert any("กรุณาแนบรูปกิจกรรมค่ะ" in t for t in _told(runtime, "report:return:"))
    chat.postback(f"go:report.fix:{report.id}")
    assert "กรุณาแนบรูปกิจกรรมค่ะ" in chat.text and "ส่งอีกครั้ง" in " ".join(chat.labels)
