"""After sign-up: my data, edit, delete, language, the directory, global words, crashes."""
from __future__ import annotations

from sqlmodel import select

from storage.models import ConversationState, Member, MemberIdentity, Organization
from tests.conversations.helpers import seed_org, sign_up_new_org
from tests.transcript import Chat


def test_my_data_shows_what_is_stored(chat: Chat) -> None:
    sign_up_new_org(chat, name="สมศรี ใจดี", phone="0812345678")
    chat.say("ข้อมูลของฉันค่ะ")
    rows = {f.label: f.value for f in chat.card.fields}
    assert rows["ชื่อ-นามสกุล"] == "สมศรี ใจดี"
    assert rows["เบอร์โทร"] == "081-234-5678"
    assert rows["ชื่อองค์กร"] == "มูลนิธิรักษ์น้ำน่าน"
    assert "แก้ไขข้อมูล" in chat.labels and "ลบข้อมูลของฉัน" in chat.labels


def test_edit_my_data(chat: Chat) -> None:
    sign_up_new_org(chat)
    chat.say("แก้ไขข้อมูล")
    chat.tap("ตำแหน่ง")
    chat.say("เลขานุการ")
    assert {f.label: f.value for f in chat.card.fields}["ตำแหน่ง"] == "เลขานุการ"
    chat.tap("ยืนยัน")
    assert "บันทึกการแก้ไขแล้ว" in chat.text
    with chat.runtime.db.session() as s:
        assert s.exec(select(Member)).one().position == "เลขานุการ"


def test_delete_my_data_removes_the_person_and_a_lonely_org(chat: Chat) -> None:
    sign_up_new_org(chat)
    chat.say("ลบข้อมูลของฉัน")
    assert "ใช่ไหม" in chat.text
    chat.tap("ลบข้อมูลของฉัน")
    assert "ลบข้อมูลส่วนตัวของคุณแล้ว" in chat.text
    with chat.runtime.db.session() as s:
        member = s.exec(select(Member)).one()
        assert (member.full_name, member.phone, member.position) == (None, None, None)
        assert s.exec(select(MemberIdentity)).all() == []
        assert s.exec(select(Organization)).all() == []  # nobody else needed it
        assert s.exec(select(ConversationState)).all() == []
    chat.say("สวัสดี")
    assert "PDPA" in chat.text  # a stranger again


def test_delete_keeps_the_org_when_others_need_it(chat: Chat, new_chat) -> None:  # noqa: ANN001
    org_id = seed_org(chat.runtime, "มูลนิธิพัฒนาเด็กพิษณุโลก")
    for who in (chat, new_chat("colleague")):
        who.say("สวัสดี")
        who.tap("ยินยอม")
        who.say("พัฒนาเด็กพิษณุโลก")
        assert "ไหมคะ" in who.text  # the one resembling organization proposed, name asked next
        who.say("สมชาย ใจงาม" if who is not chat else "สมศรี ใจดี")
        who.say("กรรมการ")
        who.say("0899999999")
        who.tap("ยืนยัน")
    chat.say("ลบข้อมูลของฉัน")
    chat.say("ใช่ค่ะ")
    with chat.runtime.db.session() as s:
        assert s.get(Organization, org_id) is not None


def test_delete_can_be_declined(chat: Chat) -> None:
    sign_up_new_org(chat)
    chat.say("ลบข้อมูลของฉัน")
    chat.tap("ไม่ลบ")
    assert "ไม่ได้ลบ" in chat.text
    with chat.runtime.db.session() as s:
        assert s.exec(select(Member)).one().full_name == "สมศรี ใจดี"


def test_language_switch_mid_form_and_back(chat: Chat) -> None:
    chat.say("สวัสดี")
    chat.tap("ยินยอม")
    chat.say("English")
    assert "Switched to English" in chat.text
    assert "Which organization" in chat.text  # the same question, now in English
    chat.say("Test Foundation")
    assert "Register a new one" in chat.labels
    chat.say("ภาษาไทย")
    assert "เปลี่ยนเป็นภาษาไทยแล้ว" in chat.text


def test_language_is_remembered_after_signup(chat: Chat) -> None:
    sign_up_new_org(chat)
    chat.tap("English")
    chat.say("menu")
    assert "Main menu" in chat.text
    assert "My data" in chat.labels


def test_directory_search_by_province_kind_and_keyword(chat: Chat) -> None:
    seed_org(chat.runtime, "มูลนิธิพัฒนาเด็กพิษณุโลก", province="พิษณุโลก")
    seed_org(chat.runtime, "กองทุนสวัสดิการชุมชนบ้านกร่าง", province="พิษณุโลก", kind="community_welfare")
    seed_org(chat.runtime, "มูลนิธิซ่อนตัว", province="พิษณุโลก", listed=False)
    seed_org(chat.runtime, "มูลนิธิเพื่อนหญิงโคราช", province="นครราชสีมา")
    sign_up_new_org(chat, province="พิษณุโลก")
    chat.say("ค้นหาเครือข่าย")
    chat.say("พิดโลก")
    assert "มูลนิธิพัฒนาเด็กพิษณุโลก" in chat.text and "กองทุนสวัสดิการชุมชนบ้านกร่าง" in chat.text
    assert "ซ่อนตัว" not in chat.text and "โคราช" not in chat.text
    chat.tap("ค้นหาอีกครั้ง")
    chat.tap("องค์กรสวัสดิการชุมชน")
    assert "บ้านกร่าง" in chat.text and "พัฒนาเด็ก" not in chat.text
    chat.tap("ค้นหาอีกครั้ง")
    chat.say("เพื่อนหญิง")
    assert "มูลนิธิเพื่อนหญิงโคราช" in chat.text


def test_unknown_text_gets_help_not_silence(chat: Chat) -> None:
    sign_up_new_org(chat)
    chat.say("ฝนตกไหมวันนี้")
    assert "ยังไม่เข้าใจ" in chat.text and chat.labels


def test_help_and_menu_words_work_mid_form(chat: Chat) -> None:
    chat.say("สวัสดี")
    chat.tap("ยินยอม")
    chat.say("ช่วยเหลือค่ะ")
    assert "วิธีใช้" in chat.text and "องค์กรไหน" in chat.text  # help, then the same question again
    chat.say("เมนูววว")
    assert "PDPA" in chat.text  # not signed up yet: the menu is the sign-up


def test_a_crashing_handler_apologises_and_keeps_state(chat: Chat, monkeypatch) -> None:  # noqa: ANN001
    chat.say("สวัสดี")
    chat.tap("ยินยอม")
    from handlers import signup

    def boom(raw, ctx):  # noqa: ANN001, ANN202
        raise RuntimeError("database on fire")

    original = signup.FORM.fields[1].parse
    monkeypatch.setattr(signup.FORM.fields[1], "parse", boom)
    chat.say("มูลนิธิทดสอบ")
    assert "ขออภัย" in chat.text and "รหัสอ้างอิง" in chat.text
    assert "database on fire" not in chat.text
    monkeypatch.setattr(signup.FORM.fields[1], "parse", original)
    chat.say("มูลนิธิทดสอบ")
    assert "ลงทะเบียนองค์กรใหม่" in chat.labels  # the conversation carried on from where it was


def test_deleting_my_data_erases_my_copies_on_registrations(chat: Chat) -> None:
    from datetime import timedelta

    from bot.clock import db_now
    from storage.models.events import EventAttendee, EventRegistration
    from storage.repositories import events as events_repo

    sign_up_new_org(chat, name="สมศรี ใจดี", phone="0812345678")
    with chat.runtime.db.session() as s:
        member = s.exec(select(Member)).one()
        event = events_repo.create(s, title="อบรมทดสอบ", starts_at=db_now() + timedelta(days=10),
                                   ends_at=db_now() + timedelta(days=11), venue="ศาลากลาง", province="น่าน",
                                   capacity=10)
        events_repo.publish(s, event=event, now=db_now())
        result = events_repo.register(s, event_id=event.id, member_id=member.id, organization_id=member.organization_id,
                             attendees=[("สมศรี ใจดี", "ประธาน"), ("สมชาย ใจงาม", "เหรัญญิก")],
                             phone="0812345678", now=db_now())
        assert result.outcome == "registered"
    chat.say("ลบข้อมูลของฉัน")
    chat.say("ใช่")
    with chat.runtime.db.session() as s:
        reg = s.exec(select(EventRegistration)).one()
        names = sorted(a.name for a in s.exec(select(EventAttendee)))
    assert reg.phone is None
    assert names == ["-", "สมชาย ใจงาม"]  # the colleague they registered is not theirs to delete


def test_group_chatter_is_left_alone_but_a_call_is_answered(chat: Chat) -> None:
    from bot.messages import IncomingMessage

    def in_group(text: str) -> list:
        return chat.send(IncomingMessage(address=chat.address, text=text, is_group=True))

    assert in_group("พรุ่งนี้ประชุมกี่โมงคะ") == []  # the group's own conversation
    assert in_group("ไปอบรมไหม") == []  # colleagues asking each other, though a member alone would be answered
    assert "แชตส่วนตัว" in chat.text if in_group("เมนู") else False


def test_refollowing_makes_a_member_reachable_again(chat: Chat) -> None:
    from bot.messages import IncomingMessage

    sign_up_new_org(chat)
    chat.send(IncomingMessage(address=chat.address, kind="unfollow"))
    with chat.runtime.db.session() as s:
        assert s.exec(select(MemberIdentity)).one().reachable is False
    chat.send(IncomingMessage(address=chat.address, kind="follow"))
    assert "ยินดีต้อนรับกลับมา" in chat.text
    with chat.runtime.db.session() as s:
        assert s.exec(select(MemberIdentity)).one().reachable is True


def test_a_sticker_mid_form_is_not_counted_as_a_wrong_answer(chat: Chat) -> None:
    from bot.messages import Attachment, IncomingMessage

    chat.say("สวัสดี")
    chat.tap("ยินยอม")
    for _ in range(4):  # more than the attempt limit: stickers are not attempts
        chat.send(IncomingMessage(address=chat.address, attachments=(Attachment("sticker"),)))
        assert "อ่านได้เฉพาะข้อความ" in chat.text and "องค์กรไหน" in chat.text
    chat.say("มูลนิธิทดสอบ")
    assert "ลงทะเบียนองค์กรใหม่" in chat.labels


def test_a_request_naming_a_field_goes_to_that_question(chat: Chat) -> None:
    sign_up_new_org(chat)
    chat.say("เบอร์เปลี่ยนค่ะ")
    assert chat.text == "เบอร์โทรที่ติดต่อได้คะ"  # the question itself, not the menu of fields
    chat.say("089-999-8888")
    assert {f.label: f.value for f in chat.card.fields}["เบอร์โทร"] == "089-999-8888"  # back at the read-back
    chat.tap("ยืนยัน")
    with chat.runtime.db.session() as s:
        assert s.exec(select(Member)).one().phone == "0899998888"
    chat.say("ขอแก้ตำแหน่งค่ะ")
    assert chat.text == "ตำแหน่งของคุณในองค์กรคะ"
    chat.say("ยกเลิก")
    chat.say("แก้ไขข้อมูล")  # no field named: the menu of fields
    assert "ต้องการแก้ไขหัวข้อไหน" in chat.text
