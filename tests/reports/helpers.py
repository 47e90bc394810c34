"""Steps shared by the report tests."""
from __future__ import annotations

from collections import Counter
from datetime import date

from bot.photo_fetch import fetch_all_due
from storage.repositories import reports as repo
from tests.conversations.helpers import make_officer, sign_up_new_org
from tests.transcript import Chat

SENTENCE = ("จัดกิจกรรมเยี่ยมบ้านผู้สูงอายุ เมื่อ 25 ต.ค. 68 มีผู้เข้าร่วม 110 คน ใช้งบประมาณ 15,000 บาท "
            "จากกองทุนส่งเสริมการจัดสวัสดิการสังคม")


def member(new_chat, name: str, org: str, province: str = "พิษณุโลก", phone: str = "081-234-5678") -> Chat:  # noqa: ANN001
    """A signed-up member of a new organization `org`."""
    chat = new_chat(name)
    sign_up_new_org(chat, org=org, province=province, name=f"{name} ใจดี", phone=phone)
    return chat


def officer(new_chat, runtime, name: str = "officer", province: str | None = "พิษณุโลก") -> Chat:  # noqa: ANN001
    """A signed-up officer of `province` (None = national) chatting on the web."""
    make_officer(runtime, name, province)
    return new_chat(name)


def deadline(runtime, title: str = "รายงานผลการดำเนินงานประจำปี 2569", due: date = date(2026, 12, 9),  # noqa: ANN001
             provinces: tuple[str, ...] = (), kinds: tuple[str, ...] = ()) -> int:
    with runtime.db.session() as session:
        return repo.create_deadline(session, title=title, due_date=due, provinces=provinces, kinds=kinds).id


def report_one_sentence(chat: Chat, *, deadline_label: str | None = None) -> None:
    chat.say("ส่งรายงาน")
    if deadline_label and any(deadline_label in label for label in chat.labels):
        chat.tap(deadline_label)  # several deadlines open: the member picks one
    elif deadline_label:
        assert f"รายงานสำหรับ: {deadline_label}" in chat.text  # the one open deadline, chosen with a note
    chat.say(SENTENCE)
    chat.tap("ไม่มีรูป")
    assert "สรุปรายงานกิจกรรม" in chat.text
    chat.tap("ยืนยัน")
    assert "ส่งให้ พมจ. เรียบร้อยแล้ว" in chat.text


def run_photo_job(client) -> Counter[str]:  # noqa: ANN001
    """One run of the photo job as the server's scheduler runs it: on the server's event loop (where the
    channels' clients live), with the content fetchers the server was built with."""
    app = client.app
    return client.portal.call(fetch_all_due, app.state.runtime, app.state.content_fetchers)
