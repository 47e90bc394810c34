"""The officer's "ประกาศ" conversation, opting out of announcements, and the result notice."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import select

from bot import web_inbox
from bot.broadcast_state import state_of
from bot.clock import BANGKOK
from bot.delivery import Drainer, drain_once
from bot.quota import refresh_line_quota
from bot.wiring import build
from storage.models import Broadcast, Member, OutboxMessage
from storage.models.outbox import stored_content
from storage.repositories import members as members_repo
from tests.conversations.helpers import sign_up_new_org
from tests.delivery.conftest import add_members
from tests.transcript import Chat


def _officer(chat: Chat, province: str | None = "น่าน") -> None:
    sign_up_new_org(chat, province=province or "น่าน")
    with chat.runtime.db.session() as s:
        members_repo.grant_officer(s, address=chat.address, province=province)


def _inbox(rt, address: str) -> list[str]:  # noqa: ANN001
    with rt.db.session() as s:
        return [r.text or "" for r in web_inbox.take(s, address=address)]


def test_officer_announces_to_their_province(chat: Chat, new_chat, cfg) -> None:  # noqa: ANN001
    _officer(chat)
    members = [new_chat(f"m{i}") for i in range(3)]
    for i, m in enumerate(members):
        sign_up_new_org(m, org=f"มูลนิธิทดสอบ {i}", province="น่าน" if i < 2 else "แพร่")
    chat.say("ประกาศค่ะ")
    assert "พิมพ์ข้อความประกาศ" in chat.text
    chat.say("ขอเชิญร่วมอบรมผู้บริหารองค์กร รุ่นที่ ๔ วันที่ ๒๙–๓๑ ม.ค. ๒๕๖๓")
    assert "ส่งประกาศถึงใคร" in chat.text
    chat.tap("ทุกองค์กรในจังหวัดน่าน")
    rows = {f.label: f.value for f in chat.card.fields}
    assert rows["จำนวนผู้รับ"].startswith("3 คน")  # the officer (น่าน) and the two น่าน members
    chat.tap("ส่งเลย")
    assert "กำลังส่งประกาศ" in chat.text
    drain_once(chat.runtime, cfg)
    for m in members[:2]:
        got = _inbox(chat.runtime, str(m.address))
        assert len(got) == 1 and "รุ่นที่ ๔" in got[0]
    assert _inbox(chat.runtime, str(members[2].address)) == []  # แพร่ is not the officer's province
    # the broadcast is done; the officer's result notice goes out on the next pass
    drain_once(chat.runtime, cfg)
    result = "\n".join(_inbox(chat.runtime, str(chat.address)))
    assert "ผลการส่งประกาศ" in result and "ส่งถึง 3 จาก 3 คน" in result
    with chat.runtime.db.session() as s:
        b = s.exec(select(Broadcast)).one()
        assert (b.status, b.total, b.delivered) == ("done", 3, 3)
    # the chat names the state with the console's words (bot/broadcast_state.py)
    assert f"): {state_of(b, chat.runtime.clock.now()).label('th')}" in result and "): ส่งแล้ว" in result


def test_national_officer_picks_a_kind(chat: Chat, new_chat, cfg) -> None:  # noqa: ANN001
    _officer(chat, province=None)
    add_members(chat.runtime, 4, channel="web", kind="community_welfare", province="แพร่")
    add_members(chat.runtime, 2, channel="web", kind="public_benefit", province="น่าน", start=10)
    chat.say("ประกาศ")
    chat.say("ประชุมเครือข่ายองค์กรสวัสดิการชุมชนทั่วประเทศ")
    chat.tap("ตามประเภทองค์กร")
    chat.tap("องค์กรสวัสดิการชุมชน")
    assert {f.label: f.value for f in chat.card.fields}["จำนวนผู้รับ"].startswith("4 คน")
    chat.tap("ส่งเลย")
    drain_once(chat.runtime, cfg)
    with chat.runtime.db.session() as s:
        assert len(s.exec(select(OutboxMessage).where(OutboxMessage.status == "delivered")).all()) == 4


def test_national_officer_by_province_typed(chat: Chat) -> None:
    _officer(chat, province=None)
    add_members(chat.runtime, 2, channel="web", province="แพร่")
    chat.say("ประกาศ")
    chat.say("ประชุมประจำเดือนของเครือข่าย")
    chat.tap("ตามจังหวัด")
    chat.say("จ.แพร่ค่ะ")
    assert {f.label: f.value for f in chat.card.fields}["ส่งถึง"].endswith("แพร่")
    chat.say("ยกเลิก")
    with chat.runtime.db.session() as s:
        assert s.exec(select(Broadcast)).all() == []


def test_members_cannot_broadcast(chat: Chat) -> None:
    sign_up_new_org(chat)
    chat.say("ประกาศ")
    assert "พิมพ์ข้อความประกาศ" not in chat.text


def test_stop_and_resume_announcements(chat: Chat, new_chat, cfg) -> None:  # noqa: ANN001
    from bot.messages import Reply
    from bot.outbox import enqueue

    _officer(chat)
    member = new_chat("member")
    sign_up_new_org(member, org="มูลนิธิหยุดข่าว")
    member.say("หยุดรับข่าวสารค่ะ")
    assert "หยุดส่งข่าวสาร" in member.text and "รายงาน" in member.text
    chat.say("ประกาศ")
    chat.say("ข่าวประชาสัมพันธ์ทุนกองทุนส่งเสริมการจัดสวัสดิการสังคม")
    chat.tap("ทุกองค์กรในจังหวัดน่าน")
    rows = {f.label: f.value for f in chat.card.fields}
    assert rows["จำนวนผู้รับ"].startswith("1 คน") and rows["ไม่รับข่าวสาร (ไม่ส่ง)"] == "1 คน"
    chat.tap("ส่งเลย")
    # a reminder about the member's own deadline still reaches them
    with chat.runtime.db.session() as s:
        mid = members_repo.by_address(s, address=member.address).id
        enqueue(s, key="reminder:deadline:1:member:x", address=member.address, kind="reminder", member_id=mid,
                replies=[Reply(text="อย่าลืมส่งรายงานภายในวันศุกร์นี้")])
    drain_once(chat.runtime, cfg)
    assert _inbox(chat.runtime, str(member.address)) == ["อย่าลืมส่งรายงานภายในวันศุกร์นี้"]
    member.tap("รับข่าวสาร")
    assert "อีกครั้ง" in member.text
    with chat.runtime.db.session() as s:
        assert s.exec(select(Member).where(Member.id == mid)).one().announcements_opt_out is False


def test_announcement_carries_a_stop_button(chat: Chat, new_chat, cfg) -> None:  # noqa: ANN001
    _officer(chat)
    member = new_chat("m")
    sign_up_new_org(member, org="มูลนิธิปุ่มหยุด")
    chat.say("ประกาศ")
    chat.say("แจ้งปิดสำนักงานวันหยุดนักขัตฤกษ์")
    chat.tap("ทุกองค์กรในจังหวัดน่าน")
    chat.tap("ส่งเลย")
    drain_once(chat.runtime, cfg)
    with chat.runtime.db.session() as s:
        replies = web_inbox.take(s, address=str(member.address))
    member.replies = replies
    member.tap("หยุดรับข่าวสาร")
    assert "หยุดส่งข่าวสาร" in member.text


def test_quiet_hours_wait_unless_urgent(chat: Chat, new_chat, cfg) -> None:  # noqa: ANN001
    _officer(chat)
    member = new_chat("night")
    sign_up_new_org(member, org="มูลนิธิกลางคืน")
    chat.runtime.clock.set(datetime(2026, 11, 25, 22, 30, tzinfo=BANGKOK))
    chat.say("ประกาศ")
    chat.say("ประกาศธรรมดาตอนกลางคืน")
    chat.tap("ทุกองค์กรในจังหวัดน่าน")
    chat.tap("ส่งเลย")
    assert "07:00" in chat.text
    chat.say("ประกาศ")
    chat.say("ประกาศด่วน น้ำท่วมถนนเข้าสำนักงาน")
    chat.tap("ทุกองค์กรในจังหวัดน่าน")
    chat.tap("ส่งด่วน")
    drain_once(chat.runtime, cfg)
    got = _inbox(chat.runtime, str(member.address))
    assert len(got) == 1 and got[0].endswith("ประกาศด่วน น้ำท่วมถนนเข้าสำนักงาน")
    with chat.runtime.db.session() as s:
        sent = {content[0]["text"].split("\n\n", 1)[1]: o.status
                for o, content in s.exec(select(OutboxMessage, stored_content())
                                         .where(OutboxMessage.address == str(member.address)))}
    assert sent == {"ประกาศธรรมดาตอนกลางคืน": "pending", "ประกาศด่วน น้ำท่วมถนนเข้าสำนักงาน": "delivered"}
    chat.runtime.clock.set(datetime(2026, 11, 26, 7, 0, tzinfo=BANGKOK))
    drain_once(chat.runtime, cfg)
    with chat.runtime.db.session() as s:
        assert {o.status for o in s.exec(select(OutboxMessage).where(
            OutboxMessage.address == str(member.address)))} == {"delivered"}


QUOTA_LOW = "โควตาข้อความ LINE เดือนนี้เหลือ"


def _announce_to_nan(chat: Chat) -> None:
    chat.say("ประกาศ")
    chat.say("ประกาศที่ใช้โควตาเยอะมาก")
    chat.tap("ทุกองค์กรในจังหวัดน่าน")


def test_quota_warning_and_override(wired, fake_line, cfg) -> None:  # noqa: ANN001
    chat = Chat(wired, "officer")
    _officer(chat)
    add_members(wired, 120, channel="line")
    fake_line.quota_limit = 100
    refresh_line_quota(wired.settings, wired.db, wired.clock)  # the scheduler's line-quota job
    calls = len(fake_line.calls)
    _announce_to_nan(chat)
    assert "โควตาข้อความ LINE เดือนนี้เหลือ 100" in chat.text and "120" in chat.text
    assert "ส่งเลย" not in chat.labels
    chat.tap("ส่งแม้โควตาไม่พอ")
    assert "กำลังส่งประกาศ" in chat.text
    assert len(fake_line.calls) == calls  # the officer's turns never asked LINE


def test_quota_warning_follows_the_latest_figure_and_an_old_one_is_not_trusted(wired, fake_line) -> None:  # noqa: ANN001
    chat = Chat(wired, "officer")
    _officer(chat)
    add_members(wired, 120, channel="line")
    _announce_to_nan(chat)  # LINE's quota was never read: nothing to warn from, the officer may send
    assert "ส่งเลย" in chat.labels and QUOTA_LOW not in chat.text
    chat.say("ยกเลิก")
    fake_line.quota_limit = 1000
    refresh_line_quota(wired.settings, wired.db, wired.clock)
    _announce_to_nan(chat)
    assert "ส่งเลย" in chat.labels and QUOTA_LOW not in chat.text  # 1,000 left is enough for 120
    chat.say("ยกเลิก")
    fake_line.quota_used = 950
    refresh_line_quota(wired.settings, wired.db, wired.clock)
    _announce_to_nan(chat)
    assert "โควตาข้อความ LINE เดือนนี้เหลือ 50" in chat.text and "ส่งเลย" not in chat.labels
    chat.say("ยกเลิก")
    wired.clock.set(wired.clock.now() + timedelta(seconds=wired.settings.delivery.quota_max_age_seconds + 60))
    _announce_to_nan(chat)  # the figure is too old to trust: the check is skipped, as when LINE cannot be asked
    assert "ส่งเลย" in chat.labels and QUOTA_LOW not in chat.text


def test_a_delivery_environment_variable_reaches_the_conversation_through_the_settings(
        wired_settings, fake_line, clock, monkeypatch) -> None:  # noqa: ANN001
    """`DELIVERY_*` variables are read once, into `Settings.delivery`, and every part gets them from there."""
    monkeypatch.setenv("DELIVERY_QUOTA_CHECK_MIN", "500")
    settings = type(wired_settings)(_env_file=None, **wired_settings.model_dump(exclude={"delivery"}))
    assert settings.delivery.quota_check_min == 500
    rt = build(settings, clock=clock)
    try:
        chat = Chat(rt, "officer")
        _officer(chat)
        add_members(rt, 120, channel="line")
        fake_line.quota_limit = 100
        refresh_line_quota(rt.settings, rt.db, rt.clock)
        _announce_to_nan(chat)  # 120 LINE recipients: below the 500 set, so the quota is not checked
        assert "ส่งเลย" in chat.labels and QUOTA_LOW not in chat.text
        assert Drainer(rt).cfg.quota_check_min == 500  # the delivery engine reads the same object
    finally:
        rt.db.dispose()
