"""The console speaks Thai to people: the audit log in sentences, downloads in Thai, labels cut at words."""
from __future__ import annotations

import csv
import io
import re

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from sqlmodel import select

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
                                               "confirmed": "1",
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


def _register(runtime, seeded, *, attended: bool) -> str:  # noqa: ANN001
    """Somsri registered for the Phitsanulok training (and came, when `attended`); her check-in code."""
    from storage.models.events import EventAttendee, EventRegistration
    from storage.repositories import events as events_repo

    with runtime.db.session() as s:
        events_repo.publish(s, event=events_repo.get(s, event_id=seeded["ev_plk"]), now=runtime.clock.now())
    with runtime.db.session() as s:
        events_repo.register(s, event_id=seeded["ev_plk"], member_id=seeded["m1"], organization_id=seeded["plk"],
                             attendees=[("สมศรี ใจดี", "ประธาน")], phone="0812345678", now=runtime.clock.now())
    with runtime.db.session() as s:
        reg = s.exec(select(EventRegistration)).one()
        if attended:
            att = s.exec(select(EventAttendee)).one()
            events_repo.set_attended(s, attendee=att, attended=True, now=runtime.clock.now())
        return reg.checkin_code


def test_the_registrations_download_is_in_thai_with_check_in_and_attendance(as_plk, seeded, runtime) -> None:  # noqa: ANN001
    code = _register(runtime, seeded, attended=True)
    res = as_plk.get(f"/admin/events/{seeded['ev_plk']}/export?fmt=csv")
    (row,) = list(csv.DictReader(io.StringIO(res.content.decode("utf-8-sig"))))
    assert row["ชื่อ-นามสกุลผู้เข้าร่วม"] == "สมศรี ใจดี" and row["สถานะ"] == "เข้าร่วมแล้ว"
    assert row["รหัสเช็กอิน"] == code and row["มาร่วมงาน"] == "ใช่"
    assert row["เวลาที่มาถึง"] == "25 พ.ย. 2569 10.00 น."  # Bangkok time, Buddhist-Era year
    assert row["วันที่ลงทะเบียน"].endswith("2569 10.00 น.")
    assert not any(v in ("registered", "attended", "true", "false") for v in row.values())
    assert not any(RAW.search(v) for v in row.values())
    xlsx = as_plk.get(f"/admin/events/{seeded['ev_plk']}/export?fmt=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    headers = [c.value for c in sheet[1]]
    widths = {h: sheet.column_dimensions[get_column_letter(i)].width for i, h in enumerate(headers, 1)}
    assert widths["ชื่องาน"] > widths["รหัสงาน"]  # sized to what they hold
    assert widths["ชื่องาน"] >= len("อบรมผู้บริหารองค์กรสาธารณประโยชน์ รุ่นที่ 5") - 10


def test_the_cli_keeps_its_machine_columns_unless_asked_for_thai(cli, seeded, runtime, tmp_path) -> None:  # noqa: ANN001
    _register(runtime, seeded, attended=False)
    plain, thai = tmp_path / "plain.csv", tmp_path / "thai.csv"
    assert cli(["export", "registrations", "--event", str(seeded["ev_plk"]), "--out", str(plain)]).exit_code == 0
    assert cli(["export", "registrations", "--event", str(seeded["ev_plk"]), "--out", str(thai), "--thai"]).exit_code == 0
    (machine,) = list(csv.DictReader(plain.open(encoding="utf-8-sig")))
    assert list(machine)[:9] == ["event_id", "event_title", "organization", "province", "attendee_name", "position",
                                 "phone", "status", "registered_at"]
    assert machine["status"] == "registered" and machine["registered_at"].startswith("2026-11-25T03:00")
    (people,) = list(csv.DictReader(thai.open(encoding="utf-8-sig")))
    assert people["สถานะ"] == "ลงทะเบียนแล้ว" and people["มาร่วมงาน"] == "ไม่" and people["รหัสเช็กอิน"]


def test_broadcast_pages_name_things_once_and_cut_event_names_at_words(as_plk, seeded, runtime) -> None:  # noqa: ANN001
    from pythainlp.tokenize import word_tokenize

    from tests.events.helpers import make_event

    title = "อบรมเชิงปฏิบัติการการจัดทำแผนพัฒนาองค์กรสาธารณประโยชน์และองค์กรสวัสดิการชุมชนจังหวัดพิษณุโลก"
    make_event(runtime, title=title)
    form = as_plk.get("/admin/broadcasts/new").text
    events = form.split('id="event_id"')[1].split("</select>")[0]
    (label,) = re.findall(r'<option value="\d+"\s*>([^<]*)</option>', events)
    assert label.endswith("…") and len(label) <= 60
    words, built = word_tokenize(title, engine="newmm"), ""
    prefixes = set()
    for w in words:
        built += w
        prefixes.add(built)
    assert label.removesuffix("…") in prefixes  # whole words only
    history = as_plk.get("/admin/broadcasts").text
    header = history.split("<thead>")[1].split("</thead>")[0]
    assert re.sub(r"<[^>]+>", "|", header).split("|").count("ผู้รับ") == 0
    assert "กลุ่มผู้รับ" in header and "จำนวนผู้รับ" in header and "เวลาส่ง" in header and "กำหนดส่ง" not in header
