"""Journeys through signed LINE webhooks and the fake LINE server that the web-chat transcripts also
cover: the directory search, and an officer verifying a new organization from the notice pushed to them."""
from __future__ import annotations

from sqlmodel import select

from bot.delivery import drain_once
from storage.models import Organization
from tests.channels.helpers import LineUser, sign_up
from tests.fakes import line_webhook as lw
from tests.conversations.helpers import make_officer, seed_org


def _pushed(user: LineUser) -> list[dict]:
    """What reached the user since last time by push (the outbox's deliveries)."""
    messages = user.fake.messages_to(user.user_id)
    user.last = messages[user._seen:]
    user._seen = len(messages)
    return user.last


def test_directory_search_on_line(line_client, fake_line) -> None:  # noqa: ANN001
    client, channel = line_client
    runtime = channel.runtime
    seed_org(runtime, "มูลนิธิพัฒนาเด็กพิษณุโลก", province="พิษณุโลก")
    seed_org(runtime, "กองทุนสวัสดิการชุมชนบ้านกร่าง", province="พิษณุโลก", kind="community_welfare")
    seed_org(runtime, "มูลนิธิซ่อนตัว", province="พิษณุโลก", listed=False)
    seed_org(runtime, "มูลนิธิเพื่อนหญิงโคราช", province="นครราชสีมา")
    user = LineUser(client, fake_line, channel)
    sign_up(user, org="ชมรมผู้สูงอายุวังทอง", province="พิษณุโลก")
    user.say("ค้นหาเครือข่าย")
    assert "ค้นหาองค์กรในเครือข่าย" in user.text
    user.say("พิดโลก")  # a nickname of the province
    assert user.text.startswith("พบ 3 องค์กร")
    assert "มูลนิธิพัฒนาเด็กพิษณุโลก" in user.text and "กองทุนสวัสดิการชุมชนบ้านกร่าง" in user.text
    assert "ชมรมผู้สูงอายุวังทอง" in user.text and "ติดต่อ: สมศรี ใจดี 081-234-5678" in user.text
    assert "ซ่อนตัว" not in user.text and "โคราช" not in user.text  # unlisted; another province
    user.tap("ค้นหาอีกครั้ง")
    user.tap("องค์กรสวัสดิการชุมชน")  # a quick-reply button: a LINE postback
    assert "บ้านกร่าง" in user.text and "พัฒนาเด็ก" not in user.text
    user.tap("ค้นหาอีกครั้ง")
    user.say("เพื่อนหญิง")  # words of a name, in another province
    assert "มูลนิธิเพื่อนหญิงโคราช" in user.text and "พิษณุโลก" not in user.text


def test_an_officer_on_line_verifies_a_new_organization(line_client, fake_line) -> None:  # noqa: ANN001
    client, channel = line_client
    runtime = channel.runtime
    officer = LineUser(client, fake_line, channel)
    outsider = LineUser(client, fake_line, channel)
    make_officer(runtime, officer.user_id, "น่าน", channel="line")
    make_officer(runtime, outsider.user_id, "ตราด", channel="line")
    member = LineUser(client, fake_line, channel)
    sign_up(member, org="มูลนิธิรักษ์น้ำน่าน", province="น่าน")
    drain_once(runtime, max_seconds=20)
    # the officer of the province was told, by push, with a button to verify; the other province's was not
    _pushed(officer)
    assert "มีองค์กรลงทะเบียนใหม่ในจังหวัดของคุณ: มูลนิธิรักษ์น้ำน่าน" in officer.text
    assert "สมศรี ใจดี" in officer.text
    assert _pushed(outsider) == []
    with runtime.db.session() as s:
        org = s.exec(select(Organization)).one()
    assert org.verified is False
    # the same button sent by an officer of another province changes nothing
    outsider.send(lw.postback_event(outsider.user_id, f"go:org.verify:{org.id}", reply_token=outsider.token()))
    assert "นอกจังหวัด" in outsider.text
    with runtime.db.session() as s:
        assert s.get(Organization, org.id).verified is False
    officer.tap("รับรององค์กร")
    assert "รับรององค์กร มูลนิธิรักษ์น้ำน่าน แล้วค่ะ" in officer.text
    with runtime.db.session() as s:
        assert s.get(Organization, org.id).verified is True
