"""Steps shared by transcript tests."""
from __future__ import annotations

from tests.transcript import Chat


def sign_up_new_org(chat: Chat, *, org: str = "มูลนิธิรักษ์น้ำน่าน", province: str = "น่าน",
                    name: str = "สมศรี ใจดี", phone: str = "081-234-5678") -> None:
    """The long way: the province asked (no OFFICE_PROVINCE), name, position and phone one at a time."""
    chat.say("สวัสดีค่ะ")
    chat.tap("ยินยอม")
    chat.say(org)
    chat.tap("ลงทะเบียนองค์กรใหม่")  # the name searched for is the organization's name
    chat.tap("องค์กรสาธารณประโยชน์")
    chat.say(province)
    chat.say("อ.เมือง")
    chat.say(name)
    chat.say("ประธาน")
    chat.say(phone)
    assert "สรุปข้อมูลการสมัคร" in chat.text
    chat.tap("ยืนยัน")
    assert "ลงทะเบียนเรียบร้อยแล้ว" in chat.text


def seed_org(runtime, name: str, province: str = "พิษณุโลก", kind: str = "public_benefit",  # noqa: ANN001
             listed: bool = True) -> int:
    from storage.repositories import organizations as orgs_repo

    with runtime.db.session() as session:
        return orgs_repo.create(session, name=name, kind=kind, province=province, district="เมือง",
                                listed=listed).id


def make_officer(runtime, user: str, province: str | None, channel: str = "web") -> int:  # noqa: ANN001
    """An officer who already went through sign-up (granted, consented, named)."""
    from bot.clock import db_now
    from bot.messages import Address
    from storage.repositories import members as members_repo

    with runtime.db.session() as session:
        member = members_repo.grant_officer(session, address=Address(channel, user), province=province)
        member.consent_at = db_now()
        member.full_name = f"เจ้าหน้าที่ {user}"
        session.add(member)
        session.flush()
        return member.id


def approve_join(representative: Chat) -> None:
    """The representative taps "อนุมัติ" on the latest join card the bot sent them (through the outbox)."""
    from sqlmodel import col, select

    from storage.models import OutboxMessage

    with representative.runtime.db.session() as session:
        card = session.exec(select(OutboxMessage).where(OutboxMessage.address == str(representative.address),
                                                        col(OutboxMessage.key).startswith("join:"))
                            .order_by(col(OutboxMessage.id).desc())).first()
    assert card is not None, "no join card was sent to the representative"
    representative.postback(card.content[0]["card"]["buttons"][0]["value"])
    assert "อนุมัติให้" in representative.text
