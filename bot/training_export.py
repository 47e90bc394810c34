"""The training day's columns in an event's registration export (console and `khruakhai export
registrations`): walk-in, dietary and access needs, feedback, certificate number. Every cell still goes
through `bot.export.safe_cell` (the writers call it), so a comment typed as ``=HYPERLINK(…)`` stays text."""
from __future__ import annotations

from typing import Any

from sqlmodel import Session

from bot import i18n
from bot.export import Column
from storage.repositories import training as training_repo

DAY_COLUMNS = (
    Column("walk_in", "ลงทะเบียนหน้างาน"),
    Column("needs", "อาหาร/การเดินทาง"),
    Column("needs_note", "รายละเอียดความต้องการ"),
    Column("feedback_rating", "คะแนนประเมิน (1–5)"),
    Column("feedback_comment", "ความคิดเห็น"),
    Column("certificate_no", "เลขที่เกียรติบัตร"),
)


def with_day_columns(session: Session, event_id: int, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    extras = training_repo.export_extras(session, event_id=event_id)
    for row in rows:
        reg = extras.get(row.get("registration_id", 0), {})
        att = extras.get(-row.get("attendee_id", 0), {}) if row.get("attendee_id") else {}
        if reg.get("walk_in"):
            row["organization"] = row.get("organization") or reg.get("walk_in_org", "")
        row["walk_in"] = bool(reg.get("walk_in"))
        row["needs"] = ", ".join(i18n.t(f"event.needs.{n}", "th") for n in reg.get("needs", []))
        row["needs_note"] = reg.get("needs_note", "")
        row["feedback_rating"] = reg.get("feedback_rating")
        row["feedback_comment"] = reg.get("feedback_comment", "")
        row["certificate_no"] = att.get("certificate_no", "")
    return rows
