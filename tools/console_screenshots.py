"""Screenshots of every console page for docs/screenshots/, against demo data, in the same headless Chromium
as the browser tests: `.venv/bin/python tools/console_screenshots.py [--out docs/screenshots]`."""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path

os.environ.setdefault("PYTHAINLP_READ_ONLY", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

EMAIL, PASSWORD = "officer@phitsanulok.example.go.th", "demo-password-123"


def seed(runtime) -> dict[str, int]:  # noqa: ANN001
    """Demo data plus what makes each page worth a look: members, a published event with registrants and a
    waitlist, a deadline with reports, a broadcast, a few audit rows."""
    from bot.clock import local_to_utc
    from bot.messages import Address
    from storage.demo import seed_if_empty
    from storage.models import Organization
    from storage.repositories import console as console_repo
    from storage.repositories import events as events_repo
    from storage.repositories import members as members_repo
    from storage.repositories import reports as reports_repo
    from sqlmodel import select

    seed_if_empty(runtime.db)
    now = runtime.clock.now()
    ids: dict[str, int] = {}
    with runtime.db.session() as s:
        orgs = list(s.exec(select(Organization).where(Organization.province == "พิษณุโลก").order_by(Organization.id)))
        people = [("สมศรี ใจดี", "ประธาน", "0812345678"), ("ประเสริฐ มั่นคง", "เลขานุการ", "0552581110"),
                  ("อำไพ ทองดี", "เหรัญญิก", "0898765432"), ("สมชาย รักถิ่น", "กรรมการ", "0861112233"),
                  ("วิไล สุขใจ", "ผู้จัดการ", "0953334444")]
        members = []
        for i, (org, (name, pos, phone)) in enumerate(zip(orgs, people)):
            members.append(members_repo.create(s, address=Address("line" if i % 2 == 0 else "telegram",
                                                                  f"U{i:032x}" if i % 2 == 0 else str(100000 + i)),
                                               organization_id=org.id, full_name=name, position=pos, phone=phone))
        start = local_to_utc(datetime(2026, 12, 15, 9, 0))
        event = events_repo.create(s, title="อบรมการเขียนโครงการขอรับเงินกองทุนส่งเสริมการจัดสวัสดิการสังคม",
                                   starts_at=start, ends_at=start + timedelta(days=1, hours=7),
                                   venue="ห้องประชุม พมจ.พิษณุโลก", province="พิษณุโลก", capacity=4, seats_per_org=2,
                                   description="อบรมเชิงปฏิบัติการ 2 วัน สำหรับผู้บริหารและเจ้าหน้าที่องค์กร")
        events_repo.publish(s, event=event, now=now)
        for m, extra in zip(members, [["นางสาวกานดา ใจงาม"], [], ["นายบุญมี แสงทอง"], [], []]):
            attendees = [(m.full_name, m.position)] + [(x, None) for x in extra]
            events_repo.register(s, event_id=event.id, member_id=m.id, organization_id=m.organization_id,
                                 attendees=attendees, phone=m.phone, now=now)
        draft = events_repo.create(s, title="เวทีเสวนาเครือข่ายองค์กรสวัสดิการชุมชน ครั้งที่ 2",
                                   starts_at=start + timedelta(days=20), ends_at=start + timedelta(days=20, hours=6),
                                   venue="หอประชุมมหาวิทยาลัยนเรศวร", province="พิษณุโลก", capacity=110)
        dl = reports_repo.create_deadline(s, title="รายงานผลการดำเนินงาน ปีงบประมาณ 2569", due_date=date(2026, 12, 15))
        dl2 = reports_repo.create_deadline(s, title="รายงานการใช้เงินกองทุน ไตรมาส 4", due_date=date(2026, 11, 30),
                                           kinds=["community_welfare"])
        texts = [("เยี่ยมบ้านผู้สูงอายุ", 110, 15000), ("อบรมอาชีพสตรี", 35, 8000), ("ค่ายเยาวชนอาสา", 60, 22000)]
        report_id = None
        for m, (title, n, money) in zip(members[:3], texts):
            r = reports_repo.start_report(s, organization_id=m.organization_id, deadline_id=dl.id, member_id=m.id)
            act = reports_repo.new_activity(s, report=r, member_id=m.id,
                                            original_text=f"จัดกิจกรรม{title} 25 ต.ค. 69 ผู้เข้าร่วม {n} คน งบ {money:,} บาท")
            reports_repo.complete_activity(s, activity=act, values={
                "title": title, "start_date": date(2026, 10, 25), "end_date": date(2026, 10, 25),
                "participants": n, "budget": money, "funding_source": "กองทุนส่งเสริมการจัดสวัสดิการสังคม",
                "target_group": "ผู้สูงอายุในชุมชน"})
            photo = _photo(title)
            reports_repo.add_photo(s, activity_id=act.id, channel="line", data=photo, content_type="image/png")
            reports_repo.submit(s, report=r, member_id=m.id)
            report_id = report_id or r.id
        r2 = reports_repo.start_report(s, organization_id=members[2].organization_id, deadline_id=dl2.id,
                                       member_id=members[2].id)
        reports_repo.submit(s, report=r2, member_id=members[2].id)
        login = console_repo.create_login(s, email=EMAIL, password=PASSWORD, province="พิษณุโลก",
                                          display_name="นางสาวพิมพ์ชนก เจ้าหน้าที่ พมจ.")
        console_repo.record(s, action="org.verify", login=login, province="พิษณุโลก", target_type="organization",
                            target_id=orgs[1].id, details={"name": orgs[1].name})
        console_repo.record(s, action="event.publish", login=login, province="พิษณุโลก", target_type="event",
                            target_id=event.id, details={"title": event.title, "announced": 5})
        from bot.outbox import create_broadcast

        b = create_broadcast(s, text="ขอเชิญองค์กรเครือข่ายร่วมเวทีเสวนา วันที่ 15 ธ.ค. 2569 ณ ห้องประชุม พมจ.พิษณุโลก",
                             audience={"name": "province", "param": "พิษณุโลก"}, scope_province="พิษณุโลก",
                             audience_label="ทุกองค์กรในจังหวัด: พิษณุโลก")
        b.status, b.total, b.delivered, b.failed, b.unreachable = "done", 5, 4, 0, 1
        b.finished_at = now
        s.add(b)
        ids.update(event=event.id, draft=draft.id, deadline=dl.id, report=report_id, org=orgs[0].id, broadcast=b.id)
    return ids


def _photo(label: str) -> bytes:
    import io

    from PIL import Image, ImageDraw

    img = Image.new("RGB", (320, 220), (214, 234, 225))
    draw = ImageDraw.Draw(img)
    draw.rectangle([20, 150, 300, 200], fill=(11, 110, 79))
    draw.ellipse([120, 40, 200, 120], fill=(240, 180, 60))
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    from bot.clock import BANGKOK, clock
    from bot.config import Settings
    from bot.wiring import build
    from bot.server import create_app
    from storage.migrate import upgrade
    from tests.console.browser import AppServer, browser_page, chromium_missing, log_in

    if chromium_missing():
        sys.exit(chromium_missing())
    clock.set(datetime(2026, 11, 25, 10, 0, tzinfo=BANGKOK))
    tmp = tempfile.mkdtemp()
    url = f"sqlite:///{tmp}/demo.db"
    upgrade(url)
    runtime = build(Settings(_env_file=None, database_url=url, scheduler_enabled=False, line_channel_secret=None,
                             line_channel_access_token=None, telegram_bot_token=None), clock=clock)
    ids = seed(runtime)
    pages = [("overview", "/admin"), ("directory", "/admin/orgs"), ("organization", f"/admin/orgs/{ids['org']}"),
             ("events", "/admin/events"), ("event", f"/admin/events/{ids['event']}"),
             ("event-form", "/admin/events/new"), ("deadlines", "/admin/deadlines"),
             ("deadline", f"/admin/deadlines/{ids['deadline']}"), ("report", f"/admin/reports/{ids['report']}"),
             ("broadcasts", "/admin/broadcasts"), ("broadcast-new", "/admin/broadcasts/new"),
             ("broadcast", f"/admin/broadcasts/{ids['broadcast']}"), ("audit", "/admin/audit")]
    with AppServer(create_app(runtime=runtime, start_scheduler=False)) as server:
        with browser_page(width=1280, height=860) as page:
            page.goto(server.url + "/admin/login")
            page.screenshot(path=str(out / "login.png"))
            log_in(page, server.url, EMAIL, PASSWORD)
            for name, path in pages:
                page.goto(server.url + path)
                page.wait_for_load_state("networkidle")
                page.screenshot(path=str(out / f"{name}.png"), full_page=True)
            page.goto(server.url + "/admin/lang/en?next=/admin")
            page.screenshot(path=str(out / "overview-en.png"), full_page=True)
        with browser_page(width=820, height=1180) as tablet:
            log_in(tablet, server.url, EMAIL, PASSWORD)
            tablet.goto(server.url + f"/admin/events/{ids['event']}")
            tablet.screenshot(path=str(out / "event-tablet.png"), full_page=True)
    print(f"wrote {len(pages) + 3} screenshots to {out}")


if __name__ == "__main__":
    main()
