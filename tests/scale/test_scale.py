"""A national network: set-based reminder scans, search through the index, paged console lists and
streamed exports behave the same with many organizations as with a few."""
from __future__ import annotations

import csv
import io
import time
from datetime import date, datetime, timedelta

from openpyxl import load_workbook
from sqlalchemy import event, func, select

from bot.clock import BANGKOK
from bot.reminders import send_due_reminders
from storage.models import Organization, OutboxMessage
from storage.repositories import org_search
from storage.repositories import organizations as orgs_repo
from storage.repositories import reports as reports_repo
from tests.console.conftest import PASSWORD, csrf_of
from tests.scale.helpers import many_orgs, name_of

DUE = date(2026, 12, 9)
SCAN_AT = datetime(2026, 12, 2, 10, 0, tzinfo=BANGKOK)  # 7 days before


def _writes(runtime, fn):  # noqa: ANN001, ANN202
    """(result of fn(), the INSERT/UPDATE/DELETE statements it ran)."""
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args):  # noqa: ANN001, ANN202
        if statement.lstrip().split(None, 1)[0].upper() in ("INSERT", "UPDATE", "DELETE"):
            seen.append(statement)

    event.listen(runtime.db.engine, "before_cursor_execute", record)
    try:
        return fn(), seen
    finally:
        event.remove(runtime.db.engine, "before_cursor_execute", record)


def test_reminders_to_thousands_are_queued_once_and_a_rescan_writes_nothing(runtime) -> None:  # noqa: ANN001
    many_orgs(runtime, 3200)  # more members than one insert chunk
    with runtime.db.session() as s:
        for n in range(2):
            reports_repo.create_deadline(s, title=f"รายงานไตรมาส {n + 1}", due_date=DUE)
    first = send_due_reminders(runtime, SCAN_AT)
    assert first.count("queued") == 6400
    with runtime.db.session() as s:
        keys = list(s.execute(select(OutboxMessage.key)).scalars())
    assert len(keys) == len(set(keys)) == 6400
    assert all(k.endswith(":7d") for k in keys)

    again, writes = _writes(runtime, lambda: send_due_reminders(runtime, SCAN_AT + timedelta(minutes=1)))
    assert again.count("queued") == 0
    assert writes == []
    with runtime.db.session() as s:
        assert s.execute(select(func.count()).select_from(OutboxMessage)).scalar() == 6400


def test_a_rescan_finds_whoever_became_due_even_when_the_number_due_is_the_same(runtime) -> None:  # noqa: ANN001
    """The look for new keys compares every due key with the outbox: a member who joins while another
    leaves (as many due as before), an identity becoming reachable, an organization whose report was
    returned are all found by the next scan, and members nobody can reach never make a re-scan write."""
    from storage.models import Member, MemberIdentity, Report

    many_orgs(runtime, 40)
    with runtime.db.session() as s:
        dl = reports_repo.create_deadline(s, title="รายงานไตรมาส 1", due_date=DUE)
        first, second, third = s.execute(select(Organization).order_by(Organization.id).limit(3)).scalars()
        s.add(Report(organization_id=first.id, deadline_id=dl.id, status="submitted"))
        unreachable = Member(organization_id=second.id, full_name="ไม่มีช่องทาง", consent_at=SCAN_AT)
        s.add(unreachable)
    assert send_due_reminders(runtime, SCAN_AT).count("queued") == 39
    again, writes = _writes(runtime, lambda: send_due_reminders(runtime, SCAN_AT + timedelta(minutes=1)))
    assert again.count("queued") == 0 and writes == []

    # One member leaves and another joins: 39 due before and after, one of them new.
    with runtime.db.session() as s:
        gone = s.execute(select(Member).where(Member.organization_id == third.id)).scalars().one()
        gone.consent_at = None
        s.add(gone)
        newcomer = Member(organization_id=third.id, full_name="สมาชิกใหม่", consent_at=SCAN_AT)
        s.add(newcomer)
        s.flush()
        s.add(MemberIdentity(member_id=newcomer.id, address="telegram:777001", channel="telegram", reachable=True))
    swapped = send_due_reminders(runtime, SCAN_AT + timedelta(minutes=2))
    assert swapped.count("queued") == 1
    # The member without an address gets one; the first organization's report goes back for corrections.
    with runtime.db.session() as s:
        s.add(MemberIdentity(member_id=unreachable.id, address="telegram:777002", channel="telegram", reachable=True))
        report = s.execute(select(Report).where(Report.organization_id == first.id)).scalars().one()
        report.status = "returned"
        s.add(report)
    later = send_due_reminders(runtime, SCAN_AT + timedelta(minutes=3))
    assert later.count("queued") == 2
    with runtime.db.session() as s:
        addresses = set(s.execute(select(OutboxMessage.address)).scalars())
    assert {"telegram:777001", "telegram:777002", f"line:U{first.id:032x}"} <= addresses
    assert send_due_reminders(runtime, SCAN_AT + timedelta(minutes=4)).count("queued") == 0


def test_a_typo_finds_the_organization_among_thousands_through_the_index(runtime) -> None:  # noqa: ANN001
    target = "มูลนิธิพัฒนาเด็กและครอบครัวพิษณุโลก"
    many_orgs(runtime, 2000, members=False, extra=(target,))
    with runtime.db.session() as s:
        from bot.thai import org_name_key

        candidates = org_search.name_candidates(s, org_name_key("พัฒนาเด็กพิดโลก"))
        assert len(candidates) <= org_search.CANDIDATES + org_search.PREFIX_CANDIDATES
        assert target in [name for _id, name, _key in candidates]
        found = orgs_repo.search(s, query="พัฒนาเด็กพิดโลก", limit=5)
        assert found[0][0].name == target
        # A name typed with a typo and no prefix, among 2,000 similar ones.
        assert orgs_repo.search(s, query=name_of(1234).replace("ชมรม", "").replace("1234", "1243"),
                                limit=5)[0][0].name in (name_of(1234), name_of(1243))


def test_a_renamed_organization_is_found_by_its_new_name(runtime) -> None:  # noqa: ANN001
    from bot.thai import org_name_key

    many_orgs(runtime, 50, members=False)
    with runtime.db.session() as s:
        org = s.get(Organization, s.execute(select(Organization.id).where(Organization.name == name_of(7))).scalar())
        org.name = "มูลนิธิดวงประทีปสว่างใจ"
        org.name_key = org_name_key(org.name)
        s.add(org)
    with runtime.db.session() as s:
        assert orgs_repo.search(s, query="ดวงประทีปสว่างไจ")[0][0].name == "มูลนิธิดวงประทีปสว่างใจ"
        assert org_search.substring_ids(s, "ดวงประทีป") == [org.id]
        assert org_search.substring_ids(s, name_of(7)[4:12]) != [org.id]


def _login(client, runtime) -> None:  # noqa: ANN001
    from storage.repositories import console as console_repo

    with runtime.db.session() as s:
        console_repo.create_login(s, email="admin@example.go.th", password=PASSWORD, province=None)
    page = client.get("/admin/login")
    res = client.post("/admin/login", data={"email": "admin@example.go.th", "password": PASSWORD,
                                            "csrf": csrf_of(page.text), "next": "/admin"})
    assert res.status_code == 303


def test_console_lists_show_page_two(runtime, client) -> None:  # noqa: ANN001
    many_orgs(runtime, 120)
    with runtime.db.session() as s:
        dl = reports_repo.create_deadline(s, title="รายงานประจำปี", due_date=DUE).id
    _login(client, runtime)
    names = sorted(name_of(i) for i in range(120))
    first, second = client.get("/admin/orgs").text, client.get("/admin/orgs?page=2").text
    assert names[0] in first and names[50] not in first
    assert names[50] in second and names[0] not in second and "หน้า 2 จาก 3" in second
    page2 = client.get(f"/admin/deadlines/{dl}?status=missing&page=2").text
    assert names[50] in page2 and names[0] not in page2
    # A search by a piece of the name, and by the name with a typo, through the index.
    assert name_of(33) in client.get(f"/admin/orgs?q={name_of(33)[4:14]}").text
    assert name_of(33) in client.get(f"/admin/orgs?q={name_of(33).replace('ชมรม', '')[:-3]}").text


def test_a_large_export_is_written_in_the_background_complete_and_well_formed(runtime, client, monkeypatch
                                                                              ) -> None:  # noqa: ANN001
    from bot.console import exports

    monkeypatch.setattr(exports, "INLINE_ROWS", 100)
    many_orgs(runtime, 1500)
    _login(client, runtime)
    for fmt in ("csv", "xlsx"):
        started = client.get(f"/admin/orgs/export?fmt={fmt}")
        assert started.status_code == 303
        page_url = started.headers["location"]
        for _ in range(200):
            page = client.get(page_url)
            if 'id="export-download"' in page.text:
                break
            time.sleep(0.05)
        assert "พร้อมแล้ว" in page.text and "1,500" in page.text
        file = client.get(page_url.split("?")[0] + "/download")
        assert file.status_code == 200 and "attachment" in file.headers["content-disposition"]
        if fmt == "csv":
            rows = list(csv.DictReader(io.StringIO(file.content.decode("utf-8-sig"))))
            # the console's download is for people: Thai column names
            assert len(rows) == 1500 and {r["ชื่อองค์กร"] for r in rows} == {name_of(i) for i in range(1500)}
            assert all(r["จำนวนสมาชิก"] == "1" for r in rows)
        else:
            sheet = load_workbook(io.BytesIO(file.content), read_only=True).active
            values = [[c.value for c in row] for row in sheet.iter_rows()]
            assert values[0][1] == "ชื่อองค์กร" and len(values) == 1501
            assert {v[1] for v in values[1:]} == {name_of(i) for i in range(1500)}
    # Another login cannot open it.
    client.cookies.clear()
    assert client.get(page_url).status_code in (303, 404)


def test_the_cli_export_streams_every_row(runtime, tmp_path) -> None:  # noqa: ANN001
    from bot.cli.export import ORG_COLUMNS
    from bot.export import write_table

    many_orgs(runtime, 2500)
    out = tmp_path / "orgs.xlsx"
    seen: list[int] = []
    with runtime.db.read_session() as s:
        written = write_table(out, "xlsx", ORG_COLUMNS, orgs_repo.export_rows(s), title="organizations",
                              progress=seen.append)
    assert written == 2500 and seen[-1] == 2500 and seen[0] == 1000
    sheet = load_workbook(out, read_only=True).active
    assert sum(1 for _ in sheet.iter_rows()) == 2501


def test_registrants_come_a_page_at_a_time_and_attendance_on_page_two_keeps_page_one(runtime, client) -> None:  # noqa: ANN001
    from sqlalchemy import insert

    from bot.clock import db_now
    from storage.models import EventAttendee, EventRegistration
    from storage.repositories import events as events_repo

    many_orgs(runtime, 150)
    start = datetime(2026, 12, 20, 9, 0, tzinfo=BANGKOK)
    with runtime.db.session() as s:
        event = events_repo.create(s, title="อบรมใหญ่", starts_at=start, ends_at=start + timedelta(hours=6),
                                   venue="ศาลากลาง", province="พิษณุโลก", capacity=1000)
        event_id = event.id
        org_ids = list(s.execute(select(Organization.id).order_by(Organization.id)).scalars())
        now = db_now()
        s.execute(insert(EventRegistration.__table__), [
            {"event_id": event_id, "organization_id": org_id, "member_id": org_id, "status": "registered",
             "seats": 1, "checkin_code": f"{i:06d}", "offer_count": 0, "created_at": now, "updated_at": now,
             "is_demo": False} for i, org_id in enumerate(org_ids)])
        regs = list(s.execute(select(EventRegistration.id).where(EventRegistration.event_id == event_id)
                              .order_by(EventRegistration.id)).scalars())
        s.execute(insert(EventAttendee.__table__), [
            {"registration_id": reg_id, "event_id": event_id, "name": f"ผู้เข้าร่วม {i}", "attended": True}
            for i, reg_id in enumerate(regs)])
    _login(client, runtime)
    first, second = client.get(f"/admin/events/{event_id}").text, client.get(f"/admin/events/{event_id}?page=2").text
    assert "ผู้เข้าร่วม 0<" in first and "ผู้เข้าร่วม 100<" not in first and "(150)" in first
    assert "ผู้เข้าร่วม 100<" in second and "ผู้เข้าร่วม 0<" not in second
    # Page 2 saved with nobody ticked: only page 2's people become absent.
    with runtime.db.session() as s:
        shown = list(s.execute(select(EventAttendee.id).where(EventAttendee.registration_id.in_(regs[100:])))
                     .scalars())
    res = client.post(f"/admin/events/{event_id}/attendance",
                      data={"csrf": csrf_of(second), "shown": [str(i) for i in shown]})
    assert res.status_code == 303
    with runtime.db.session() as s:
        attended = dict(s.execute(select(EventAttendee.registration_id, EventAttendee.attended)
                                  .where(EventAttendee.event_id == event_id)).all())
    assert all(attended[r] for r in regs[:100]) and not any(attended[r] for r in regs[100:])
