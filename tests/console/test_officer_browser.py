"""In headless Chromium, under the console's CSP: sending a broadcast stops at a confirmation page with the
count, confirming sends it, its page shows one state, and the audit log reads as a Thai sentence."""
from __future__ import annotations

import pytest

from bot.server import create_app
from tests.console.browser import AppServer, browser_page, chromium_missing, log_in
from tests.console.conftest import PASSWORD

pytestmark = pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or "")


def test_confirm_then_send_then_read_the_log(runtime, seeded) -> None:  # noqa: ANN001
    violations: list[str] = []
    with AppServer(create_app(runtime=runtime, start_scheduler=False)) as server, browser_page() as page:
        page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
        log_in(page, server.url, "plk@example.go.th", PASSWORD)
        page.goto(f"{server.url}/admin/broadcasts/new")
        page.fill("#text", "ขอเชิญร่วมเวทีเสวนาเครือข่าย 15 ธ.ค. ที่ พมจ.")
        page.click("button[name=action][value=send]")
        assert "ยืนยันการส่งประกาศ" in page.inner_text("h1")
        assert "ประกาศนี้จะส่งถึง 1 คน" in page.inner_text("#confirm-message")
        page.click("#confirm-yes")
        page.wait_for_url(f"{server.url}/admin/broadcasts/*")
        assert page.inner_text("#broadcast-status") == "กำลังส่ง"
        page.goto(f"{server.url}/admin/audit")
        log = page.inner_text("main")
        assert "ส่งประกาศถึง 1 คน" in log and "broadcast.create" not in log
    assert violations == []
