"""Sign-up transcripts: consent, finding or registering an organization, every field's retry, back,
cancel, editing from the summary, restart, expiry."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from bot.wiring import build
from storage.models import ConversationState, Member, MemberIdentity, Organization
from tests.conversations.helpers import make_officer, seed_org, sign_up_new_org
from tests.transcript import Chat


def test_first_message_asks_for_pdpa_consent(chat: Chat) -> None:
    chat.say("สวัสดีค่ะ")
    assert "ยินดีต้อนรับ" in chat.text
    assert "PDPA" in chat.text and "เจ้าหน้าที่ พมจ." in chat.text
    assert chat.labels[:3] == ["ยินยอม", "ยินยอม ไม่ลงทำเนียบ", "ไม่ยินยอม"]


def test_declining_consent_stores_nothing(chat: Chat) -> None:
    chat.say("สวัสดี")
    chat.tap("ไม่ยินยอม")
    assert "ไม่ได้เก็บข้อมูล" in chat.text
    with chat.runtime.db.session() as s:
        assert s.exec(select(Member)).all() == []
        assert s.exec(select(ConversationState)).all() == []
        assert s.exec(select(MemberIdentity)).all() == []


def test_whole_signup_of_a_new_organization(chat: Chat) -> None:
    sign_up_new_org(chat, org="มูลนิธิรักษ์น้ำน่าน", province="จ.น่าน", phone="๐๘๑ ๒๓๔ ๕๖๗๘")
    with chat.runtime.db.session() as s:
        org = s.exec(select(Organization)).one()
        member = s.exec(select(Member)).one()
    assert (org.name, org.kind, org.province, org.district) == ("มูลนิธิรักษ์น้ำน่าน", "public_benefit", "น่าน",
                                                                "เมืองน่าน")
    assert org.listed is True and org.verified is False
    assert (member.full_name, member.position, member.phone) == ("สมศรี ใจดี", "ประธาน", "0812345678")
    assert member.organization_id == org.id and member.consent_at is not None
    assert "ข้อมูลของฉัน" in chat.labels  # the main menu follows


def test_summary_reads_back_what_was_understood(chat: Chat) -> None:
    chat.say("สวัสดี")
    chat.tap("ยินยอม ไม่ลงทำเนียบ")  # the directory question is part of consent
    chat.say("บ้านนา")  # not a whole name: it is asked, with the search as a one-tap answer
    chat.tap("ลงทะเบียนองค์กรใหม่")
    assert "ชื่อเต็มขององค์กร" in chat.text and "บ้านนา" in chat.labels
    chat.say("ชมรมผู้สูงอายุบ้านนา")
    chat.say("สวัสดิการชุมชนค่ะ")
    chat.say("โคราช")
    chat.say("ปากช่อง")
    chat.say("ชื่อ บุญมี แสงทอง ค่ะ")
    chat.say("เหรัญญิก")
    chat.say("เบอร์ 0-5525-8111 ต่อ 12 ค่ะ")
    card = chat.card
    rows = {f.label: f.value for f in card.fields}
    assert rows["ชื่อองค์กร"] == "ชมรมผู้สูงอายุบ้านนา"
    assert rows["จังหวัด"] == "นครราชสีมา" and rows["อำเภอ/เขต"] == "ปากช่อง"
    assert rows["ประเภทองค์กร"] == "องค์กรสวัสดิการชุมชน"
    assert rows["ชื่อ-นามสกุล"] == "บุญมี แสงทอง"
    assert rows["แสดงในทำเนียบ"] == "ไม่"
    assert rows["เบอร์โทร"] == "055-258-111 ต่อ 12"  # the extension is kept
    assert rows["เลขที่หนังสือรับรอง"] == "-"  # not asked on the way: added from the read-back
    chat.say("แก้เลขที่หนังสือรับรองเป็น นม 12/2565")
    chat.tap("ยืนยัน")
    with chat.runtime.db.session() as s:
        org = s.exec(select(Organization)).one()
        member = s.exec(select(Member)).one()
    assert (org.certification_no, org.listed) == ("นม 12/2565", False)
    assert member.phone == "055258111 ต่อ 12"


def test_linking_to_an_existing_organization_with_typos_and_no_prefix(chat: Chat) -> None:
    org_id = seed_org(chat.runtime, "มูลนิธิพัฒนาเด็กและครอบครัวพิษณุโลก")
    seed_org(chat.runtime, "สมาคมผู้สูงอายุจังหวัดพิษณุโลก")
    chat.say("สวัสดี")
    chat.tap("ยินยอม")
    chat.say("พัฒนาเด็กและครอบครัวพิศณุโลก")  # no มูลนิธิ, one misspelt letter
    # the one organization that resembles it is proposed, and the person asked in the same reply
    assert "ใช่ มูลนิธิพัฒนาเด็กและครอบครัวพิษณุโลก (พิษณุโลก) ไหมคะ" in chat.text
    assert "ชื่อ-นามสกุล" in chat.text  # straight to the person: no organization questions
    chat.say("สมศรี ใจดี")
    chat.say("เลขานุการ")
    chat.say("0812345678")
    chat.tap("ยืนยัน")
    with chat.runtime.db.session() as s:
        member = s.exec(select(Member)).one()
        assert member.organization_id == org_id
        assert len(s.exec(select(Organization)).all()) == 2


def test_typing_another_name_searches_again(chat: Chat) -> None:
    seed_org(chat.runtime, "สมาคมผู้สูงอายุจังหวัดพิษณุโลก")
    chat.say("สวัสดี")
    chat.tap("ยินยอม")
    chat.say("รักษ์น้ำ")
    assert "ไม่พบองค์กร" in chat.text
    chat.say("ผู้สูงอายุพิษณุโลก")
    assert "สมาคมผู้สูงอายุจังหวัดพิษณุโลก" in chat.text


KIND = "องค์กรสาธารณประโยชน์"


@pytest.mark.parametrize("step_answers, bad, expect", [
    ([], "x", "ตัวอย่าง"),  # organization name too short → example shown
    ([], "นางสาวมาลี ศรีสุข", "ดูเป็นชื่อคน"),  # a person is no organization
    (["@new"], "ดาวอังคาร", "อ่านคำตอบนี้ไม่ออก"),
    (["@new", KIND], "ดาวอังคาร", "ไม่พบจังหวัด"),
    (["@new", KIND, "น่าน"], "ก", "ตัวอย่างที่ใช้ได้: เมืองพิษณุโลก"),
    (["@new", KIND, "น่าน", "เมือง"], "123", "ไม่มีตัวเลข"),
    (["@new", KIND, "น่าน", "เมือง"], "ประธาน", "\"ประธาน\" เป็นตำแหน่ง"),  # a bare position is no name
    (["@new", KIND, "น่าน", "เมือง"], "องค์กรรอตรวจสอบ", "เป็นชื่อเมนู"),  # nor is a menu word
    (["@new", KIND, "น่าน", "เมือง"], "มูลนิธิทดสอบระบบ", "ดูเป็นชื่อองค์กร"),
    (["@new", KIND, "น่าน", "เมือง", "สมศรี ใจดี"], "ก", "ตัวอย่าง"),
    (["@new", KIND, "น่าน", "เมือง", "สมศรี ใจดี", "ประธาน"], "08123", "ไม่ครบ"),
])
def test_every_field_retries_with_an_example(chat: Chat, step_answers: list[str], bad: str, expect: str) -> None:
    chat.say("สวัสดี")
    chat.tap("ยินยอม")
    if step_answers:
        chat.say("มูลนิธิทดสอบระบบ")
    for answer in step_answers:
        if answer == "@new":
            chat.tap("ลงทะเบียนองค์กรใหม่")
        else:
            chat.say(answer)
    question = chat.text
    chat.say(bad)
    assert expect in chat.text
    assert question.splitlines()[-1] in chat.text  # the same question is asked again


def test_kind_answer_that_is_not_a_kind_is_retried(chat: Chat) -> None:
    chat.say("สวัสดี")
    chat.tap("ยินยอม")
    chat.say("มูลนิธิทดสอบระบบ")
    chat.tap("ลงทะเบียนองค์กรใหม่")
    chat.say("ไม่แน่ใจ")
    assert "อ่านคำตอบนี้ไม่ออก" in chat.text and "ประเภทไหน" in chat.text


def test_three_failed_attempts_offer_the_menu(chat: Chat) -> None:
    chat.say("สวัสดี")
    chat.tap("ยินยอม")
    chat.say("มูลนิธิทดสอบระบบ")
    chat.tap("ลงทะเบียนองค์กรใหม่")
    chat.tap("องค์กรสาธารณประโยชน์")
    for _ in range(3):
        chat.say("ดาวอังคาร")
    assert "พักขั้นตอนนี้" in chat.text
    with chat.runtime.db.session() as s:
        assert s.get(ConversationState, str(chat.address)) is None or \
            s.get(ConversationState, str(chat.address)).flow is None


SIGN_UP = ["สวัสดี", "ยินยอม", "มูลนิธิทดสอบระบบ", "ลงทะเบียนองค์กรใหม่", "องค์กรสาธารณประโยชน์", "น่าน", "เมือง",
           "สมศรี ใจดี", "ประธาน", "0812345678"]


@pytest.mark.parametrize("steps", [1, 2, 4, 6, 8, 10])
def test_cancel_at_any_step_saves_nothing(chat: Chat, steps: int) -> None:
    answers = SIGN_UP
    for answer in answers[:steps]:
        chat.say(answer)
    chat.say("ยกลิกค่ะ")  # a one-letter typo and a particle
    assert "ยกเลิกแล้ว" in chat.text
    with chat.runtime.db.session() as s:
        assert s.exec(select(Organization)).all() == []
        assert s.exec(select(Member)).all() == []
    chat.say("สวัสดี")
    assert "PDPA" in chat.text  # starting again starts from the beginning


def test_back_returns_to_the_previous_question(chat: Chat) -> None:
    chat.say("สวัสดี")
    chat.tap("ยินยอม")
    chat.say("มูลนิธิทดสอบระบบ")
    chat.tap("ลงทะเบียนองค์กรใหม่")
    chat.tap("องค์กรสาธารณประโยชน์")
    assert "จังหวัดไหน" in chat.text
    chat.say("ย้อนกลับค่ะ")
    assert "ประเภทไหน" in chat.text
    chat.tap("องค์กรสวัสดิการชุมชน")
    chat.say("น่าน")
    chat.say("เมือง")
    chat.say("สมศรี ใจดี")
    chat.say("ประธาน")
    chat.say("0812345678")
    rows = {f.label: f.value for f in chat.card.fields}
    assert rows["ประเภทองค์กร"] == "องค์กรสวัสดิการชุมชน"


def test_edit_a_field_from_the_summary(chat: Chat) -> None:
    for answer in SIGN_UP:
        chat.say(answer)
    chat.tap("แก้ไข")
    assert "หัวข้อไหน" in chat.text
    chat.tap("เบอร์โทร")
    chat.say("02-123-4567")
    rows = {f.label: f.value for f in chat.card.fields}
    assert rows["เบอร์โทร"].replace("-", "") == "021234567"
    chat.say("แก้จังหวัด")  # typing the item's name works too
    chat.say("เชียงใหม่")
    chat.tap("ยืนยัน")
    with chat.runtime.db.session() as s:
        assert s.exec(select(Member)).one().phone == "021234567"
        assert s.exec(select(Organization)).one().province == "เชียงใหม่"


def test_resumes_after_a_restart(chat: Chat) -> None:
    chat.say("สวัสดี")
    chat.tap("ยินยอม")
    chat.say("มูลนิธิทดสอบระบบ")
    # The process dies; a new one (same database) gets the next message.
    fresh = Chat(build(chat.runtime.settings, clock=chat.runtime.clock), "somsri")
    fresh.say("ลงทะเบียนองค์กรใหม่")  # the button's label, typed
    assert "ประเภทไหน" in fresh.text


def test_state_expires_after_a_day_of_silence(chat: Chat) -> None:
    chat.say("สวัสดี")
    chat.tap("ยินยอม")
    chat.say("มูลนิธิทดสอบ")
    clock = chat.runtime.clock
    clock.set(clock.now() + timedelta(hours=25))
    chat.say("มูลนิธิทดสอบระบบ")
    assert "หมดเวลา" in chat.text
    assert "PDPA" in chat.text  # not signed up yet: starts again politely


def test_officer_of_the_province_is_told_and_can_verify(chat: Chat, new_chat) -> None:  # noqa: ANN001
    from storage.models import OutboxMessage

    make_officer(chat.runtime, "officer-nan", "น่าน")
    make_officer(chat.runtime, "officer-other", "ตราด")
    sign_up_new_org(chat, province="น่าน")
    with chat.runtime.db.session() as s:
        notices = s.exec(select(OutboxMessage)).all()
        org = s.exec(select(Organization)).one()
    assert [n.address for n in notices] == ["web:officer-nan"]
    officer = new_chat("officer-nan")
    officer.postback(f"go:org.verify:{org.id}")
    assert "รับรององค์กร" in officer.text
    with chat.runtime.db.session() as s:
        assert s.get(Organization, org.id).verified is True
    outsider = new_chat("officer-other")
    outsider.postback(f"go:org.verify:{org.id}")
    assert "นอกจังหวัด" in outsider.text


def test_members_cannot_use_officer_actions(chat: Chat) -> None:
    sign_up_new_org(chat)
    chat.postback("go:org.pending")
    assert "เฉพาะเจ้าหน้าที่" in chat.text or "สำหรับเจ้าหน้าที่" in chat.text


def test_an_officer_signs_up_without_an_organization(chat: Chat) -> None:
    from bot.messages import Address
    from storage.repositories import members as members_repo

    with chat.runtime.db.session() as s:
        members_repo.grant_officer(s, address=Address("web", "somsri"), province="พิษณุโลก")
    chat.say("สวัสดีค่ะ")
    chat.tap("ยินยอม")
    assert "ชื่อ-นามสกุล" in chat.text  # no organization questions for provincial staff
    chat.say("ยุพิน นาใจ")
    chat.say("หัวหน้ากลุ่มการพัฒนาสังคมและสวัสดิการ")
    chat.say("055-258-111")
    chat.tap("ยืนยัน")
    assert "เจ้าหน้าที่ พมจ." in chat.text
    assert "องค์กรรอตรวจสอบ" in chat.labels and "สร้างกำหนดส่งรายงาน" in chat.labels
    assert "ส่งรายงาน" not in chat.labels  # an office has no organization to report for
    with chat.runtime.db.session() as s:
        member = s.exec(select(Member)).one()
        assert member.role == "officer" and member.organization_id is None and member.consent_at is not None
