"""The console's actions reach people: "send now" delivered to a LINE member through the fake LINE server,
cancelling an event tells who registered; photos and cancelling stay inside the officer's province."""
from __future__ import annotations

import re

import pydantic
import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from bot import web_inbox
from bot.delivery import drain_once
from bot.messages import Address
from bot.wiring import build
from bot.server import create_app
from storage.models import Broadcast, OutboxMessage
from storage.models.events import Event
from storage.repositories import members as members_repo
from storage.repositories import reports as reports_repo
from tests.channels.helpers import LINE_SECRET, LINE_TOKEN
from tests.console.conftest import csrf_of, login
from tests.console.test_console_pages import register_in_chat

LINE_MEMBER = "U" + "5" * 32
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64


@pytest.fixture
def line_console(settings, clock, seeded, fake_line):  # noqa: ANN001, ANN201
    """The console of a server whose LINE channel talks to the fake LINE API, logged in as Phitsanulok's
    officer; a LINE member of a Phitsanulok organization besides the seeded web members."""
    wired = settings.model_copy(update={
        "line_channel_secret": pydantic.SecretStr(LINE_SECRET),
        "line_channel_access_token": pydantic.SecretStr(LINE_TOKEN),
        "line_api_base_url": fake_line.url, "line_data_api_base_url": fake_line.data_url})
    runtime = build(wired, clock=clock)
    with runtime.db.session() as s:
        members_repo.create(s, address=Address("line", LINE_MEMBER), organization_id=seeded["plk2"],
                            full_name="บุญมี แสงทอง", position="เหรัญญิก", phone="0891234567")
    with TestClient(create_app(runtime=runtime, start_scheduler=False), follow_redirects=False) as client:
        assert login(client, "plk@example.go.th").status_code == 303
        yield client, runtime
    runtime.db.dispose()


def test_send_now_reaches_the_provinces_members_on_line_and_on_the_web(line_console, fake_line, seeded) -> None:  # noqa: ANN001
    client, runtime = line_console
    text = "ขอเชิญร่วมเวทีเสวนาเครือข่าย 15 ธ.ค. ที่ พมจ.พิษณุโลก"
    form = client.get("/admin/broadcasts/new").text
    res = client.post("/admin/broadcasts/new", data={"csrf": csrf_of(form), "text": text, "audience": "province",
                                                     "schedule": "now", "action": "send", "confirmed": "1"})
    assert res.status_code == 303
    drain_once(runtime, max_seconds=20)  # what the server's scheduler does every few seconds
    [message] = fake_line.messages_to(LINE_MEMBER)
    assert text in str(message)
    assert [c["status"] for c in fake_line.calls if c["operation"] in ("pushMessage", "multicast")] == [200]
    with runtime.db.session() as s:
        assert text in "\n".join(r.text or "" for r in web_inbox.take(s, address="web:somsri"))
        assert web_inbox.take(s, address="web:janpen") == []  # Korat's member: another province
        (b,) = s.exec(select(Broadcast)).all()
        assert (b.status, b.delivered) == ("done", 2)
    page = client.get(res.headers["location"].split("?")[0]).text
    assert re.search(r'id="broadcast-status">ส่งแล้ว</span>\s*<span id="broadcast-state-note">ส่งเสร็จเมื่อ', page)


def _photo(runtime, report_id: int) -> int:  # noqa: ANN001
    with runtime.db.session() as s:
        activity = reports_repo.activities(s, report_id=report_id)[0]
        return reports_repo.add_photo(s, activity_id=activity.id, channel="line", data=JPEG,
                                      content_type="image/jpeg").id


def test_photos_are_shown_only_to_the_officers_of_their_province(as_plk, client, seeded, runtime) -> None:  # noqa: ANN001
    own, korat = _photo(runtime, seeded["r_plk"]), _photo(runtime, seeded["r_nma"])
    res = as_plk.get(f"/admin/photos/{own}")
    assert res.status_code == 200 and res.content == JPEG and res.headers["content-type"] == "image/jpeg"
    refused = as_plk.get(f"/admin/photos/{korat}")
    assert refused.status_code == 403 and refused.content != JPEG and "จังหวัดอื่น" in refused.text
    assert as_plk.get("/admin/photos/999999").status_code == 404
    client.cookies.clear()
    assert login(client, "nma@example.go.th").status_code == 303
    assert client.get(f"/admin/photos/{korat}").content == JPEG
    assert client.get(f"/admin/photos/{own}").status_code == 403
    client.cookies.clear()
    assert client.get(f"/admin/photos/{own}").status_code in (302, 303)  # no login: to the login page


def test_cancelling_an_event_tells_who_registered_and_only_in_the_province(as_plk, seeded, runtime, new_chat) -> None:  # noqa: ANN001
    client = as_plk
    url = f"/admin/events/{seeded['ev_plk']}"
    assert client.post(url + "/publish", data={"csrf": csrf_of(client.get(url).text), "confirmed": "1"}).status_code == 303
    register_in_chat(new_chat("somsri"), seeded["ev_plk"])
    # Korat's event: refused, and nothing changes
    other = f"/admin/events/{seeded['ev_nma']}/cancel"
    refused = client.post(other, data={"csrf": csrf_of(client.get(url).text)})
    assert refused.status_code == 403 and "จังหวัดอื่น" in refused.text
    res = client.post(url + "/cancel", data={"csrf": csrf_of(client.get(url).text)})
    assert res.status_code == 303
    with runtime.db.session() as s:
        assert s.get(Event, seeded["ev_plk"]).status == "cancelled"
        assert s.get(Event, seeded["ev_nma"]).status == "draft"
        notices = [o for o in s.exec(select(OutboxMessage).where(OutboxMessage.kind == "notice"))]
    assert [n.address for n in notices] == ["web:somsri"]
    assert "ถูกยกเลิกแล้ว การลงทะเบียนของคุณยกเลิกโดยอัตโนมัติ" in notices[0].content[0]["text"]
    assert "ยกเลิก" in client.get(url).text
    again = client.post(url + "/cancel", data={"csrf": csrf_of(client.get(url).text)})
    assert again.status_code == 303
    with runtime.db.session() as s:  # a second cancel tells nobody twice
        assert len(s.exec(select(OutboxMessage).where(OutboxMessage.kind == "notice")).all()) == 1
