"""The console on a phone and the web chat as LINE shows it, in one headless Chromium against one server:
every console page and the web chat at 390×844 without horizontal scrolling, the attendance list used at the
door, dates typed in Thai and shown back with the BE year, and cards with their buttons and quick replies.
The same walk makes docs/screenshots/ (`python -m tests.console.screenshots`)."""
from __future__ import annotations

import re

import pytest
from sqlmodel import select

from storage.models.events import Event
from storage.models.reports import ReportPhoto

from tests.console.browser import chromium_missing, live_console, log_in
from tests.console.screenshots import EMAIL, PASSWORD, PHONE, chat_cookie, console_paths, seed, walk

pytestmark = pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or "")


@pytest.fixture
def live(settings, clock, runtime, fake_line):  # noqa: ANN001, ANN201
    with live_console(settings, clock, fake_line, web_chat_enabled=True) as (server, _app, rt):
        yield server, rt, seed(rt)


def test_no_page_is_wider_than_a_phone(live) -> None:  # noqa: ANN001
    server, rt, ids = live
    pages = console_paths(ids)
    assert len(pages) >= 20 and ("event-checkin", f"/admin/events/{ids['event']}/checkin") in pages
    seen = {name: problem for _size, name, problem in walk(server, rt, ids, sizes={"phone": PHONE})}
    assert {"login", "overview", "attendance", "deadline", "webchat"} <= set(seen)
    assert {name: problem for name, problem in seen.items() if problem} == {}


def _page(browser, width: int, height: int):  # noqa: ANN001, ANN202
    context = browser.new_context(viewport={"width": width, "height": height}, locale="th-TH")
    page = context.new_page()
    page.set_default_timeout(15000)
    return context, page


def test_phone_console_door_and_thai_dates(live) -> None:  # noqa: ANN001
    from playwright.sync_api import sync_playwright

    from tests.console.browser import CHROMIUM, CHROMIUM_ARGS

    server, rt, ids = live
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        _ctx, page = _page(browser, *PHONE)
        log_in(page, server.url, EMAIL, PASSWORD)
        # the header and tabs are one compact band, not a screen of links before the content
        top = page.locator("main").bounding_box()
        assert top is not None and top["y"] < 130
        # overview: the compliance bars are text, readable at phone width
        assert page.locator("#compliance-chart li").count() >= 1

        # attendance at the door: search by name or code, big ticks
        page.goto(f"{server.url}/admin/events/{ids['event']}#attendance")
        rows = page.locator("#registrants tbody tr")
        assert rows.count() >= 3
        code = page.locator("#registrants tbody tr code").nth(1).inner_text()
        page.fill("#attendance-q", code)  # filtered as typed
        assert page.locator("#registrants tbody tr:visible").count() == 1
        page.fill("#attendance-q", "กานดา")
        assert page.locator("#registrants tbody tr:visible").count() == 1
        page.click(".search-attendance button[type=submit]")  # and on the server, over every page
        page.wait_for_url(re.compile(r"q=%E0%B8%81"))
        assert page.locator("#registrants tbody tr").count() == 1
        tick = page.locator("label.tick").first
        box, check = tick.bounding_box(), tick.locator("input").bounding_box()
        assert box and check and box["height"] >= 44 and check["width"] >= 24
        tick.click()
        page.click(".sticky-save button")
        page.wait_for_load_state("networkidle")
        assert page.locator("label.tick input").first.is_checked()

        # dates typed in Thai, shown back live with the BE year; a day means until 23.59 that day
        page.goto(f"{server.url}/admin/events/new")
        page.fill("#title", "อบรมการเขียนรายงานผลการดำเนินงานสำหรับองค์กรใหม่")
        page.fill("#starts_at", "20/1/2570 9.30")
        page.locator("#starts_at-echo").filter(has_text="20 ม.ค. 2570 เวลา 09.30 น.").wait_for()
        page.fill("#ends_at", "อะไรก็ได้")
        page.locator("#ends_at-echo").filter(has_text="ยังอ่านวันที่ไม่ออก").wait_for()
        page.fill("#ends_at", "20 ม.ค. 70 บ่าย 4")
        page.locator("#ends_at-echo").filter(has_text="20 ม.ค. 2570 เวลา 16.00 น.").wait_for()
        page.fill("#registration_deadline", "15 ม.ค. 70")
        page.locator("#registration_deadline-echo").filter(has_text="วันศุกร์ที่ 15 ม.ค. 2570 (ถึงเวลา 23.59 น.)").wait_for()
        page.fill("#venue", "ห้องประชุม พมจ.พิษณุโลก")
        page.fill("#capacity", "40")
        page.click("form.card button[type=submit]")
        page.wait_for_url(re.compile(r"/admin/events/\d+"))
        body = page.locator("main").inner_text()
        assert "15 ม.ค. 2570 23.59 น." in body and "16 ม.ค. 2570" not in body

        # a broadcast's send time needs a time; shown back with the BE year
        page.goto(f"{server.url}/admin/broadcasts/new")
        page.check("input[name=schedule][value=later]")
        page.fill("#scheduled_at", "พรุ่งนี้")
        page.locator("#scheduled_at-echo").filter(has_text="พิมพ์เวลาด้วย").wait_for()
        page.fill("#scheduled_at", "พรุ่งนี้ 9 โมง")
        page.locator("#scheduled_at-echo").filter(has_text="วันพฤหัสบดีที่ 26 พ.ย. 2569 เวลา 09.00 น.").wait_for()

        # the server reads the field again: what it cannot read is refused with a Thai example
        page.goto(f"{server.url}/admin/deadlines")
        page.fill("#dl-title", "รายงานการใช้เงินอุดหนุน ปี 2570")
        page.fill("#due_date", "เร็ว ๆ นี้")
        page.click("form.card button[type=submit]")
        assert "อ่านวันครบกำหนดไม่ออกค่ะ" in page.locator("main").inner_text()
        browser.close()


PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82")


def test_web_chat_shows_cards_as_line_does(live) -> None:  # noqa: ANN001
    from playwright.sync_api import sync_playwright

    from tests.console.browser import CHROMIUM, CHROMIUM_ARGS

    server, rt, _ids = live
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        ctx, page = _page(browser, *PHONE)
        ctx.add_cookies([chat_cookie(rt, server.url)])
        page.goto(server.url + "/")
        page.fill("#text", "การลงทะเบียนของฉัน")
        page.press("#text", "Enter")
        card = page.locator("#log .card").last
        card.wait_for()
        # the card's own button and the reply's quick replies, together
        cancel = card.locator("button", has_text="ยกเลิกการลงทะเบียน")
        assert cancel.is_visible() and cancel.is_enabled()
        choices = page.locator(".choices button")
        assert choices.count() >= 2
        labels = choices.all_inner_texts()
        assert len(labels) == len(set(labels))  # a menu offers each item once
        # the map link once, as a button, not also as a field
        assert card.locator("a[href^='https://maps.google.com']").count() == 1
        assert "https://maps.google.com" not in card.locator("dl").inner_text()
        # a newer reply retires the older buttons
        page.locator(".choices button", has_text="อบรม/สัมมนาที่เปิดรับ").click()
        page.locator("#log .msg.me").nth(1).wait_for()
        page.locator("#log .card button:disabled", has_text="ยกเลิกการลงทะเบียน").wait_for()
        # long names are cut at the end of a word, with "…"
        page.locator(".choices button", has_text="…").first.wait_for()
        assert page.locator(".choices").count() == 1  # only the newest reply's quick replies remain
        from pythainlp.tokenize import word_tokenize

        with rt.db.session() as s:
            titles = [f"{i}. {e.title}" for i, e in enumerate(s.exec(select(Event).where(Event.status == "published")
                                                                     .order_by(Event.starts_at)), 1)]
        cut = [label for label in page.locator(".choices button").all_inner_texts() if label.endswith("…")]
        assert cut
        for label in cut:
            head = label[:-1]
            whole = next(t for t in titles if t.startswith(head))
            words = word_tokenize(whole, keep_whitespace=True)
            heads_at_word_ends = {"".join(words[:n]).rstrip(" .,:;-–(/") for n in range(1, len(words))}
            assert len(label) <= 20 and head in heads_at_word_ends, label
        # a photo from the page reaches the engine as a photo (a bot answer follows the picture)
        before = page.locator(".msg.bot").count()
        page.set_input_files("#photo", files=[{"name": "activity.png", "mimeType": "image/png", "buffer": PNG}])
        page.locator(".msg.me.media img").wait_for()
        page.locator(".msg.bot").nth(before).wait_for()
        assert "ส่งไม่สำเร็จ" not in page.locator(".msg.bot").last.inner_text()
        with rt.db.session() as s:  # kept on a new activity report, as a LINE photo sent first would be
            kept = s.exec(select(ReportPhoto).where(ReportPhoto.channel == "web")).all()
            assert [(p.status, p.data) for p in kept] == [("stored", PNG)]
        # Shift+Enter adds a line, Enter sends both lines as one message
        page.click("#text")
        page.keyboard.type("สอบถามค่ะ")
        page.keyboard.press("Shift+Enter")
        page.keyboard.type("เรื่องเงินอุดหนุน")
        page.keyboard.press("Enter")
        page.locator(".msg.me", has_text="เรื่องเงินอุดหนุน").wait_for()
        assert page.locator(".msg.me").last.inner_text() == "สอบถามค่ะ\nเรื่องเงินอุดหนุน"
        # not an image: refused before the engine
        refused = page.request.post(server.url + "/chat/api/photos",
                                    multipart={"photo": {"name": "x.png", "mimeType": "image/png", "buffer": b"<svg/>"}})
        assert refused.status == 415
        browser.close()


def test_a_stale_answer_button_is_refused_by_the_server(live) -> None:  # noqa: ANN001
    from bot import i18n

    import httpx

    server, rt, ids = live
    cookie = chat_cookie(rt, server.url)
    with httpx.Client(base_url=server.url, cookies={cookie["name"]: cookie["value"]}) as web:
        reply = web.post("/chat/api/messages", json={"postback": f"org:{ids['org']}"}).json()["replies"]
    assert reply[0]["text"] == i18n.t("engine.button_not_offered", "th")


def test_a_broadcast_names_its_province_and_offers_what_it_asks(live) -> None:  # noqa: ANN001
    from bot.broadcast_expand import broadcast_replies
    from bot.outbox import create_broadcast

    _server, rt, ids = live
    with rt.db.session() as s:
        b = create_broadcast(s, text="ขอให้องค์กรที่ยังไม่ส่งรายงานผลการดำเนินงาน ส่งภายในวันที่ 15 ธ.ค. 2569",
                             audience={"name": "report_missing", "param": str(ids["deadline"])},
                             scope_province="พิษณุโลก", audience_label="ยังไม่ส่งรายงาน")
        replies = broadcast_replies(s, b, "th")
    assert replies[0].text.startswith("📢 ประกาศจากสำนักงานพัฒนาสังคมและความมั่นคงของมนุษย์จังหวัดพิษณุโลก")
    assert [c.label for c in replies[0].choices][0] == "ส่งรายงาน"
    assert replies[0].choices[0].value == "go:report.start"


