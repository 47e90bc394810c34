"""Reach: delivered per channel and LINE's opens and clicks (read from the fake's statistics endpoint by
the job, shown by the console), "too few to show" below 20 recipients, the organizations nobody can
reach (page, export) and the composer's count."""
from __future__ import annotations

import csv
import io
import uuid
from datetime import date, datetime

from bot.clock import BANGKOK
from bot.broadcast_expand import prepare_due_broadcasts
from bot.delivery import drain_once
from bot.messages import Address
from bot.outbox import create_broadcast
from bot.reach import fetch_statistics
from bot.reminders import send_due_reminders
from storage.repositories import console as console_repo
from storage.repositories import members as members_repo
from storage.repositories import organizations as orgs_repo
from storage.repositories import reports as reports_repo
from tests.console.conftest import PASSWORD, csrf_of


def _line_id() -> str:
    return "U" + uuid.uuid4().hex


def _seed(runtime) -> dict[str, list[str]]:  # noqa: ANN001
    """25 organizations of น่าน with a LINE member each, 1 with a Telegram member, 3 with nobody reachable."""
    users: dict[str, list[str]] = {"line": []}
    with runtime.db.session() as s:
        for i in range(25):
            org = orgs_repo.create(s, name=f"มูลนิธิทดสอบ {i:02d}", kind="public_benefit", province="น่าน")
            uid = _line_id()
            members_repo.create(s, address=Address("line", uid), organization_id=org.id, full_name=f"สมาชิก {i}",
                                position=None, phone=None)
            users["line"].append(uid)
        tg_org = orgs_repo.create(s, name="สมาคมเทเลแกรม", kind="public_benefit", province="น่าน")
        members_repo.create(s, address=Address("telegram", "4242"), organization_id=tg_org.id, full_name="ทีจี",
                            position=None, phone=None)
        orgs_repo.create(s, name="=HYPERLINK(\"http://x\")", kind="other", province="น่าน", phone="0811111111")
        blocked_org = orgs_repo.create(s, name="ชมรมบล็อกแล้ว", kind="other", province="น่าน")
        gone = members_repo.create(s, address=Address("line", _line_id()), organization_id=blocked_org.id,
                                   full_name="สมหมาย บล็อก", position=None, phone="0899999999")
        for identity in members_repo.addresses(s, member_id=gone.id):
            from sqlmodel import select

            from storage.models import MemberIdentity
            row = s.exec(select(MemberIdentity).where(MemberIdentity.address == identity)).one()
            row.reachable = False
            s.add(row)
        orgs_repo.create(s, name="ชมรมไม่มีสมาชิก", kind="other", province="น่าน")
        orgs_repo.create(s, name="มูลนิธิจังหวัดอื่น", kind="other", province="ตาก")
        console_repo.create_login(s, email="nan@example.go.th", password=PASSWORD, province="น่าน")
    return users


def _login(client) -> None:  # noqa: ANN001
    page = client.get("/admin/login")
    assert client.post("/admin/login", data={"email": "nan@example.go.th", "password": PASSWORD,
                                             "csrf": csrf_of(page.text), "next": "/admin"}).status_code == 303


def test_a_broadcasts_opens_and_clicks_come_from_lines_statistics(server, fake_line) -> None:  # noqa: ANN001
    client, _channel = server
    runtime = client.app.state.runtime
    users = _seed(runtime)
    with runtime.db.session() as s:
        create_broadcast(s, text="ขอเชิญประชุมเครือข่าย 10 ธ.ค. https://example.org/agenda",
                         audience={"name": "province", "param": "น่าน"}, scope_province="น่าน")
        reports_repo.create_deadline(s, title="รายงานประจำปี", due_date=date(2026, 12, 9))
    prepare_due_broadcasts(runtime)
    drain_once(runtime)
    # Every LINE send of the broadcast carried its unit.
    multicasts = fake_line.calls_to("multicast")
    assert multicasts and all(c["body"]["customAggregationUnits"] == ["bc_1"] for c in multicasts)
    assert len(fake_line.unit_recipients["bc_1"]) == 25
    fake_line.record_open("bc_1", *users["line"][:21])
    fake_line.record_click("bc_1", "https://example.org/agenda", *users["line"][:5])
    # The deadline's reminder (14 days before) goes to every member: its own unit.
    scan = send_due_reminders(runtime, now=datetime(2026, 11, 25, 10, 0, tzinfo=BANGKOK))
    assert scan.count("queued") >= 1
    drain_once(runtime)

    assert fetch_statistics(runtime) >= 2  # the scheduled job (never a turn) asks LINE and stores
    insight = fake_line.calls_to("getStatisticsPerUnit")
    assert {c["path"] for c in insight} == {"/v2/bot/insight/message/event/aggregation"} and all(
        c["status"] == 200 for c in insight)

    _login(client)
    page = client.get("/admin/reach")
    assert page.status_code == 200
    row = page.text.split('id="reach-broadcasts"')[1].split("</table>")[0]
    assert "ขอเชิญประชุมเครือข่าย" in row and ">21<" in row and ">5<" in row
    assert "LINE: 25 จาก 25" in row and "Telegram: 1 จาก 1" in row
    reminder = page.text.split('id="reach-reminders"')[1].split("</table>")[0]
    assert "รายงานประจำปี" in reminder and "LINE: 25 จาก 25" in reminder and ">0<" in reminder
    units = {u for c in fake_line.calls_to("multicast") for u in c["body"].get("customAggregationUnits", [])}
    assert len(units) == 2 and "bc_1" in units
    assert "ส่งถึงได้ 26 องค์กร, ติดต่อไม่ได้ 3 องค์กร" in page.text
    assert not fake_line.unexpected_violations()


def test_too_few_recipients_shows_too_few_to_show(server, fake_line) -> None:  # noqa: ANN001
    client, _channel = server
    runtime = client.app.state.runtime
    with runtime.db.session() as s:
        org = orgs_repo.create(s, name="มูลนิธิเล็ก", kind="public_benefit", province="น่าน")
        for i in range(3):
            members_repo.create(s, address=Address("line", _line_id()), organization_id=org.id,
                                full_name=f"คนที่ {i}", position=None, phone=None)
        create_broadcast(s, text="ประกาศสั้น ๆ ถึงสามคน", audience={"name": "province", "param": "น่าน"},
                         scope_province="น่าน")
        console_repo.create_login(s, email="nan@example.go.th", password=PASSWORD, province="น่าน")
    prepare_due_broadcasts(runtime)
    drain_once(runtime)
    assert fetch_statistics(runtime) == 1
    _login(client)
    row = client.get("/admin/reach").text.split('id="reach-broadcasts"')[1]
    assert "น้อยเกินกว่าจะแสดง" in row


def test_organizations_nobody_can_reach_page_export_and_composer(server, fake_line) -> None:  # noqa: ANN001
    client, _channel = server
    runtime = client.app.state.runtime
    _seed(runtime)
    _login(client)
    page = client.get("/admin/reach/unreachable")
    table = page.text.split('id="unreachable"')[1]
    for name in ("ชมรมบล็อกแล้ว", "ชมรมไม่มีสมาชิก"):
        assert name in table
    assert "081-111-1111" in table and "สมหมาย บล็อก 089-999-9999" in table
    assert "มูลนิธิทดสอบ" not in table and "สมาคมเทเลแกรม" not in table and "มูลนิธิจังหวัดอื่น" not in table
    export = client.get("/admin/reach/unreachable?format=csv")
    rows = list(csv.DictReader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert len(rows) == 3
    name = next(iter(rows[0]))  # the organization's name, under its Thai header
    assert {r[name] for r in rows} >= {"ชมรมบล็อกแล้ว", "'=HYPERLINK(\"http://x\")"}  # no formula runs in Excel
    compose = client.get("/admin/broadcasts/new")
    assert "ส่งถึงได้ 26 องค์กร, ติดต่อไม่ได้ 3 องค์กร" in compose.text
