"""In headless Chromium, one server and one browser: a broadcast shows one state on its page and in the list
(scheduled, then withdrawn), a registration deadline typed as a day shows that day at 23.59, a send into quiet hours says when it will go, rejecting an organization and
removing a member ask first with the count and the member reads both in the web chat, and in the web chat a
cancelled report draft is gone for good (a broadcast draft cannot start there: officer powers never reach
the anonymous browser chat)."""
from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import pytest

from bot.clock import BANGKOK
from bot.delivery import drain_once
from sqlmodel import select

from storage.models.members import MemberIdentity
from storage.repositories import members as members_repo
from tests.console.browser import CHROMIUM, CHROMIUM_ARGS, chromium_missing, live_console, log_in
from tests.console.conftest import PASSWORD
from tests.console.screenshots import DESKTOP, PHONE, chat_cookie

pytestmark = pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or "")
OFFICER_VISITOR = "b2" * 16  # the web chat visitor id of an officer of พิษณุโลก
MEMBER_VISITOR = "c3" * 16  # the seeded สมศรี's web chat, as a browser's cookie names it


@pytest.fixture
def live(settings, clock, seeded, fake_line):  # noqa: ANN001, ANN201
    with live_console(settings, clock, fake_line, web_chat_enabled=True) as (server, _app, runtime):
        yield server, runtime


def _new_page(browser, size: tuple[int, int]):  # noqa: ANN001, ANN202
    context = browser.new_context(viewport={"width": size[0], "height": size[1]}, locale="th-TH")
    page = context.new_page()
    page.set_default_timeout(15000)
    return context, page


def _ask_to_send(page, base: str, text: str, *, at: str | None = None) -> None:  # noqa: ANN001
    page.goto(f"{base}/admin/broadcasts/new")
    page.fill("#text", text)
    if at:
        page.check("input[name=schedule][value=later]")
        page.fill("#scheduled_at", at)
    page.click("button[name=action][value=send]")
    page.locator("#confirm").wait_for()


def _say(page, text: str) -> str:  # noqa: ANN001
    """Type in the web chat; the bot's answer (the newest bot bubble once it arrives)."""
    before = page.locator("#log .msg.bot").count()
    page.fill("#text", text)
    page.press("#text", "Enter")
    page.locator("#log .msg.bot").nth(before).wait_for()
    return "\n".join(page.locator("#log .msg.bot").all_inner_texts()[before:])


def test_one_state_per_broadcast_confirmations_and_a_cancelled_draft(live, seeded, clock) -> None:  # noqa: ANN001
    from playwright.sync_api import sync_playwright

    server, rt = live
    base = server.url
    with rt.db.session() as s:
        identity = s.exec(select(MemberIdentity).where(MemberIdentity.address == "web:somsri")).one()
        identity.address = f"web:{MEMBER_VISITOR}"
        s.add(identity)
        officer = members_repo.grant_officer(s, address=f"web:{OFFICER_VISITOR}", province="พิษณุโลก")
        officer.consent_at = rt.clock.now()  # consented earlier
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        _ctx, page = _new_page(browser, DESKTOP)
        log_in(page, base, "plk@example.go.th", PASSWORD)

        # scheduled: its Thai state and when it will go
        _ask_to_send(page, base, "ขอเชิญประชุมเครือข่าย 10 ธ.ค.", at="1 ธ.ค. 69 9 โมง")
        assert "ประกาศนี้จะส่งถึง 1 คน" in page.inner_text("#confirm-message")
        page.click("#confirm-yes")
        page.wait_for_url(re.compile(r"/admin/broadcasts/\d+"))
        url = page.url.split("?")[0]
        assert page.inner_text("#broadcast-status") == "ตั้งเวลาไว้"
        assert "1 ธ.ค. 2569 09.00 น." in page.inner_text("main")
        # withdrawn: one state, nothing that contradicts it, here and in the list
        page.locator(f"form[action$='/cancel'] button").click()
        page.wait_for_load_state("networkidle")
        page.goto(url)
        assert page.inner_text("#broadcast-status") == "ถอนแล้ว"
        main = page.inner_text("main")
        for contradiction in ("ส่งเสร็จเมื่อ", "ยังไม่เริ่มส่ง", "ตั้งเวลาไว้", "กำลังส่ง", "ระบบกำลังส่ง"):
            assert contradiction not in main
        assert page.locator(f"form[action$='/cancel']").count() == 0
        page.goto(f"{base}/admin/broadcasts")
        row = page.locator("tbody tr", has_text="ขอเชิญประชุมเครือข่าย").inner_text()
        assert "ถอนแล้ว" in row and "ตั้งเวลาไว้" not in row and "กำลังส่ง" not in row

        # a registration deadline typed as a day closes at the end of that day, on the event's page
        page.goto(f"{base}/admin/events/new")
        page.fill("#title", "สัมมนาเครือข่ายองค์กรสวัสดิการชุมชน")
        page.fill("#starts_at", "20 ม.ค. 70 9 โมง")
        page.fill("#ends_at", "20/1/2570 16.00")
        page.fill("#registration_deadline", "15 ม.ค. 70")
        page.fill("#venue", "โรงแรมอมรินทร์ลากูน พิษณุโลก")
        page.fill("#capacity", "60")
        page.click("form.card button[type=submit]")
        page.wait_for_url(re.compile(r"/admin/events/\d+"))
        event_page = page.inner_text("main")
        assert "15 ม.ค. 2570 23.59 น." in event_page and "16 ม.ค. 2570" not in event_page

        # a non-urgent send at night: told when quiet hours let it go, before confirming
        clock.set(datetime(2026, 11, 25, 22, 0, tzinfo=BANGKOK))
        _ask_to_send(page, base, "แจ้งเปลี่ยนห้องประชุม")
        warning = page.inner_text("#confirm-warning")
        assert "งดส่งข้อความ" in warning and "26 พ.ย. 2569 07.00 น." in warning
        _phone_ctx, phone = _new_page(browser, PHONE)  # the same question on a phone: readable, no sideways scroll
        log_in(phone, base, "plk@example.go.th", PASSWORD)
        _ask_to_send(phone, base, "แจ้งเปลี่ยนห้องประชุม")
        assert phone.locator("#confirm-warning").is_visible() and phone.locator("#confirm-yes").is_visible()
        assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        clock.set(datetime(2026, 11, 25, 10, 0, tzinfo=BANGKOK))  # scheduled for a night hour
        _ask_to_send(page, base, "แจ้งเปลี่ยนห้องประชุม", at="27 พ.ย. 69 4 ทุ่ม")
        warning = page.inner_text("#confirm-warning")
        assert "งดส่งข้อความ" in warning and "28 พ.ย. 2569 07.00 น." in warning
        clock.set(datetime(2026, 11, 25, 10, 0, tzinfo=BANGKOK))

        # web chat: a member's cancelled report draft is really gone, and not offered again
        member_ctx, member = _new_page(browser, PHONE)
        member_ctx.add_cookies([chat_cookie(rt, base, visitor=MEMBER_VISITOR)])
        member.goto(base + "/")
        assert "เล่ากิจกรรม" in _say(member, "ส่งรายงาน")
        assert "ผู้เข้าร่วมกี่คน" in _say(member, "จัดอบรมอาสาสมัครดูแลผู้สูงอายุ 12 พ.ย. 69")
        assert "ไม่ได้บันทึก" in _say(member, "ยกเลิก")
        again = _say(member, "ส่งรายงาน")  # a fresh start: the cancelled activity is neither shown nor offered
        assert "เล่ากิจกรรม" in again and "อาสาสมัคร" not in again
        assert "ทำต่อ" not in member.locator(".choices button").all_inner_texts()
        _say(member, "ยกเลิก")
        assert "ไม่มีรายงานที่ค้างไว้" in _say(member, "ทำต่อ")

        # reject an organization: asked first with the members it tells, a reason they receive
        org_url = f"{base}/admin/orgs/{seeded['plk']}"
        page.goto(org_url)
        page.locator(f"form[action$='/reject'] button").click()
        assert "สมาชิก 1 คน" in page.inner_text("#confirm-message")
        reason = "ไม่พบเลขที่หนังสือรับรองในทะเบียน กรุณาส่งสำเนามาที่ พมจ."
        page.fill("#reason", reason)
        page.click("#confirm-yes")
        page.wait_for_url(org_url + "*")
        assert page.locator("#org-rejected").is_visible() and reason in page.inner_text("#org-rejection-reason")

        # remove a member: asked first, naming the person and the count
        page.locator(f"form[action$='/members/{seeded['m1']}/remove'] button").click()
        message = page.inner_text("#confirm-message")
        assert "นำ สมศรี ใจดี ออกจาก" in message and "1 คน" in message
        page.click("#confirm-yes")
        page.wait_for_url(org_url + "*")
        assert page.locator("#org-members", has_text="สมศรี ใจดี").count() == 0 and "สมศรี ใจดี" not in page.inner_text("#members")

        # the member reads both in the web chat
        with ThreadPoolExecutor(1) as pool:  # its own event loop, beside Playwright's
            pool.submit(drain_once, rt).result()
        member.locator("#log .msg.bot", has_text=reason).wait_for()
        member.locator("#log .msg.bot", has_text="นำคุณออกจากรายชื่อผู้แทนองค์กร").wait_for()

        # web chat: officer powers never reach the anonymous browser chat (docs/security.md), so no
        # broadcast draft can start there
        officer_ctx, chat = _new_page(browser, PHONE)
        officer_ctx.add_cookies([chat_cookie(rt, base, visitor=OFFICER_VISITOR)])
        chat.goto(base + "/")
        assert "พิมพ์ข้อความประกาศ" not in _say(chat, "ประกาศ")
        browser.close()
