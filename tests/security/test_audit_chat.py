"""Officer actions taken in the chat are written to the console's audit log; an organization moved between
provinces shows in both provinces' logs; the audit log keeps no phone numbers."""
from __future__ import annotations

import json
from datetime import datetime

from sqlmodel import select

from bot.clock import BANGKOK
from storage.models import AuditEntry, Organization
from storage.repositories import console as console_repo
from storage.repositories import events as events_repo
from tests.console.conftest import as_plk, client, csrf_of, login, seeded  # noqa: F401  (console fixtures)
from tests.conversations.helpers import make_officer, sign_up_new_org
from tests.events.helpers import add_member, make_event
from tests.reports.helpers import deadline, member, report_one_sentence


def _entries(runtime, action: str) -> list[AuditEntry]:  # noqa: ANN001
    with runtime.db.session() as s:
        return list(s.exec(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def test_verifying_an_organization_in_the_chat_is_audited_under_the_linked_console_login(chat, new_chat) -> None:  # noqa: ANN001
    runtime = chat.runtime
    officer_id = make_officer(runtime, "officer-nan", "น่าน")
    with runtime.db.session() as s:
        login_row = console_repo.create_login(s, email="nan@example.go.th", password="correct-horse-battery",
                                              province="น่าน")
        login_row.member_id = officer_id
        s.add(login_row)
    sign_up_new_org(chat, province="น่าน")
    with runtime.db.session() as s:
        org = s.exec(select(Organization)).one()
    new_chat("officer-nan").postback(f"go:org.verify:{org.id}")
    [entry] = _entries(runtime, "org.verify")
    assert (entry.province, entry.target_type, entry.target_id) == ("น่าน", "organization", str(org.id))
    assert entry.email == "nan@example.go.th" and entry.details["via"] == "chat:web"
    assert entry.details["name"] == org.name


def test_a_broadcast_sent_in_the_chat_is_audited(new_chat, runtime) -> None:  # noqa: ANN001
    make_officer(runtime, "officer", "พิษณุโลก")
    add_member(runtime, "somsri")
    off = new_chat("officer")
    off.say("ประกาศ")
    off.say("ประชุมเครือข่ายวันศุกร์นี้ 9 โมง ที่ พมจ.")
    off.tap("ทุกองค์กรในจังหวัดพิษณุโลก")
    assert "จำนวนผู้รับ: 1 คน" in off.text
    off.tap("ส่งเลย")
    [entry] = _entries(runtime, "broadcast.create")
    assert entry.province == "พิษณุโลก" and entry.target_type == "broadcast"
    assert entry.details["officer"] == "เจ้าหน้าที่ officer" and entry.email == ""


def test_returning_a_report_in_the_chat_is_audited(new_chat, runtime) -> None:  # noqa: ANN001
    dl = deadline(runtime)
    chat = member(new_chat, "somsri", "มูลนิธิรักษ์น้ำพิษณุโลก")
    report_one_sentence(chat, deadline_label="รายงานผลการดำเนินงาน")
    make_officer(runtime, "officer", "พิษณุโลก")
    off = new_chat("officer")
    off.postback(f"go:report.status:{dl}")
    off.tap("ดูรายงานที่ส่งแล้ว")
    off.tap("มูลนิธิรักษ์น้ำพิษณุโลก")
    off.tap("ส่งกลับให้แก้ไข")
    off.say("กรุณาแก้จำนวนผู้เข้าร่วมให้ตรงกับใบลงทะเบียนค่ะ")
    off.tap("ยืนยัน")
    [entry] = _entries(runtime, "report.return")
    assert entry.province == "พิษณุโลก" and entry.details["organization"] == "มูลนิธิรักษ์น้ำพิษณุโลก"


def test_attendance_taken_in_the_chat_is_audited(new_chat, runtime) -> None:  # noqa: ANN001
    event_id = make_event(runtime)
    member_id = add_member(runtime, "boon", name="บุญมี ศรีสุข")
    with runtime.db.session() as s:
        events_repo.register(s, event_id=event_id, member_id=member_id, organization_id=None,
                             attendees=[("บุญมี ศรีสุข", None)], phone=None, now=runtime.clock.now())
    make_officer(runtime, "officer", "พิษณุโลก")
    runtime.clock.set(datetime(2027, 1, 29, 8, 30, tzinfo=BANGKOK))
    off = new_chat("officer")
    off.postback(f"go:event.attendance:{event_id}")
    assert "มาแล้ว 0 จาก 1 คน" in off.text
    off.say("1")
    assert "มาแล้ว 1 จาก 1 คน" in off.text
    [entry] = _entries(runtime, "event.attendance")
    assert entry.province == "พิษณุโลก" and entry.details["present"] == 1


def test_an_organization_moved_between_provinces_shows_in_both_logs(client, seeded, runtime) -> None:  # noqa: ANN001, F811
    login(client, "admin@example.go.th")
    page = client.get(f"/admin/orgs/{seeded['plk']}")
    res = client.post(f"/admin/orgs/{seeded['plk']}", data={
        "csrf": csrf_of(page.text), "name": "มูลนิธิพัฒนาเด็กและครอบครัวพิษณุโลก", "kind": "public_benefit",
        "province": "นครราชสีมา", "district": "เมือง", "contact_name": "สมศรี ใจดี", "phone": "0899999999"})
    assert res.status_code == 303, res.text
    client.post("/admin/logout", data={"csrf": csrf_of(client.get("/admin").text)})
    for email in ("plk@example.go.th", "nma@example.go.th"):
        client.cookies.clear()
        login(client, email)
        log_page = client.get("/admin/audit").text
        assert "แก้ไขข้อมูลองค์กร" in log_page and "นครราชสีมา" in log_page, email
    stored = json.dumps([e.details for e in _entries(runtime, "org.edit")], ensure_ascii=False)
    assert "0899999999" not in stored and "0812345678" not in stored  # the audit log keeps no phone numbers


def test_phone_numbers_already_in_the_audit_log_are_masked_by_the_upgrade(tmp_path) -> None:  # noqa: ANN001
    from sqlalchemy import create_engine, text

    from storage.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, revision="0006")  # a database from before: the audit log kept phone numbers
    engine = create_engine(url)
    details = {"name": "มูลนิธิ", "changes": {"phone": [None, "0817778888"], "contact_name": ["ก", "ข 081-234-5678"]}}
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO console_audit (at, email, action, details) VALUES "
                          "('2026-11-01 00:00:00', 'a@example.go.th', 'org.edit', :d)"),
                     {"d": json.dumps(details, ensure_ascii=False)})
    upgrade(url)
    with engine.connect() as conn:
        stored = json.loads(conn.execute(text("SELECT details FROM console_audit")).scalar_one())
    engine.dispose()
    assert stored == {"name": "มูลนิธิ", "changes": {"phone": [None, "***"], "contact_name": ["ก", "ข ***"]}}
