"""The console speaks Thai to people: the audit log in sentences, downloads in Thai, labels cut at words."""
from __future__ import annotations

import re

from storage.repositories import console as console_repo
from tests.console.conftest import csrf_of

RAW = re.compile(r"\b(?:broadcast|event|org|login|export|ticket|report|deadline)\.[a-z_]+|urgent|scheduled_at|None|False"
                 r"|\d{4}-\d\d-\d\dT\d\d:")


def _visible(html: str) -> str:
    body = html.split("<main", 1)[-1]
    return re.sub(r"<[^>]+>", " ", body)


def test_the_audit_log_reads_as_thai_sentences(as_plk, seeded, runtime) -> None:  # noqa: ANN001
    with runtime.db.session() as s:
        login = s.get(console_repo.OfficerLogin, seeded["plk@example.go.th"])
        login.display_name = "นางสาวพิมพ์ชนก"
        s.add(login)
    form = as_plk.get("/admin/broadcasts/new").text
    as_plk.post("/admin/broadcasts/new", data={"csrf": csrf_of(form), "audience": "province", "action": "send",
                                               "text": "ขอเชิญร่วมเวทีเสวนาเครือข่าย", "schedule": "later",
                                               "scheduled_at": "2026-12-01T09:00"})
    form = as_plk.get("/admin/events/new").text
    as_plk.post("/admin/events/new", data={
        "csrf": csrf_of(form), "title": "สัมมนาเครือข่าย", "kind": "seminar", "starts_at": "2027-01-20T09:00",
        "ends_at": "2027-01-20T16:00", "venue": "ศาลากลาง", "capacity": "60", "seats_per_org": "2"})
    with runtime.db.session() as s:  # an action this page has no sentence for yet
        console_repo.record(s, action="org.merge", email="plk@example.go.th", province="พิษณุโลก",
                            target_type="organization", target_id=7, details={"into": 9, "flag": False})
    page = as_plk.get("/admin/audit").text
    text = _visible(page)
    assert "นางสาวพิมพ์ชนก ส่งประกาศถึง 1 คน (จังหวัด: พิษณุโลก) ตั้งเวลาส่ง 1 ธ.ค. 2569 09.00 น." in text
    assert "นางสาวพิมพ์ชนก สร้างกิจกรรม “สัมมนาเครือข่าย” วันที่ 20 ม.ค. 2570 09.00 น." in text
    assert "นางสาวพิมพ์ชนก เข้าสู่ระบบ" in text
    assert "plk@example.go.th แก้ไของค์กร #7" in text  # unknown action: a generic Thai sentence
    assert "“ขอเชิญร่วมเวทีเสวนาเครือข่าย”" in text
    assert not RAW.search(text), RAW.search(text)
    english = as_plk.get("/admin/lang/en?next=/admin/audit", follow_redirects=True).text
    assert "นางสาวพิมพ์ชนก sent an announcement to" in english
