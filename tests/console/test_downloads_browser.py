"""In headless Chromium, one server and one browser: publishing an event and verifying an organization ask
first with the count of people told; the console's downloads (the directory, an event's registrations, a
deadline's reports, the organizations no channel reaches), fetched by clicking their buttons, are in Thai for people — Thai column names and
statuses, Bangkok times with Buddhist-Era years, no formula from what members typed — and the audit log
reads as Thai sentences for each of these actions."""
from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import load_workbook

from sqlmodel import select

from bot.messages import Address
from storage.models.members import MemberIdentity
from storage.repositories import events as events_repo
from storage.repositories import members as members_repo
from storage.repositories import organizations as orgs_repo
from storage.repositories import reports as reports_repo
from tests.console.browser import browser_page, chromium_missing, live_console, log_in
from tests.console.conftest import PASSWORD

pytestmark = pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or "")

FORMULA_ORG = '=HYPERLINK("http://evil.example/x","คลิกเพื่อดูผล")'
FORMULA_PERSON = "@สมชาย ใจร้าย"
FORMULA_ACTIVITY = "+โครงการปันน้ำใจ"
THAI = re.compile(r"[\u0E00-\u0E7F]")
BE_DATE = re.compile(r"^\d{1,2} (?:ม\.ค\.|ก\.พ\.|มี\.ค\.|เม\.ย\.|พ\.ค\.|มิ\.ย\.|ก\.ค\.|ส\.ค\.|ก\.ย\.|ต\.ค\.|พ\.ย\.|ธ\.ค\.) 25\d\d")
RAW_CELL = re.compile(r"\d{4}-\d\d-\d\d|T\d\d:\d\d|^(?:True|False|true|false|None|registered|waitlisted|attended"
                      r"|submitted|public_benefit|community_welfare)$")
RAW_LOG = re.compile(r"\b(?:broadcast|event|org|login|export|ticket|report|deadline)\.[a-z_]+|urgent|scheduled_at"
                     r"|starts_at|None|False|True|\d{4}-\d\d-\d\dT\d\d:")


@pytest.fixture
def live(settings, clock, seeded, fake_line):  # noqa: ANN001, ANN201
    with live_console(settings, clock, fake_line) as (server, _app, runtime):
        with runtime.db.session() as s:  # what a member typed, shaped like a spreadsheet formula
            org = orgs_repo.create(s, name=FORMULA_ORG, kind="community_welfare", province="พิษณุโลก",
                                   district="วังทอง")
            person = members_repo.create(s, address=Address("web", "d4" * 16), organization_id=org.id,
                                         full_name=FORMULA_PERSON, position="ประธาน", phone="0891112222")
            report = reports_repo.start_report(s, organization_id=org.id, deadline_id=seeded["deadline"],
                                               member_id=person.id)
            activity = reports_repo.new_activity(s, report=report, member_id=person.id, original_text=FORMULA_ACTIVITY)
            reports_repo.complete_activity(s, activity=activity, values={"title": FORMULA_ACTIVITY, "participants": 12})
            reports_repo.submit(s, report=report, member_id=person.id)
            ids = {"org": org.id, "person": person.id}
        yield server, runtime, ids


def _rows(page, selector: str) -> list[list[str]]:  # noqa: ANN001
    """Click a download button; the file's rows (CSV or XLSX), header first, as the officer's browser saved it."""
    with page.expect_download() as info:
        page.click(selector)
    download = info.value
    data = open(download.path(), "rb").read()  # noqa: SIM115
    if download.suggested_filename.endswith(".xlsx"):
        sheet = load_workbook(io.BytesIO(data)).active
        return [["" if c.value is None else str(c.value) for c in row] for row in sheet.iter_rows()]
    assert data.startswith(b"\xef\xbb\xbf")  # a BOM: Excel opens the Thai as Thai
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def _for_people(rows: list[list[str]], *, dated: str | None) -> dict[str, list[str]]:
    header, body = rows[0], rows[1:]
    assert body and all(THAI.search(h) for h in header), header
    for row in body:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@")), cell
            assert not RAW_CELL.search(cell), cell
    columns = {h: [row[i] for row in body] for i, h in enumerate(header)}
    if dated:
        assert all(BE_DATE.match(v) for v in columns[dated] if v), columns[dated]
    return columns


def test_confirm_then_download_in_thai_and_read_the_log(live, seeded) -> None:  # noqa: ANN001
    server, rt, ids = live
    base = server.url
    with browser_page(width=1280, height=800) as page:
        log_in(page, base, "plk@example.go.th", PASSWORD)

        # publish an event: asked first, with how many people will be told
        event_url = f"{base}/admin/events/{seeded['ev_plk']}"
        page.goto(event_url)
        page.locator("form[action$='/publish'] button").click()
        assert "ยืนยันการเผยแพร่กิจกรรม" in page.inner_text("h1")
        assert "แจ้งผู้รับ 2 คน" in page.inner_text("#confirm")
        page.click("#confirm-yes")
        page.wait_for_url(event_url + "*")
        assert page.inner_text("#event-status") == "เผยแพร่แล้ว"
        with rt.db.session() as s:
            events_repo.register(s, event_id=seeded["ev_plk"], member_id=ids["person"], organization_id=ids["org"],
                                 attendees=[(FORMULA_PERSON, "-ประธาน")], phone="0891112222", now=rt.clock.now())

        # verify an organization: asked first, with its members
        org_url = f"{base}/admin/orgs/{ids['org']}"
        page.goto(org_url)
        page.locator("form[action$='/verify'] button").click()
        assert "รับรององค์กรนี้" in page.inner_text("#confirm") and "สมาชิก 1 คน" in page.inner_text("#confirm")
        page.click("#confirm-yes")
        page.wait_for_url(org_url + "*")

        # send a broadcast (asked first), so the log has one too
        page.goto(f"{base}/admin/broadcasts/new")
        page.fill("#text", "ขอเชิญร่วมเวทีเสวนาเครือข่าย 15 ธ.ค. ที่ พมจ.")
        page.click("button[name=action][value=send]")
        assert "ประกาศนี้จะส่งถึง 2 คน" in page.inner_text("#confirm-message")
        page.click("#confirm-yes")
        page.wait_for_url(re.compile(r"/admin/broadcasts/\d+"))

        # the directory, as the officer downloads it
        page.goto(f"{base}/admin/orgs")
        orgs = _for_people(_rows(page, "a[href^='/admin/orgs/export?fmt=csv']"), dated="วันที่ลงทะเบียน")
        assert "'" + FORMULA_ORG in orgs["ชื่อองค์กร"]  # shown as text, never run
        assert set(orgs["ประเภท"]) <= {"องค์กรสาธารณประโยชน์", "องค์กรสวัสดิการชุมชน"}
        assert set(orgs["ยืนยันแล้ว"]) == {"ใช่", "ไม่"}
        xlsx = _for_people(_rows(page, "a[href^='/admin/orgs/export?fmt=xlsx']"), dated="วันที่ลงทะเบียน")
        assert "'" + FORMULA_ORG in xlsx["ชื่อองค์กร"]

        # an event's registrations: Thai status, the check-in code, registered at 10.00 Bangkok time
        page.goto(event_url)
        regs = _for_people(_rows(page, f"a[href$='/events/{seeded['ev_plk']}/export?fmt=csv']"),
                           dated="วันที่ลงทะเบียน")
        assert regs["ชื่อ-นามสกุลผู้เข้าร่วม"] == ["'" + FORMULA_PERSON] and regs["ตำแหน่ง"] == ["'-ประธาน"]
        assert regs["สถานะ"] == ["ลงทะเบียนแล้ว"] and regs["มาร่วมงาน"] == ["ไม่"] and regs["รหัสเช็กอิน"][0]
        assert regs["วันที่ลงทะเบียน"] == ["25 พ.ย. 2569 10.00 น."]

        # a deadline's reports
        page.goto(f"{base}/admin/deadlines/{seeded['deadline']}")
        reports = _for_people(_rows(page, "a[href$='/export?fmt=xlsx']"), dated="วันที่ส่ง")
        assert "'" + FORMULA_ACTIVITY in reports["กิจกรรม"] and "'" + FORMULA_PERSON in reports["ผู้ส่ง"]
        assert "'" + FORMULA_ORG in reports["องค์กร"]

        # organizations no channel reaches any more (the member blocked the bot), to call instead
        with rt.db.session() as s:
            identity = s.exec(select(MemberIdentity).where(MemberIdentity.member_id == ids["person"])).one()
            identity.reachable = False
            s.add(identity)
        page.goto(f"{base}/admin/reach/unreachable")
        unreachable = _for_people(_rows(page, "a[href$='format=csv']"), dated=None)
        row = unreachable["องค์กร"].index("'" + FORMULA_ORG)
        assert unreachable["อำเภอ"][row] == "วังทอง" and "0891112222" in unreachable["โทรศัพท์สมาชิก"][row]

        # the audit log: a Thai sentence for each, no keys, flags or ISO times
        page.goto(f"{base}/admin/audit")
        log = page.inner_text("main")
        assert "เผยแพร่กิจกรรม “อบรมผู้บริหารองค์กรสาธารณประโยชน์ รุ่นที่ 5” แจ้งผู้รับ 2 คน" in log
        assert f"รับรององค์กร {FORMULA_ORG}" in log and "ส่งประกาศถึง 2 คน (จังหวัด: พิษณุโลก)" in log
        assert "ดาวน์โหลดทำเนียบองค์กร 3 แถว" in log and "ดาวน์โหลดรายชื่อผู้ลงทะเบียนกิจกรรม" in log
        assert not RAW_LOG.search(log), RAW_LOG.search(log)
