"""Photos: only JPEG, PNG, WebP and GIF are kept, judged by their first bytes; anything else gets a polite
Thai reply and is not stored. Photos are served sandboxed with the sniffed type; console pages carry a
strict Content-Security-Policy (and still work in a real browser)."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from bot import i18n
from bot.images import sniff_image
from bot.messages import Attachment, IncomingMessage
from bot.server import create_app
from storage.models.events import Event
from storage.models.reports import ReportPhoto
from storage.repositories import reports as repo
from tests.channels.helpers import TgUser, sign_up
from tests.console.conftest import login
from tests.conversations.helpers import sign_up_new_org
from tests.fakes import line_webhook as lw
from tests.reports.helpers import SENTENCE
from tests.transcript import Chat

SVG = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.cookie)">'
       b'<script>fetch("/admin/orgs")</script></svg>')
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32
NOT_AN_IMAGE = i18n.t("reports.photo_not_an_image", "th")


def test_only_four_kinds_by_their_first_bytes() -> None:
    assert sniff_image(JPEG) == "image/jpeg"
    assert sniff_image(b"\x89PNG\r\n\x1a\n" + b"\x00" * 8) == "image/png"
    assert sniff_image(b"GIF89a" + b"\x00" * 8) == "image/gif"
    assert sniff_image(b"RIFF\x10\x00\x00\x00WEBPVP8 ") == "image/webp"
    for other in (SVG, b"<html><script>alert(1)</script>", b"%PDF-1.7", b"MZ\x90\x00", b"", b"\xff\xd8"):
        assert sniff_image(other) is None


def test_an_svg_sent_on_telegram_as_a_document_is_refused_and_not_stored(tg_client, fake_telegram) -> None:  # noqa: ANN001
    client, channel = tg_client
    runtime = client.app.state.runtime
    user = TgUser(client, fake_telegram, channel)
    sign_up(user)
    user.say("ส่งรายงาน")
    user.say(SENTENCE)
    assert "ส่งรูปกิจกรรม" in user.text
    file_id = fake_telegram.add_file(SVG, file_path="documents/pretty.svg")
    update = lw.tg_text_update(user.chat_id, "")
    del update["message"]["text"]
    update["message"]["document"] = {"file_id": file_id, "file_unique_id": file_id[-16:], "file_name": "pretty.svg",
                                     "mime_type": "image/svg+xml", "file_size": len(SVG)}
    user.send(update)
    assert NOT_AN_IMAGE in user.text
    with runtime.db.session() as s:
        assert s.exec(select(ReportPhoto)).all() == []


def test_a_file_declared_a_jpeg_but_not_one_is_refused(chat: Chat) -> None:
    sign_up_new_org(chat)
    chat.say("ส่งรายงาน")
    chat.say(SENTENCE)
    chat.send(IncomingMessage(address=chat.address, attachments=(
        Attachment("image", content_type="image/jpeg", data=b"<html><script>alert(1)</script></html>"),)))
    assert NOT_AN_IMAGE in chat.text
    chat.send(IncomingMessage(address=chat.address, attachments=(Attachment("image", content_type="text/plain",
                                                                            data=JPEG),)))
    assert "1/5" in chat.text
    with chat.runtime.db.session() as s:
        [photo] = s.exec(select(ReportPhoto)).all()
    assert photo.data == JPEG and photo.content_type == "image/jpeg"  # the type from the bytes


def _photo(runtime, seeded, data: bytes, content_type: str) -> int:  # noqa: ANN001
    with runtime.db.session() as s:
        activity = repo.activities(s, report_id=seeded["r_plk"])[0]
        return repo.add_photo(s, activity_id=activity.id, channel="telegram", data=data, content_type=content_type).id


def test_photos_are_served_sandboxed_with_the_sniffed_type(runtime, seeded) -> None:  # noqa: ANN001
    old_svg = _photo(runtime, seeded, SVG, "image/svg+xml")  # stored before photos were checked
    jpeg = _photo(runtime, seeded, JPEG, "image/svg+xml")
    with TestClient(create_app(runtime=runtime, start_scheduler=False), follow_redirects=False) as client:
        page = client.get("/admin/login")
        csp = page.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert login(client, "plk@example.go.th").status_code == 303
        for photo_id, kind in ((old_svg, "application/octet-stream"), (jpeg, "image/jpeg")):
            res = client.get(f"/admin/photos/{photo_id}")
            assert res.status_code == 200
            assert res.headers["content-type"] == kind
            assert res.headers["content-security-policy"] == "default-src 'none'; sandbox"
            assert res.headers["x-content-type-options"] == "nosniff"
        assert "attachment" in client.get(f"/admin/photos/{old_svg}").headers["content-disposition"]
        report = client.get(f"/admin/reports/{seeded['r_plk']}")
        assert report.status_code == 200 and "content-security-policy" in report.headers
        assert "<script>" not in report.text and " style=" not in report.text


@pytest.mark.skipif(__import__("tests.console.browser", fromlist=["x"]).chromium_missing() is not None,
                    reason="no chromium")
def test_console_pages_work_under_their_policy_in_a_browser(runtime, seeded) -> None:  # noqa: ANN001
    from tests.console.browser import AppServer, browser_page, log_in
    from tests.console.conftest import PASSWORD

    violations: list[str] = []
    dialogs: list[str] = []

    def dismiss(dialog) -> None:  # noqa: ANN001
        dialogs.append(dialog.message)
        dialog.dismiss()

    with AppServer(create_app(runtime=runtime, start_scheduler=False)) as server, browser_page() as page:
        page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
        log_in(page, server.url, "plk@example.go.th", PASSWORD)
        page.goto(f"{server.url}/admin/broadcasts/new")
        page.goto(f"{server.url}/admin/events/{seeded['ev_plk']}")
        page.on("dialog", dismiss)  # "cancel this event?" is asked by the console's script; answered no
        page.click("button:has-text('ยกเลิกกิจกรรม')")
        page.wait_for_timeout(300)
    assert len(dialogs) == 1 and violations == []
    with runtime.db.session() as s:
        assert s.get(Event, seeded["ev_plk"]).status != "cancelled"
