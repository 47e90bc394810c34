"""Every console page and the web chat in headless Chromium, on a phone (390×844) and a desktop (1280×800),
against demo data: screenshots for docs/screenshots/ and the check that no page is wider than a phone.

    .venv/bin/python -m tests.console.screenshots [--out docs/screenshots]

writes ``<page>.png`` (desktop) and ``<page>-phone.png`` for every page `console_paths` finds among the
console's routes (a new page is picked up by itself; one whose route needs an id `seed` does not make
fails loudly), plus the web chat with a card and quick replies. tests/console/test_phone_pages.py runs the same
walk at 390 px and fails on horizontal overflow. One browser, one server.
"""
from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

os.environ.setdefault("PYTHAINLP_READ_ONLY", "1")
ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

EMAIL, PASSWORD = "officer@phitsanulok.example.go.th", "demo-password-123"
WEB_VISITOR = "a1" * 16  # the web chat's visitor id of the seeded web member (cookie made by `chat_cookie`)
PHONE, DESKTOP = (390, 844), (1280, 800)
# Pages whose screenshots another browser test takes with richer data (tests/console/test_inbox_browser.py):
# checked here, not shot again.
SHOT_ELSEWHERE = {"inbox", "ticket", "reach"}
# Console GET routes that are not pages: files, downloads, JSON for the pages' scripts, redirects.
NOT_PAGES = re.compile(r"(\.pdf|\.png|/export|/download|/photos/|/static/|/count$|/roster$|/when$|/lang/|/exports/|/logout)")


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
        from storage.repositories import tickets as tickets_repo

        web = members_repo.create(s, address=Address("web", WEB_VISITOR), organization_id=orgs[0].id,
                                  full_name="สมหญิง ตั้งใจ", position="เลขานุการ", phone="0861234567")
        online = events_repo.create(s, title="อบรมการใช้งานระบบรายงานผลออนไลน์สำหรับองค์กรสวัสดิการชุมชน",
                                    starts_at=start + timedelta(days=3), ends_at=start + timedelta(days=3, hours=7),
                                    venue="ศาลาประชาคม อำเภอเมืองพิษณุโลก", province="พิษณุโลก", capacity=30,
                                    map_url="https://maps.google.com/?q=16.8211,100.2659")
        events_repo.publish(s, event=online, now=now)
        events_repo.register(s, event_id=online.id, member_id=web.id, organization_id=orgs[0].id,
                             attendees=[(web.full_name, web.position)], phone=web.phone, now=now)
        ticket = tickets_repo.create(s, member_id=members[0].id, organization_id=orgs[0].id, province="พิษณุโลก",
                                     address=f"line:U{0:032x}", subject="ขอสอบถามเรื่องเงินอุดหนุนโครงการปี 2570")
        tickets_repo.add_message(s, ticket=ticket, author="member", text="ขอสอบถามเรื่องเงินอุดหนุนโครงการปี 2570 ค่ะ",
                                 channel="line")
        ids.update(event=event.id, draft=draft.id, deadline=dl.id, report=report_id, org=orgs[0].id, broadcast=b.id,
                   ticket=ticket.id)
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


def console_paths(ids: dict[str, int]) -> list[tuple[str, str]]:
    """(name, path) of every console page: the GET routes of the console's page modules that answer HTML,
    with the seeded ids filled in. The name is the route without /admin: ``/events/{event_id}/checkin`` →
    ``event-checkin``."""
    import importlib

    from fastapi.routing import APIRoute

    from bot.console import PAGE_MODULES

    out: dict[str, tuple[str, str]] = {}
    for module_name in PAGE_MODULES:
        for route in importlib.import_module(f"bot.console.{module_name}").router.routes:
            if not isinstance(route, APIRoute) or "GET" not in route.methods or NOT_PAGES.search(route.path):
                continue
            parts: list[str] = []
            path = "/admin" + route.path
            for seg in route.path.strip("/").split("/"):
                m = re.fullmatch(r"{(\w+)_id}", seg)
                if m:
                    key = m.group(1)
                    if key not in ids:
                        raise KeyError(f"{route.path}: seed() makes no {key} (add one so this page is checked)")
                    path = path.replace(seg, str(ids[key]))
                    parts[-1:] = [key]
                elif seg:
                    parts.append(seg)
            path = path.rstrip("/") or "/admin"
            out.setdefault(path, ("-".join(parts) or "overview", path))
    return sorted(out.values())


OVERFLOW_JS = """() => {
  const w = window.innerWidth;
  if (document.scrollingElement.scrollWidth <= w) return null;
  const wide = [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > w + 1)
    .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className && e.className.baseVal === undefined ? '.' + String(e.className).split(' ').join('.') : ''));
  return document.scrollingElement.scrollWidth + 'px > ' + w + 'px: ' + wide.slice(0, 6).join(', ');
}"""


def overflow(page: Any) -> str | None:
    """None when nothing is wider than the window, else what sticks out."""
    return page.evaluate(OVERFLOW_JS)


def visit(page: Any, url: str, *, settle: bool = True) -> None:
    """Open a page (it must answer 200); `settle` waits for its scripts' requests too (for a screenshot)."""
    response = page.goto(url)
    assert response is not None and response.status == 200, f"{url}: {response and response.status}"
    if settle:
        page.wait_for_load_state("networkidle")


def shrink(path: Path) -> None:
    """A screenshot as a small palette PNG (docs stay light)."""
    from PIL import Image

    with Image.open(path) as img:
        small = img.convert("RGB").quantize(colors=128, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)


def chat_cookie(runtime: Any, base: str, visitor: str = WEB_VISITOR) -> dict[str, Any]:
    """The web chat's signed cookie for `visitor`, as the chat page would have set it."""
    from bot.channels.web import COOKIE, _serializer

    return {"name": COOKIE, "value": _serializer(runtime).dumps(visitor), "url": base + "/"}


def show_chat(page: Any, base: str) -> None:
    """The web chat with a card and quick replies: the seeded web member opens their registrations."""
    visit(page, base + "/")
    page.fill("#text", "การลงทะเบียนของฉัน")
    page.press("#text", "Enter")
    page.wait_for_selector("#log .card")


def demo_runtime(tmp: str) -> tuple[Any, dict[str, int]]:
    from bot.clock import BANGKOK, clock
    from bot.config import Settings
    from bot.wiring import build
    from storage.migrate import upgrade

    clock.set(datetime(2026, 11, 25, 10, 0, tzinfo=BANGKOK))
    url = f"sqlite:///{tmp}/demo.db"
    upgrade(url)
    runtime = build(Settings(_env_file=None, database_url=url, scheduler_enabled=False, line_channel_secret=None,
                             line_channel_access_token=None, telegram_bot_token=None, web_chat_enabled=True),
                    clock=clock)
    return runtime, seed(runtime)


def walk(server: Any, runtime: Any, ids: dict[str, int], *, sizes: dict[str, tuple[int, int]],
         out: Path | None = None) -> Iterator[tuple[str, str, str | None]]:
    """Visit every console page and the web chat at each size: yields (size name, page name, overflow);
    with `out`, a screenshot of each (``<name>.png`` on the desktop, ``<name>-<size>.png`` otherwise)."""
    from tests.console.browser import CHROMIUM, CHROMIUM_ARGS, log_in
    from playwright.sync_api import sync_playwright

    paths = console_paths(ids)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            for size, (w, h) in sizes.items():
                context = browser.new_context(viewport={"width": w, "height": h}, locale="th-TH")
                page = context.new_page()
                page.set_default_timeout(15000)
                suffix = "" if size == "desktop" else f"-{size}"

                def shot(name: str) -> None:
                    if out is not None and name not in SHOT_ELSEWHERE:
                        target = out / f"{name}{suffix}.png"
                        page.screenshot(path=str(target))
                        shrink(target)

                visit(page, server.url + "/admin/login", settle=out is not None)
                shot("login")
                yield size, "login", overflow(page)
                log_in(page, server.url, EMAIL, PASSWORD)
                event = f"/admin/events/{ids['event']}"
                for name, path in paths + [("attendance", event + "?q=&#attendance")]:  # the list used at the door
                    if path == "/admin/login":
                        continue
                    visit(page, server.url + path, settle=out is not None)
                    shot(name)
                    yield size, name, overflow(page)
                context.add_cookies([chat_cookie(runtime, server.url)])
                show_chat(page, server.url)
                shot("webchat")
                yield size, "webchat", overflow(page)
                context.close()
        finally:
            browser.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    from bot.server import create_app
    from tests.console.browser import AppServer, chromium_missing

    if chromium_missing():
        sys.exit(chromium_missing())
    runtime, ids = demo_runtime(tempfile.mkdtemp())
    app = create_app(runtime=runtime, start_scheduler=False)
    wide = []
    with AppServer(app) as server:
        for size, name, problem in walk(server, runtime, ids, sizes={"desktop": DESKTOP, "phone": PHONE}, out=out):
            print(f"{size:8} {name:24} {problem or 'ok'}")
            if problem and size == "phone":
                wide.append(name)
    print(f"screenshots in {out}" + (f"; wider than a phone: {', '.join(wide)}" if wide else ""))


if __name__ == "__main__":
    main()
