"""Officer side: the create form's retries and province limit, members cannot create, the CLI, demo data."""
from __future__ import annotations

import csv

from sqlmodel import select
from typer.testing import CliRunner

from storage.models.events import Event
from tests.events.helpers import add_member, make_event, make_officer, outbox


def test_the_create_form_explains_what_it_needs(runtime, new_chat) -> None:  # noqa: ANN001
    make_officer(runtime, "officer", "พิษณุโลก")
    off = new_chat("officer")
    off.say("สร้างงานอบรม")
    off.say("เวทีเสวนาค่ะ")  # a typed kind
    off.say("เวทีเสวนาทิศทางการดำเนินงานด้านสวัสดิการสังคม")
    off.say("ระดมความเห็นเรื่องทำเนียบเครือข่าย")
    off.say("เมื่อไหร่ก็ได้")
    assert "อ่านวันที่ไม่ออก" in off.text and "29–31 ม.ค. 70 09.00–16.00 น." in off.text
    off.say("25 ต.ค. 61 10.00 น.")  # the seed's forum date is long past
    assert "อนาคต" in off.text
    off.say("พฤหัสที่ 10 ธ.ค. 69 เวลา 10.00-15.30")
    off.say("โรงแรมเรือนแพ")
    off.say("https://maps.app.goo.gl/abc123")
    off.say("โคราช")  # not the officer's province
    assert "พิษณุโลก" in off.text
    off.tap("พิษณุโลก")
    off.say("หนึ่งร้อยสิบ")
    off.say("3")
    off.tap("ข้าม")
    off.tap("องค์กรสวัสดิการชุมชน")
    off.tap("เฉพาะพิษณุโลก")
    rows = {f.label: f.value for f in off.card.fields}
    assert rows["ประเภท"] == "เวทีเสวนา"
    assert rows["วันและเวลา"] == "10 ธ.ค. 2569 เวลา 10.00–15.30 น."
    assert rows["จำนวนที่นั่งทั้งหมด"] == "110" and rows["ที่นั่งต่อองค์กร"] == "3"
    assert rows["แผนที่"] == "https://maps.app.goo.gl/abc123"
    assert rows["ประเภทองค์กรที่รับ"] == "องค์กรสวัสดิการชุมชน"
    off.tap("ยืนยัน")
    with runtime.db.session() as s:
        e = s.exec(select(Event)).one()
    assert (e.kind, e.capacity, e.seats_per_org, e.audience_kinds, e.audience_provinces) == (
        "forum", 110, 3, ["community_welfare"], ["พิษณุโลก"])
    assert e.map_url == "https://maps.app.goo.gl/abc123" and e.status == "draft"


def test_members_cannot_create_or_manage_events(runtime, new_chat) -> None:  # noqa: ANN001
    add_member(runtime, "somsri")
    event_id = make_event(runtime, publish=False)
    chat = new_chat("somsri")
    chat.say("เมนู")
    assert "เมนูหลัก" in chat.text and chat.labels  # the member's menu, with their buttons
    assert not [label for label in chat.labels if "สร้างงานอบรม" in label]
    chat.postback(f"go:event.publish:{event_id}")
    assert "เจ้าหน้าที่" in chat.text
    with runtime.db.session() as s:
        assert s.get(Event, event_id).status == "draft"


def test_a_provincial_officer_manages_only_their_province(runtime, new_chat) -> None:  # noqa: ANN001
    make_officer(runtime, "officer", "น่าน")
    event_id = make_event(runtime, publish=False)  # in Phitsanulok
    off = new_chat("officer")
    off.postback(f"go:event.manage:{event_id}")
    assert "นอกจังหวัด" in off.text
    off.postback(f"go:event.publish:{event_id}")
    with runtime.db.session() as s:
        assert s.get(Event, event_id).status == "draft"


def test_publishing_twice_announces_once(runtime, new_chat) -> None:  # noqa: ANN001
    make_officer(runtime, "officer")
    add_member(runtime, "a")
    event_id = make_event(runtime, publish=False)
    off = new_chat("officer")
    off.postback(f"go:event.publish:{event_id}")
    off.postback(f"go:event.publish:{event_id}")
    assert "ประกาศไปแล้ว" in off.text
    assert len(outbox(runtime, "a", kind="broadcast")) == 1


def _cli(runtime, monkeypatch, *args: str):  # noqa: ANN001, ANN202
    from bot.cli import app
    from bot.config import get_settings

    monkeypatch.setenv("DATABASE_URL", runtime.settings.database_url)
    if runtime.settings.database_schema:
        monkeypatch.setenv("DATABASE_SCHEMA", runtime.settings.database_schema)
    get_settings.cache_clear()
    try:
        return CliRunner().invoke(app, list(args))
    finally:
        get_settings.cache_clear()


def test_cli_create_publish_list_and_export_xlsx(runtime, monkeypatch, tmp_path, new_chat) -> None:  # noqa: ANN001
    add_member(runtime, "a", name="อารีย์ ใจงาม")
    add_member(runtime, "nan", province="น่าน")
    res = _cli(runtime, monkeypatch, "event", "create", "--title", "อบรมนักบริหาร รุ่นที่ 4",
               "--starts", "2027-01-29T09:00", "--ends", "2027-01-31T16:00", "--venue", "สถาบันพัฒนาสังคม",
               "--province", "Phitsanulok", "--capacity", "100", "--deadline", "2027-01-20")
    assert res.exit_code == 0, res.output
    event_id = int(res.stdout.strip().splitlines()[0])
    with runtime.db.session() as s:
        e = s.get(Event, event_id)
    assert e.status == "draft" and e.province == "พิษณุโลก" and e.seats_per_org == 2
    assert e.starts_at.isoformat() == "2027-01-29T02:00:00+00:00"  # 09:00 in Bangkok
    assert e.registration_deadline.isoformat() == "2027-01-20T16:59:00+00:00"
    assert outbox(runtime, kind="broadcast") == []
    res = _cli(runtime, monkeypatch, "event", "publish", str(event_id))
    assert res.exit_code == 0 and "1 members" in res.stdout
    assert [r.address for r in outbox(runtime, kind="broadcast")] == ["web:a"]
    assert _cli(runtime, monkeypatch, "event", "publish", str(event_id)).exit_code == 1
    res = _cli(runtime, monkeypatch, "event", "list")
    assert f"{event_id}\tpublished" in res.stdout and "0/100 registered" in res.stdout
    # --publish in one go, and a bad date is refused with a message.
    res = _cli(runtime, monkeypatch, "event", "create", "--title", "สัมมนา", "--starts", "2027-02-01T09:00",
               "--ends", "2027-02-01T12:00", "--venue", "ศาลากลาง", "--province", "พิษณุโลก", "--capacity", "5",
               "--publish")
    assert res.exit_code == 0 and int(res.stdout.strip()) == event_id + 1
    res = _cli(runtime, monkeypatch, "event", "create", "--title", "x", "--starts", "29 ม.ค.", "--ends", "x",
               "--venue", "v", "--province", "พิษณุโลก", "--capacity", "5")
    assert res.exit_code != 0 and "ISO" in res.output

    chat = new_chat("a")
    chat.postback(f"go:event.register:{event_id}")
    chat.tap("ตัวฉันเอง")
    chat.tap("เสร็จแล้ว")
    chat.tap("ยืนยัน")
    out = tmp_path / "regs.xlsx"
    res = _cli(runtime, monkeypatch, "export", "registrations", "--event", str(event_id), "--format", "xlsx",
               "--out", str(out))
    assert res.exit_code == 0, res.output
    from openpyxl import load_workbook

    ws = load_workbook(out).active
    values = list(ws.values)
    assert values[0][4] == "ชื่อ-นามสกุลผู้เข้าร่วม" and values[1][4] == "อารีย์ ใจงาม"
    assert values[1][7] == "ลงทะเบียนแล้ว" and "2569" in values[1][8]
    res = _cli(runtime, monkeypatch, "export", "registrations", "--event", "999", "--out", str(tmp_path / "x.csv"))
    assert res.exit_code == 1


def test_export_marks_waitlisted_rows(runtime, monkeypatch, tmp_path) -> None:  # noqa: ANN001
    from storage.repositories import events as repo
    from tests.events.helpers import org_of

    people = [(m, org_of(runtime, m)) for m in (add_member(runtime, "a"), add_member(runtime, "b"))]
    event_id = make_event(runtime, capacity=1)
    with runtime.db.session() as s:
        for m, org in people:
            repo.register(s, event_id=event_id, member_id=m, organization_id=org,
                          attendees=[(f"คน {m}", "ประธาน")], phone="0812345678", now=runtime.clock.now())
    out = tmp_path / "r.csv"
    assert _cli(runtime, monkeypatch, "export", "registrations", "--event", str(event_id), "--out", str(out)).exit_code == 0
    rows = list(csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert [r["status"] for r in rows] == ["registered", "waitlisted"]


def test_demo_data_has_an_upcoming_training_in_phitsanulok(runtime) -> None:  # noqa: ANN001
    from storage.demo import seed_if_empty

    assert seed_if_empty(runtime.db)
    with runtime.db.session() as s:
        e = s.exec(select(Event)).one()
    assert e.is_demo and e.province == "พิษณุโลก" and e.status == "published"
    assert e.starts_at > runtime.clock.now()
