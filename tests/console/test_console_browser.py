"""The console in a real headless Chromium: log in, create and publish an event, watch a registration made
through the LINE webhook appear, export a file, and be refused another province's data."""
from __future__ import annotations

import httpx
import pytest
from openpyxl import load_workbook

from tests.channels.helpers import LineUser, sign_up
from tests.console.browser import browser_page, chromium_missing, live_console, log_in
from tests.console.conftest import PASSWORD

pytestmark = pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or "")


@pytest.fixture
def live(settings, clock, seeded, fake_line):  # noqa: ANN001, ANN201
    with live_console(settings, clock, fake_line) as (server, app, _runtime):
        yield server, app


def test_officer_runs_an_event_in_the_browser(live, seeded, fake_line, tmp_path) -> None:  # noqa: ANN001
    server, app = live
    base = server.url
    with browser_page() as page:
        log_in(page, base, "plk@example.go.th", PASSWORD)
        assert "ภาพรวม" in page.inner_text("h1")

        # create an event, then publish it
        page.click("text=สร้างกิจกรรมใหม่")
        page.fill("#title", "อบรมการเขียนโครงการขอรับเงินกองทุนส่งเสริมการจัดสวัสดิการสังคม")
        page.select_option("#kind", "training")
        page.fill("#starts_at", "2026-12-15T09:00")
        page.fill("#ends_at", "2026-12-16T16:00")
        page.fill("#capacity", "40")
        page.fill("#venue", "ห้องประชุม พมจ.พิษณุโลก")
        page.click("button:has-text('บันทึก')")
        page.wait_for_url(f"{base}/admin/events/*")
        assert "ร่าง" in page.inner_text("#event-status")
        page.click("button:has-text('เผยแพร่และแจ้งสมาชิก')")
        assert "ยืนยันการเผยแพร่กิจกรรม" in page.inner_text("h1")  # asked first, with whom it will reach
        page.click("#confirm-yes")
        page.wait_for_selector("#event-status:has-text('เผยแพร่แล้ว')")
        event_url = page.url.split("?")[0]
        event_id = int(event_url.rsplit("/", 1)[1])
        assert "ยังไม่มีผู้ลงทะเบียน" in page.content()

        # a LINE user signs up and registers through signed webhooks
        with httpx.Client(base_url=base, timeout=30) as http:
            user = LineUser(http, fake_line, app.state.line_channel)
            fake_line.set_profile(user.user_id, "ประเสริฐ")
            user.follow()
            sign_up(user, org="ชมรมผู้สูงอายุบ้านกร่าง", province="พิษณุโลก", name="ประเสริฐ มั่นคง",
                    phone="089-876-5432", first="")
            user.send(__import__("tests.fakes.line_webhook", fromlist=["x"]).postback_event(
                user.user_id, f"go:event.register:{event_id}", reply_token=user.token()))
            user.say("ประเสริฐ มั่นคง")
            user.tap("เสร็จแล้ว")  # the member's own phone is the contact: straight to the read-back
            user.tap("ยืนยัน")
            assert "ลงทะเบียน" in user.text

        page.reload()
        registrants = page.inner_text("#registrants")
        assert "ประเสริฐ มั่นคง" in registrants and "ชมรมผู้สูงอายุบ้านกร่าง" in registrants
        assert page.inner_text("#seats-held") == "1/40"

        # export the list as a download
        with page.expect_download() as info:
            page.click("text=ส่งออก Excel")
        path = tmp_path / info.value.suggested_filename
        info.value.save_as(path)
        assert path.suffix == ".xlsx"
        rows = [[c.value for c in r] for r in load_workbook(path).active.iter_rows()]
        assert any("ประเสริฐ มั่นคง" in [str(v) for v in row] for row in rows[1:])

        # another province's organization, event and report are refused
        for url in (f"/admin/orgs/{seeded['nma']}", f"/admin/events/{seeded['ev_nma']}",
                    f"/admin/reports/{seeded['r_nma']}"):
            response = page.goto(base + url)
            assert response.status == 403
            assert "ข้อมูลนี้เป็นของจังหวัดอื่น" in page.inner_text("main")
        page.goto(base + "/admin/orgs")
        assert "มูลนิธิเพื่อนหญิงโคราช" not in page.inner_text("main")
