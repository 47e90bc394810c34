"""The inbox and a broadcast's reach in a real headless Chromium, on a phone (390×844) and a desktop
(1280×800): questions listed and answered with a ready-made answer, LINE's opens and clicks shown, nothing
wider than the screen. Screenshots go to docs/screenshots/ (inbox, ticket, reach; -phone variants)."""
from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from bot.broadcast_expand import prepare_due_broadcasts
from bot.delivery import drain_once
from bot.messages import Address, IncomingMessage
from bot.outbox import create_broadcast
from bot.reach import fetch_statistics
from storage.repositories import members as members_repo
from storage.repositories import organizations as orgs_repo
from tests.console.browser import browser_page, chromium_missing, live_console, log_in
from tests.console.conftest import PASSWORD

pytestmark = pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or "")
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def live(settings, clock, seeded, fake_line):  # noqa: ANN001, ANN201
    with live_console(settings, clock, fake_line) as (server, _app, runtime):
        yield server, runtime


def _questions_and_a_broadcast(runtime, fake_line) -> None:  # noqa: ANN001
    somsri = Address("web", "somsri")  # seeded member of a พิษณุโลก organization
    runtime.engine.handle(IncomingMessage(address=somsri, text="ขอสอบถามเรื่องเงินอุดหนุนโครงการปี 2570 ค่ะ ยื่นได้ถึงเมื่อไร"))
    runtime.engine.handle(IncomingMessage(address=somsri, text="ต้องแนบรายงานการเงินด้วยไหมคะ"))
    users = []
    with runtime.db.session() as s:
        for i in range(24):
            org = orgs_repo.create(s, name=f"ชมรมผู้สูงอายุตำบลที่ {i + 1}", kind="community_welfare", province="พิษณุโลก")
            uid = "U" + uuid.uuid4().hex
            members_repo.create(s, address=Address("line", uid), organization_id=org.id, full_name=f"ประธานชมรม {i + 1}",
                                position=None, phone=None)
            users.append(uid)
        create_broadcast(s, text="ขอเชิญประชุมเครือข่ายองค์กรสวัสดิการ 10 ธ.ค. 2569 ณ ห้องประชุม พมจ. https://example.org/agenda",
                         audience={"name": "province", "param": "พิษณุโลก"}, scope_province="พิษณุโลก")
    prepare_due_broadcasts(runtime)
    drain_once(runtime)
    fake_line.record_open("bc_1", *users[:20])
    fake_line.record_click("bc_1", "https://example.org/agenda", *users[:7])
    assert fetch_statistics(runtime) == 1


def _fits(page) -> bool:  # noqa: ANN001
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("width,height,suffix", [(1280, 800, ""), (390, 844, "-phone")])
def test_inbox_and_reach_in_the_browser(live, fake_line, width, height, suffix) -> None:  # noqa: ANN001
    server, runtime = live
    base = server.url
    _questions_and_a_broadcast(runtime, fake_line)
    SHOTS.mkdir(parents=True, exist_ok=True)
    with browser_page(width=width, height=height) as page:
        log_in(page, base, "plk@example.go.th", PASSWORD)
        page.click("nav.main >> text=กล่องคำถาม")
        page.wait_for_selector("#tickets")
        row = page.inner_text("#tickets tbody")
        assert "ขอสอบถามเรื่องเงินอุดหนุนโครงการปี 2570" in row and "สมศรี ใจดี" in row
        assert _fits(page)
        page.screenshot(path=str(SHOTS / f"inbox{suffix}.png"), full_page=True)

        page.click("#tickets >> text=#1")
        page.wait_for_selector("#thread")
        assert "ต้องแนบรายงานการเงินด้วยไหมคะ" in page.inner_text("#thread")
        page.select_option("#canned", "tickets.canned.documents")
        page.click("#answer-form button[type=submit]")
        page.wait_for_selector(".flash")
        assert "ส่งคำตอบแล้ว" in page.inner_text(".flash")
        assert "สำเนาหนังสือรับรององค์กร" in page.inner_text("#thread .msg.officer")
        assert "ตอบแล้ว" in page.inner_text("#ticket-status")
        assert _fits(page)
        page.screenshot(path=str(SHOTS / f"ticket{suffix}.png"), full_page=True)

        page.click("nav.main >> text=การเข้าถึง")
        page.wait_for_selector("#reach-broadcasts")
        reach_row = page.inner_text("#reach-broadcasts tbody")
        assert "ขอเชิญประชุมเครือข่าย" in reach_row and "20" in reach_row and "7" in reach_row
        assert "LINE: 24 จาก 24" in reach_row
        assert "ติดต่อไม่ได้" in page.inner_text("#reach-summary")
        assert _fits(page)
        page.screenshot(path=str(SHOTS / f"reach{suffix}.png"), full_page=True)
