"""The whole training day in a real Chromium: a LINE member registers (with a dietary need) and gets a QR
code image; on the day an officer's phone scans it through a fake camera stream, a scan while offline waits
and is sent when the network is back, a waitlisted code is refused, a walk-in is added; the sign-in sheet is
printed and read back; after the event certificates are issued, delivered through the fake LINE API
(spec-checked), asked for again, and verified on the public page; the export holds all of it."""
from __future__ import annotations

import csv
import io
import re
from datetime import datetime

import httpx
import pytest
from pydantic import SecretStr
from sqlmodel import select

from bot.clock import BANGKOK
from bot.runtime import build
from bot.server import create_app
from storage.models import AuditEntry
from storage.models.events import EventAttendee, EventRegistration
from storage.models.training import Certificate, EventNeeds
from storage.repositories import events as events_repo
from tests.channels.helpers import LINE_SECRET, LINE_TOKEN, LineUser, sign_up
from tests.console.browser import CHROMIUM, CHROMIUM_ARGS, AppServer, chromium_missing, log_in
from tests.console.conftest import PASSWORD
from tests.trainingday.helpers import first_page_png, nfkc, pdf_text, screenshot_dir, write_y4m

pytestmark = pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or "")
PUBLIC = "https://khruakhai.example.go.th"  # what LINE sees; the test maps it back to the local server


@pytest.fixture
def live(settings, clock, seeded, fake_line):  # noqa: ANN001, ANN201
    line_settings = settings.model_copy(update={
        "line_channel_secret": SecretStr(LINE_SECRET), "line_channel_access_token": SecretStr(LINE_TOKEN),
        "line_api_base_url": fake_line.url, "line_data_api_base_url": fake_line.data_url,
        "public_base_url": PUBLIC})
    runtime = build(line_settings, clock=clock)
    app = create_app(runtime=runtime, start_scheduler=False)
    with AppServer(app) as server:
        yield server, app, runtime
    runtime.db.dispose()


def _local(url: str, base: str) -> str:
    assert url.startswith(PUBLIC + "/"), url
    return base + url[len(PUBLIC):]


def _images(messages: list[dict]) -> list[dict]:
    return [m for m in messages if m["type"] == "image"]


def test_the_whole_training_day(live, seeded, fake_line, clock, tmp_path) -> None:  # noqa: ANN001, PLR0915
    server, app, runtime = live
    base = server.url
    shots = screenshot_dir(tmp_path)
    event_id = seeded["ev_plk"]  # capacity 2, 10 Dec 2026 09.00–16.00, Phitsanulok
    with runtime.db.session() as s:
        events_repo.publish(s, event=events_repo.get(s, event_id=event_id), now=clock.now())
        # Somsri (web chat) holds the second seat; a third organization waits on the waitlist.
        somsri = events_repo.register(s, event_id=event_id, member_id=seeded["m1"], organization_id=seeded["plk"],
                                      attendees=[("สมศรี ใจดี", "ประธาน")], phone="0812345678", now=clock.now())
        assert somsri.outcome == "registered"

    # --- a LINE member registers, says they need halal food, and gets the QR code as an image -----------------
    with httpx.Client(base_url=base, timeout=30) as http:
        user = LineUser(http, fake_line, app.state.line_channel)
        fake_line.set_profile(user.user_id, "ประเสริฐ")
        user.follow()
        sign_up(user, org="ชมรมผู้สูงอายุบ้านกร่าง", province="พิษณุโลก", name="ประเสริฐ มั่นคง",
                phone="089-876-5432", first="")
        user.say("อบรม")
        user.tap("อบรมผู้บริหาร")
        user.say("ประเสริฐ มั่นคง")
        if any("เสร็จแล้ว" in a.get("label", "") for a in user.actions):
            user.tap("เสร็จแล้ว")
        if any("089" in a.get("label", "") for a in user.actions):
            user.tap("089")
        assert "อาหารฮาลาล" in user.text  # the one question about food and access, with quick replies
        user.tap("อาหารฮาลาล")
        assert "อาหารฮาลาล" in user.text  # in the read-back
        confirmation = user.tap("ยืนยัน")
        assert "ลงทะเบียนเรียบร้อยแล้ว" in user.text
        [qr_message] = _images(confirmation)
        qr_url = qr_message["originalContentUrl"]
        assert re.fullmatch(PUBLIC + r"/qr/KK1\.[\w.-]+\.png", qr_url)
        assert "ประเสริฐ" not in qr_url and "0898765432" not in qr_url  # a signed id, no personal data
        qr_png = http.get(_local(qr_url, base)).content
        assert qr_png.startswith(b"\x89PNG")
        assert http.get(base + "/qr/KK1.forged.png").status_code == 404
        with runtime.db.session() as s:
            waiting = events_repo.register(s, event_id=event_id, member_id=None, organization_id=seeded["plk2"],
                                           attendees=[("บุญมี รอคิว", None)], phone=None, now=clock.now())
            assert waiting.outcome == "waitlisted"
            waiting_code, somsri_code = waiting.registration.checkin_code, somsri.registration.checkin_code  # type: ignore[union-attr]

    # --- the day: the officer's phone scans the QR code from a fake camera stream -----------------------------
    clock.set(datetime(2026, 12, 10, 8, 30, tzinfo=BANGKOK))
    video = write_y4m(qr_png, tmp_path / "qr.y4m")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS + [
            "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}"])
        try:
            context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                          locale="th-TH", is_mobile=True, has_touch=True)
            context.grant_permissions(["camera"], origin=base)
            page = context.new_page()
            page.set_default_timeout(20000)
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            missing: list[str] = []
            page.on("response", lambda r: missing.append(r.url) if r.status == 404 and "favicon" not in r.url else None)
            log_in(page, base, "plk@example.go.th", PASSWORD)
            page.goto(f"{base}/admin/events/{event_id}/checkin")
            page.wait_for_selector("#checkin-outcome:has-text('เช็กอินแล้ว')")
            assert "ประเสริฐ มั่นคง" in page.inner_text("#checkin-names")
            assert "ชมรมผู้สูงอายุบ้านกร่าง" in page.inner_text("#checkin-org")
            page.screenshot(path=str(shots / "checkin-phone.png"))
            # The code is still in front of the camera: the next read says "already in" and changes nothing.
            page.wait_for_selector("#checkin-outcome:has-text('เช็กอินไปแล้ว')")

            # A waitlisted code, typed: refused in large text.
            page.fill("#checkin-code", waiting_code)
            page.click("#checkin-code-form button")
            page.wait_for_selector("#checkin-outcome:has-text('รายชื่อสำรอง')")
            assert "บุญมี รอคิว" in page.inner_text("#checkin-names")

            # The network drops: a typed code still names the person and waits in localStorage.
            context.set_offline(True)
            page.fill("#checkin-code", somsri_code)
            page.click("#checkin-code-form button")
            page.wait_for_selector("#checkin-outcome:has-text('ออฟไลน์')")
            assert "สมศรี ใจดี" in page.inner_text("#checkin-names")
            assert "รอส่ง 1 รายการ" in page.inner_text("#checkin-queue")
            queued = page.evaluate(f"localStorage.getItem('khruakhai-checkin-queue-{event_id}')")
            assert somsri_code in queued and "สมศรี" not in queued  # the code only, never a name
            with runtime.db.session() as s:
                assert not s.exec(select(EventAttendee).where(EventAttendee.name == "สมศรี ใจดี")).one().attended
            context.set_offline(False)
            page.wait_for_selector("#checkin-queue:empty", state="attached")  # sent when the network is back
            with runtime.db.session() as s:
                assert s.exec(select(EventAttendee).where(EventAttendee.name == "สมศรี ใจดี")).one().attended

            # A walk-in, in one screen.
            page.fill("input[name=name]", "วิชัย มาเอง")
            page.fill("input[name=organization]", "สภาองค์กรชุมชนตำบลวังทอง")
            page.fill("input[name=phone]", "0861112222")
            page.click("#walkin button[type=submit]")
            page.wait_for_selector(".flash:has-text('เพิ่มผู้เข้าร่วมหน้างาน')")

            # The sign-in sheet, printed from the console.
            sheet = page.request.get(f"{base}/admin/events/{event_id}/signin.pdf")
            assert sheet.status == 200 and sheet.headers["content-type"] == "application/pdf"
            text = pdf_text(sheet.body())
            for expected in ("ใบลงทะเบียนผู้เข้าร่วม", "อบรมผู้บริหารองค์กรสาธารณประโยชน์ รุ่นที่ 5", "10 ธ.ค. 2569",
                             "ลายมือชื่อ", "มูลนิธิพัฒนาเด็กและครอบครัวพิษณุโลก", "สมศรี ใจดี", "ประเสริฐ มั่นคง",
                             "ชมรมผู้สูงอายุบ้านกร่าง", "วิชัย มาเอง", "สภาองค์กรชุมชนตำบลวังทอง"):
                assert nfkc(expected) in text, expected
            assert "บุญมี รอคิว" not in text  # the waitlist has no seat to sign for
            first_page_png(sheet.body(), shots / "signin-sheet.png")

            # --- after the event: certificates ---------------------------------------------------------------
            clock.set(datetime(2026, 12, 10, 17, 0, tzinfo=BANGKOK))
            page.on("dialog", lambda d: d.accept())
            page.goto(f"{base}/admin/events/{event_id}/certificates")
            page.fill("input[name=signer_name]", "นางสาวพิมพ์ใจ ศรีสุข")
            page.fill("input[name=signer_position]", "พัฒนาสังคมและความมั่นคงของมนุษย์จังหวัดพิษณุโลก")
            page.click("form[action$='/template'] button")
            page.wait_for_selector(".flash")
            page.click("#issue-certificates")
            page.wait_for_selector("#certificates")
            assert page.inner_text("#certificates").count("/2569") == 3  # Prasert, Somsri, the walk-in

            page.goto(f"{base}/admin/events/{event_id}")
            assert "อาหารฮาลาล" in page.inner_text("#needs") and "1 คน" in page.inner_text("#needs")
            by_org = page.inner_text("#attendance-by-org")
            assert "ชมรมผู้สูงอายุบ้านกร่าง" in by_org and "100%" in by_org and "สภาองค์กรชุมชนตำบลวังทอง" in by_org
            # no script error, no CSP violation (resources failing while offline are expected)
            assert [e for e in errors if not e.startswith("Failed to load resource")] == [], errors
            assert not missing, missing
            export = page.request.get(f"{base}/admin/events/{event_id}/export?fmt=csv").body()
        finally:
            browser.close()

    # --- delivery through the (spec-checked) fake LINE API, and the public verification page ----------------------
    from bot.delivery import drain_once

    drain_once(runtime, max_seconds=20)
    pushed = fake_line.messages_to(user.user_id)[-2:]
    assert "เกียรติบัตร" in pushed[0]["text"] and "ประเสริฐ มั่นคง" in pushed[0]["text"]
    pdf_link = re.search(PUBLIC + r"/certificates/\S+\.pdf", pushed[0]["text"]).group(0)  # type: ignore[union-attr]
    [cert_image] = _images(pushed)
    assert fake_line.unexpected_violations() == []
    with httpx.Client(timeout=30) as http:
        png = http.get(_local(cert_image["originalContentUrl"], base))
        assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
        (shots / "certificate.png").write_bytes(png.content)
        pdf = http.get(_local(pdf_link, base))
        assert pdf.headers["content-type"] == "application/pdf"
        cert_text = pdf_text(pdf.content)
        assert all(nfkc(w) in cert_text for w in ("ประเสริฐ มั่นคง", "นางสาวพิมพ์ใจ ศรีสุข", "เกียรติบัตร", "ให้ไว้ ณ วันที่ 10 ธ.ค. 2569"))
        verify = re.search(r"https://\S+/verify/[\w-]+", cert_text).group(0)  # type: ignore[union-attr]
        page_ok = http.get(_local(verify, base))
        assert page_ok.status_code == 200
        assert "ของจริง" in page_ok.text and "ประเสริฐ มั่นคง" in page_ok.text and "อบรมผู้บริหาร" in page_ok.text
        assert "089" not in page_ok.text and "ชมรม" not in page_ok.text  # the name and the event, nothing more
        forged = http.get(base + "/verify/not-a-real-code")
        assert forged.status_code == 404 and "ไม่พบเกียรติบัตร" in forged.text
        assert http.get(base + "/certificates/forged.pdf").status_code == 404

        # Asked for again in the chat.
        user.client = httpx.Client(base_url=base, timeout=30)
        user._seen = len(fake_line.messages_to(user.user_id))  # the pushes above were read already
        again = user.say("เกียรติบัตรของฉัน")
        assert "เกียรติบัตรของคุณมี 1 ใบ" in user.text and len(_images(again)) == 1
        user.client.close()

    # --- the export holds attendance, the walk-in, needs, feedback and certificate numbers ------------------------
    with runtime.db.session() as s:
        numbers = {c.name: c.number for c in s.exec(select(Certificate))}
        assert s.exec(select(EventNeeds)).one().needs == ["halal"]
        actions = [a.action for a in s.exec(select(AuditEntry))]
        assert actions.count("event.checkin") == 2 and "event.walkin" in actions  # each person once
        assert len(s.exec(select(EventRegistration).where(EventRegistration.event_id == event_id)).all()) == 4
    rows = {r["attendee_name"]: r for r in csv.DictReader(io.StringIO(export.decode("utf-8-sig")))}
    assert rows["ประเสริฐ มั่นคง"]["status"] == "attended" and rows["ประเสริฐ มั่นคง"]["needs"] == "อาหารฮาลาล"
    assert rows["ประเสริฐ มั่นคง"]["certificate_no"] == numbers["ประเสริฐ มั่นคง"]
    assert rows["วิชัย มาเอง"]["walk_in"] == "true" and rows["วิชัย มาเอง"]["organization"] == "สภาองค์กรชุมชนตำบลวังทอง"
    assert rows["วิชัย มาเอง"]["status"] == "attended" and rows["บุญมี รอคิว"]["status"] == "waitlisted"
