"""Who speaks for an organization: joining one that has a representative waits for their (or an officer's)
approval; the member is told it is pending and then the outcome; until then they cannot register or report
in its name. The representative approves with one tap on a card only the bot could have sent them."""
from __future__ import annotations

from sqlmodel import select

from bot.messages import Address, IncomingMessage
from storage.models import Member, Organization, OrgJoinRequest, OutboxMessage
from tests.conversations.helpers import seed_org, sign_up_new_org
from tests.transcript import Chat


def _join_existing(chat: Chat, query: str, name: str = "วิไล สุขใจ") -> None:
    chat.say("สวัสดีค่ะ")
    chat.tap("ยินยอม")
    chat.say(query)
    chat.say(name)
    chat.say("เหรัญญิก")
    chat.say("0898765432")
    chat.tap("ยืนยัน")


def _published_event(runtime) -> int:  # noqa: ANN001
    from datetime import datetime, timedelta

    from bot.clock import local_to_utc
    from storage.repositories import events as events_repo

    start = local_to_utc(datetime(2026, 12, 10, 9, 0))
    with runtime.db.session() as s:
        event = events_repo.create(s, title="อบรมการเขียนโครงการ", starts_at=start, ends_at=start + timedelta(hours=6),
                                   venue="ห้องประชุม พมจ.น่าน", province="น่าน", capacity=30)
        event.status = "published"
        return event.id  # type: ignore[return-value]


def _card_for(runtime, address: str):  # noqa: ANN001, ANN202
    with runtime.db.session() as s:
        rows = [m for m in s.exec(select(OutboxMessage).where(OutboxMessage.address == address)) if m.key.startswith("join:")]
    return rows


def test_joining_waits_for_the_representative_who_approves_with_one_tap(runtime) -> None:  # noqa: ANN001
    rep = Chat(runtime, "rep")
    sign_up_new_org(rep, org="มูลนิธิรักษ์น้ำน่าน", province="น่าน")
    assert "ยังไม่รับรอง" in rep.text  # a new organization is told it waits for the office
    newcomer = Chat(runtime, "newcomer")
    _join_existing(newcomer, "มูลนิธิรักษ์น้ำน่าน")
    assert "รอผู้แทนองค์กรหรือเจ้าหน้าที่ พมจ. อนุมัติ" in newcomer.text
    with runtime.db.session() as s:
        member = s.exec(select(Member).where(Member.full_name == "วิไล สุขใจ")).one()
        assert member.organization_id is None
        (request,) = s.exec(select(OrgJoinRequest)).all()
    newcomer.say("ส่งรายงาน")
    assert "ยังทำรายการนี้ในนาม มูลนิธิรักษ์น้ำน่าน ไม่ได้" in newcomer.text
    newcomer.postback(f"go:event.register:{_published_event(runtime)}")
    assert "ยังทำรายการนี้ในนาม มูลนิธิรักษ์น้ำน่าน ไม่ได้" in newcomer.text
    newcomer.say("ข้อมูลของฉัน")
    assert "รออนุมัติเข้าร่วมองค์กร: มูลนิธิรักษ์น้ำน่าน" in newcomer.text

    (card,) = _card_for(runtime, "web:rep")
    buttons = card.content[0]["card"]["buttons"]
    assert [b["label"] for b in buttons] == ["อนุมัติ", "ไม่อนุมัติ"]
    assert "วิไล สุขใจ ขอเข้าร่วมเป็นสมาชิกในนาม มูลนิธิรักษ์น้ำน่าน" in card.content[0]["text"]
    # The same value from someone the card was not sent to is refused before anything happens.
    newcomer.postback(buttons[0]["value"])
    assert "ปุ่มนี้ใช้ไม่ได้แล้ว" in newcomer.text
    with runtime.db.session() as s:
        assert s.get(OrgJoinRequest, request.id).status == "pending"
    rep.postback(buttons[0]["value"])
    assert "อนุมัติให้ วิไล สุขใจ เป็นสมาชิกในนาม มูลนิธิรักษ์น้ำน่าน แล้ว" in rep.text
    with runtime.db.session() as s:
        member = s.get(Member, member.id)
        org = s.get(Organization, member.organization_id)
        assert org.name == "มูลนิธิรักษ์น้ำน่าน"
        told = [m for m in s.exec(select(OutboxMessage).where(OutboxMessage.address == "web:newcomer"))]
        assert any("ผู้แทนองค์กร อนุมัติให้คุณเป็นสมาชิกในนาม มูลนิธิรักษ์น้ำน่าน" in m.content[0]["text"] for m in told)
    rep.postback(buttons[1]["value"])  # a second tap changes nothing
    assert "อนุมัติไปแล้ว" in rep.text
    newcomer.say("ส่งรายงาน")
    assert "ยังทำรายการนี้" not in newcomer.text


def test_a_declined_member_is_told_and_has_no_organization(runtime) -> None:  # noqa: ANN001
    rep = Chat(runtime, "rep")
    sign_up_new_org(rep, org="มูลนิธิรักษ์น้ำน่าน", province="น่าน")
    _join_existing(Chat(runtime, "stranger"), "มูลนิธิรักษ์น้ำน่าน", name="สมชาย ไม่รู้จัก")
    (card,) = _card_for(runtime, "web:rep")
    rep.postback(card.content[0]["card"]["buttons"][1]["value"])
    assert "ไม่อนุมัติคำขอของ สมชาย ไม่รู้จัก แล้ว" in rep.text
    with runtime.db.session() as s:
        member = s.exec(select(Member).where(Member.full_name == "สมชาย ไม่รู้จัก")).one()
        assert member.organization_id is None
        told = s.exec(select(OutboxMessage).where(OutboxMessage.address == "web:stranger")).all()
        assert any("ไม่อนุมัติคำขอเข้าร่วม มูลนิธิรักษ์น้ำน่าน" in m.content[0]["text"] for m in told)


def test_an_organization_without_a_representative_is_joined_at_once(runtime) -> None:  # noqa: ANN001
    seed_org(runtime, "มูลนิธิพัฒนาเด็กและครอบครัวพิษณุโลก")
    first = Chat(runtime, "first")
    _join_existing(first, "มูลนิธิพัฒนาเด็กและครอบครัวพิษณุโลก")
    assert "ลงทะเบียนเรียบร้อยแล้ว" in first.text
    with runtime.db.session() as s:
        org = s.exec(select(Organization)).one()
        member = s.exec(select(Member)).one()
        assert member.organization_id == org.id and org.representative_id == member.id


def test_a_typed_decision_value_is_judged_like_a_button(runtime) -> None:  # noqa: ANN001
    rep = Chat(runtime, "rep")
    sign_up_new_org(rep, org="มูลนิธิรักษ์น้ำน่าน", province="น่าน")
    _join_existing(Chat(runtime, "newcomer"), "มูลนิธิรักษ์น้ำน่าน")
    other = Chat(runtime, "other")
    sign_up_new_org(other, org="สมาคมคนตาบอดน่าน", province="น่าน", name="มานะ อดทน", phone="0855555555")
    with runtime.db.session() as s:
        (request,) = s.exec(select(OrgJoinRequest)).all()
    other.send(IncomingMessage(address=Address("web", "other"), text=f"join.approve:{request.id}"))
    with runtime.db.session() as s:
        assert s.get(OrgJoinRequest, request.id).status == "pending"
    assert "ปุ่มนี้ใช้ไม่ได้แล้ว" in other.text
