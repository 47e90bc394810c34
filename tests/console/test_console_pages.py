"""Console pages do their job: events, deadlines and reports, broadcasts, exports, the CLI login command."""
from __future__ import annotations

import io
import re
from pathlib import Path

from openpyxl import load_workbook
from sqlmodel import select

from storage.models import Broadcast, OutboxMessage
from storage.models.console import AuditEntry
from tests.console.conftest import csrf_of, login

ROOT = Path(__file__).resolve().parents[2]


def register_in_chat(chat, event_id: int) -> None:  # noqa: ANN001
    chat.postback(f"go:event.register:{event_id}")
    chat.say("สมศรี ใจดี")
    chat.tap("เสร็จแล้ว")
    chat.say("081 234 5678")
    chat.say("ยืนยัน")
    assert "ลงทะเบียน" in chat.text


def _actions(runtime) -> list[str]:  # noqa: ANN001
    with runtime.db.session() as s:
        return [e.action for e in s.exec(select(AuditEntry).order_by(AuditEntry.id))]


def test_overview_counts_and_compliance_chart(as_plk, seeded) -> None:  # noqa: ANN001
    page = as_plk.get("/admin").text
    assert "รายงานผลการดำเนินงาน ปี 2569" in page and '<progress class="warn" max="100" value="50"' in page
    # Phitsanulok owes it with 2 organizations, one of which has submitted
    assert "50% (1/2)" in page


def test_create_publish_and_take_attendance(as_plk, seeded, runtime, new_chat) -> None:  # noqa: ANN001
    client = as_plk
    form = client.get("/admin/events/new").text
    bad = client.post("/admin/events/new", data={"csrf": csrf_of(form), "title": "อบ", "kind": "training",
                                                 "starts_at": "2026-12-20T09:00", "ends_at": "2026-12-19T16:00",
                                                 "venue": "", "capacity": "ศูนย์", "seats_per_org": "2"})
    assert bad.status_code == 422
    assert "เวลาสิ้นสุดต้องไม่ก่อนเวลาเริ่ม" in bad.text and "กรุณาใส่จำนวนที่นั่ง" in bad.text
    res = client.post("/admin/events/new", data={
        "csrf": csrf_of(form), "title": "สัมมนาเครือข่ายองค์กรสวัสดิการชุมชน", "kind": "seminar",
        "starts_at": "2026-12-20T09:00", "ends_at": "2026-12-20T16:00", "registration_deadline": "2026-12-18",
        "venue": "โรงแรมอมรินทร์ลากูน พิษณุโลก", "capacity": "60", "seats_per_org": "2"})
    assert res.status_code == 303
    url = res.headers["location"].split("?")[0]
    page = client.get(url).text
    assert "ร่าง (ยังไม่เผยแพร่)" in page and "20 ธ.ค. 2569 09.00 น." in page
    assert client.post(url + "/publish", data={"csrf": csrf_of(page), "confirmed": "1"}).status_code == 303
    assert "เผยแพร่แล้ว" in client.get(url).text
    with runtime.db.session() as s:
        rows = list(s.exec(select(OutboxMessage).where(OutboxMessage.kind == "broadcast")))
    # the announcement goes to the Phitsanulok member only, through the outbox
    assert [r.address for r in rows] == ["web:somsri"]
    assert ["event.create", "event.publish"] == [a for a in _actions(runtime) if a.startswith("event.")]

    # a registration made in the chat appears; attendance is saved
    event_id = int(url.rsplit("/", 1)[1])
    register_in_chat(new_chat("somsri"), event_id)
    page = client.get(url).text
    assert "สมศรี ใจดี" in page and "1/60" in page
    attendee = re.search(r'name="present" value="(\d+)"', page).group(1)
    assert client.post(url + "/attendance", data={"csrf": csrf_of(page), "present": attendee}).status_code == 303
    assert re.search(r'<div class="n">1</div><div class="l">เข้าร่วมจริง', client.get(url).text)

    export = client.get(url + "/export?fmt=xlsx")
    assert export.status_code == 200 and "attachment" in export.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(export.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert any("สมศรี ใจดี" in [str(v) for v in row] for row in values)


def test_editing_a_published_event_tells_registrants(as_plk, seeded, runtime, new_chat) -> None:  # noqa: ANN001
    client = as_plk
    url = f"/admin/events/{seeded['ev_plk']}"
    assert client.post(url + "/publish", data={"csrf": csrf_of(client.get(url).text), "confirmed": "1"}).status_code == 303
    register_in_chat(new_chat("somsri"), seeded["ev_plk"])
    form = client.get(url + "/edit").text
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', form))
    fields.update(csrf=csrf_of(form), venue="ห้องประชุมใหม่ ศาลากลางพิษณุโลก", kind="training", capacity="2",
                  seats_per_org="2")
    assert client.post(url + "/edit", data=fields).status_code == 303
    with runtime.db.session() as s:
        notices = list(s.exec(select(OutboxMessage).where(OutboxMessage.kind == "notice")))
    assert [n.address for n in notices] == ["web:somsri"]
    assert "ห้องประชุมใหม่" in client.get(url).text


def _export(client, deadline_id: int) -> list[dict[str, str]]:  # noqa: ANN001
    """The deadline's CSV export as Excel reads it (UTF-8 with a BOM, else Thai shows as mojibake)."""
    import csv
    import io

    res = client.get(f"/admin/deadlines/{deadline_id}/export?fmt=csv")
    assert res.status_code == 200 and res.content.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(res.content[3:].decode("utf-8"))))


def test_deadline_compliance_report_detail_and_return(as_plk, seeded, runtime) -> None:  # noqa: ANN001
    client = as_plk
    table = client.get(f"/admin/deadlines/{seeded['deadline']}").text
    assert "ส่งแล้ว" in table and "กองทุนสวัสดิการชุมชนตำบลบ้านกร่าง" in table
    report = client.get(f"/admin/reports/{seeded['r_plk']}").text
    assert "เยี่ยมบ้านผู้สูงอายุ" in report and "110" in report
    # the export opened in Excel: this province's submitted report, one line per activity (not Korat's)
    assert [(r["องค์กร"], r["จังหวัด"], r["กิจกรรม"], r["จำนวนผู้เข้าร่วม (คน)"], r["ผู้ส่ง"])
            for r in _export(client, seeded["deadline"])] == [
        ("มูลนิธิพัฒนาเด็กและครอบครัวพิษณุโลก", "พิษณุโลก", "เยี่ยมบ้านผู้สูงอายุ", "110", "สมศรี ใจดี")]
    res = client.post(f"/admin/reports/{seeded['r_plk']}/return",
                      data={"csrf": csrf_of(report), "note": "กรุณาแนบรูปกิจกรรมอย่างน้อย 1 รูป"})
    assert res.status_code == 303
    page = client.get(f"/admin/reports/{seeded['r_plk']}").text
    assert "ส่งกลับให้แก้ไข (ครั้งที่ 1)" in page and "กรุณาแนบรูปกิจกรรม" in page
    assert "report.return" in _actions(runtime)
    # the export lists submitted reports only: the returned one has left it
    assert _export(client, seeded["deadline"]) == []

    new = client.get("/admin/deadlines").text
    res = client.post("/admin/deadlines", data={"csrf": csrf_of(new), "title": "รายงานไตรมาส 1/2570",
                                                "due_date": "2027-01-31", "kinds": "community_welfare"})
    assert res.status_code == 303
    page = client.get(res.headers["location"].split("?")[0]).text
    assert "กองทุนสวัสดิการชุมชนตำบลบ้านกร่าง" in page and "มูลนิธิพัฒนาเด็กและครอบครัวพิษณุโลก" not in page
    assert "deadline.create" in _actions(runtime)


def test_broadcast_count_send_and_history(as_plk, seeded, runtime) -> None:  # noqa: ANN001
    client = as_plk
    count = client.get("/admin/broadcasts/count", params={"audience": "province"}).json()
    assert count["members"] == 1 and "ผู้รับ 1 คน" in count["text"]
    missing = client.get("/admin/broadcasts/count",
                         params={"audience": "report_missing", "param": str(seeded["deadline"])}).json()
    assert missing["members"] == 0  # somsri's organization has reported
    form = client.get("/admin/broadcasts/new").text
    counted = client.post("/admin/broadcasts/new", data={"csrf": csrf_of(form), "text": "ทดสอบ",
                                                         "audience": "province", "action": "count"})
    assert "ผู้รับ 1 คน" in counted.text
    res = client.post("/admin/broadcasts/new", data={
        "csrf": csrf_of(form), "text": "ขอเชิญร่วมเวทีเสวนาเครือข่าย 15 ธ.ค. ที่ พมจ.", "audience": "province",
        "schedule": "later", "scheduled_at": "2026-12-01T09:00", "action": "send", "confirmed": "1"})
    assert res.status_code == 303
    with runtime.db.session() as s:
        (b,) = s.exec(select(Broadcast)).all()
    assert b.scope_province == "พิษณุโลก" and b.status == "queued"
    assert b.scheduled_at.isoformat().startswith("2026-12-01T02:00")
    history = client.get("/admin/broadcasts").text
    assert "ขอเชิญร่วมเวทีเสวนา" in history and "ตั้งเวลาไว้" in history
    detail = client.get(f"/admin/broadcasts/{b.id}").text
    assert client.post(f"/admin/broadcasts/{b.id}/cancel", data={"csrf": csrf_of(detail)}).status_code == 303
    assert "ถอนแล้ว" in client.get(f"/admin/broadcasts/{b.id}").text
    assert _actions(runtime)[-2:] == ["broadcast.create", "broadcast.cancel"]
    # another province's officer cannot see it
    client.cookies.clear()
    login(client, "nma@example.go.th")
    assert client.get(f"/admin/broadcasts/{b.id}").status_code == 403


def test_template_keys_exist_in_both_languages() -> None:
    from bot import i18n

    keys = set()
    for path in (ROOT / "bot" / "console" / "templates").glob("*.html"):
        keys |= set(re.findall(r"""(?<![\w.])t\(['"]([a-z_.]+[a-z_])['"]""", path.read_text(encoding="utf-8")))
    assert len(keys) > 100
    for lang in i18n.LANGUAGES:
        assert sorted(k for k in keys if k not in i18n.catalog(lang)) == []


def test_cli_creates_a_login(cli, runtime, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("KHRUAKHAI_OFFICER_PASSWORD", "a-long-enough-password")
    done = cli(["officer", "create-login", "--email", "Somchai@Example.go.th", "--province", "พิดโลก"])
    assert done.exit_code == 0, done.output
    assert "somchai@example.go.th created for พิษณุโลก" in done.stdout
    again = cli(["officer", "create-login", "--email", "somchai@example.go.th"])
    assert again.exit_code != 0 and "already exists" in again.stderr
    from storage.repositories import console as console_repo

    with runtime.db.session() as s:
        result = console_repo.authenticate(s, email="somchai@example.go.th", password="a-long-enough-password")
    assert result.outcome == "ok" and result.login.province == "พิษณุโลก"
