"""How many turns a member needs: each transcript counts the member's messages and taps.

Measured on these same transcripts before the conversations were shortened: a new organization's
sign-up 14, an existing one's 8 (the name, position and phone typed in one line were refused as a name),
a one-message report with a deadline open 5 (a report could not start without "ส่งรายงาน"), a misread title
fixed at the read-back 8 (แก้ไข → the item → the title), two attendees on one line 6 (and stored as one).
An existing organization found from a part of its name took 6 (the list tapped even with one name on it);
one strong resemblance is now proposed with the name question (5); several alike are listed there and picked
at the read-back, the pick confirming (5)."""
from __future__ import annotations

import pytest
from sqlmodel import select

from bot.messages import Attachment, IncomingMessage
from bot.wiring import build
from storage.models import Member, Organization
from storage.models.events import EventAttendee
from storage.models.reports import ReportActivity, ReportPhoto
from tests.conversations.helpers import seed_org
from tests.events.helpers import add_member, make_event
from tests.reports.helpers import SENTENCE, deadline, member
from tests.transcript import Chat

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def office(settings, clock):  # noqa: ANN001, ANN201
    """A provincial office's bot: OFFICE_PROVINCE=น่าน, and the chat app's display name known."""
    runtime = build(settings.model_copy(update={"office_province": "น่าน"}), clock=clock)
    yield runtime
    runtime.db.dispose()


def _turns(chat: Chat) -> int:
    return len(chat.history)


def test_a_new_organization_signs_up_in_8_turns(office) -> None:  # noqa: ANN001
    chat = Chat(office, "somsri")
    chat.say("สวัสดีค่ะ")
    chat.tap("ยินยอม")
    chat.say("มูลนิธิรักษ์น้ำน่าน")
    chat.tap("ลงทะเบียนองค์กรใหม่")  # the name searched for is the organization's name
    chat.tap("องค์กรสาธารณประโยชน์")
    assert "อำเภอ/เขตไหนของจังหวัดน่าน" in chat.text  # the office's province is the default
    chat.say("อ.เมือง")
    chat.say("สมศรี ใจดี เลขานุการ 081-234-5678")
    rows = {f.label: f.value for f in chat.card.fields}
    assert rows["ชื่อองค์กร"] == "มูลนิธิรักษ์น้ำน่าน" and rows["จังหวัด"] == "น่าน"
    assert rows["อำเภอ/เขต"] == "เมืองน่าน" and rows["แสดงในทำเนียบ"] == "ใช่"
    assert (rows["ชื่อ-นามสกุล"], rows["ตำแหน่ง"], rows["เบอร์โทร"]) == ("สมศรี ใจดี", "เลขานุการ", "081-234-5678")
    chat.tap("ยืนยัน")
    assert "ลงทะเบียนเรียบร้อยแล้ว" in chat.text
    assert _turns(chat) <= 8
    with office.db.session() as s:
        org = s.exec(select(Organization)).one()
        assert (org.name, org.province, org.district, org.listed) == ("มูลนิธิรักษ์น้ำน่าน", "น่าน", "เมืองน่าน", True)


def test_an_existing_organization_signs_up_in_5_turns(office) -> None:  # noqa: ANN001
    org_id = seed_org(office, "มูลนิธิพัฒนาเด็กและครอบครัวพิษณุโลก")
    chat = Chat(office, "somsri")
    chat.say("สวัสดีค่ะ")
    chat.tap("ยินยอม")
    chat.say("มูลนิธิพัฒนาเด็กและครอบครัวพิษณุโลก")  # its whole name: taken without a list
    assert "พบองค์กร มูลนิธิพัฒนาเด็กและครอบครัวพิษณุโลก" in chat.text and "ชื่อ-นามสกุล" in chat.text
    chat.say("บุญมี มีสุข ประธานชมรม 0-4434-1234 ต่อ 12")
    assert "สรุปข้อมูลการสมัคร" in chat.text  # the position and the phone were in the same message
    chat.tap("ยืนยัน")
    assert _turns(chat) <= 5
    with office.db.session() as s:
        m = s.exec(select(Member)).one()
    assert (m.organization_id, m.full_name, m.position, m.phone) == (org_id, "บุญมี มีสุข", "ประธานชมรม",
                                                                   "044341234 ต่อ 12")


def test_a_part_of_the_name_resembling_one_organization_signs_up_in_5_turns(office) -> None:  # noqa: ANN001
    org_id = seed_org(office, "มูลนิธิพัฒนาเด็กและครอบครัวพิษณุโลก")
    seed_org(office, "ชมรมผู้สูงอายุบ้านดง")
    chat = Chat(office, "somsri")
    chat.say("สวัสดีค่ะ")
    chat.tap("ยินยอม")
    chat.say("พัฒนาเด็ก")  # one organization resembles it: proposed with the name question, no yes/no turn
    assert "ใช่ มูลนิธิพัฒนาเด็กและครอบครัวพิษณุโลก (พิษณุโลก) ไหมคะ" in chat.text and "ชื่อ-นามสกุล" in chat.text
    assert "ไม่ใช่องค์กรนี้" in chat.labels
    chat.say("บุญมี มีสุข ประธานชมรม 081-234-5678")
    rows = {f.label: f.value for f in chat.card.fields}
    assert rows["องค์กร"] == "มูลนิธิพัฒนาเด็กและครอบครัวพิษณุโลก (พิษณุโลก)"  # shown again at the read-back
    chat.tap("ยืนยัน")
    assert _turns(chat) <= 5
    with office.db.session() as s:
        assert s.exec(select(Member)).one().organization_id == org_id


@pytest.mark.parametrize("refusal", ["tap", "ไม่ใช่ค่ะ"])
def test_a_proposed_organization_that_is_not_theirs_leads_to_the_list(office, refusal) -> None:  # noqa: ANN001
    seed_org(office, "มูลนิธิพัฒนาเด็กและครอบครัวพิษณุโลก")
    chat = Chat(office, "somsri")
    chat.say("สวัสดีค่ะ")
    chat.tap("ยินยอม")
    chat.say("พัฒนาเด็ก")
    if refusal == "tap":
        chat.tap("ไม่ใช่องค์กรนี้")
    else:
        chat.say(refusal)
    assert "พบองค์กรที่ชื่อใกล้เคียง" in chat.text
    assert "ลงทะเบียนองค์กรใหม่" in chat.labels
    chat.tap("ลงทะเบียนองค์กรใหม่")
    assert "ชื่อเต็มขององค์กร" in chat.text  # a part of a name searched: the whole name is asked


def test_a_part_of_the_name_picked_from_look_alikes_signs_up_in_5_turns(office) -> None:  # noqa: ANN001
    """Several organizations resemble the part typed: they are listed above the name question and the
    member picks theirs at the read-back, the tap that picks being the tap that confirms."""
    org_id = seed_org(office, "ชมรมผู้สูงอายุบ้านดง")
    seed_org(office, "ชมรมผู้สูงอายุบ้านดอน")
    chat = Chat(office, "somsri")
    chat.say("สวัสดีค่ะ")
    chat.tap("ยินยอม")
    chat.say("ผู้สูงอายุบ้านด")
    assert "พบองค์กรที่ชื่อใกล้เคียงหลายแห่ง" in chat.text and "ชื่อ-นามสกุล" in chat.text
    assert "1. ชมรมผู้สูงอายุบ้านดง" in chat.text and "ชมรมผู้สูงอายุบ้านดอน" in chat.text
    chat.say("บุญมี มีสุข ประธานชมรม 081-234-5678")
    rows = {f.label: f.value for f in chat.card.fields}
    assert rows["องค์กร"] == "แตะชื่อองค์กรของคุณที่ปุ่มด้านล่าง" and rows["ชื่อ-นามสกุล"] == "บุญมี มีสุข"
    assert "ยืนยัน" not in chat.labels  # confirming is picking
    chat.tap(next(label for label in chat.labels if label.endswith("ชมรมผู้สูงอายุบ้านดง")))
    assert "ลงทะเบียนเรียบร้อยแล้ว" in chat.text and "ชมรมผู้สูงอายุบ้านดง" in chat.text
    assert _turns(chat) <= 5
    with office.db.session() as s:
        m = s.exec(select(Member)).one()
    assert (m.organization_id, m.full_name, m.position) == (org_id, "บุญมี มีสุข", "ประธานชมรม")


def _at_look_alikes(office) -> Chat:  # noqa: ANN001
    seed_org(office, "ชมรมผู้สูงอายุบ้านดง")
    seed_org(office, "ชมรมผู้สูงอายุบ้านดอน")
    chat = Chat(office, "somsri")
    chat.say("สวัสดีค่ะ")
    chat.tap("ยินยอม")
    chat.say("ผู้สูงอายุบ้านด")
    return chat


def test_yes_at_the_read_back_asks_which_organization_and_stores_nothing(office) -> None:  # noqa: ANN001
    chat = _at_look_alikes(office)
    chat.say("บุญมี มีสุข ประธานชมรม 081-234-5678")
    chat.say("ถูกต้องค่ะ")
    assert "ยังไม่ได้เลือกองค์กร" in chat.text and any(label.endswith("บ้านดอน") for label in chat.labels)
    with office.db.session() as s:
        assert s.exec(select(Member)).first() is None
    chat.say("2")  # the number of the listed organization, typed
    assert "ลงทะเบียนเรียบร้อยแล้ว" in chat.text
    with office.db.session() as s:
        org = s.get(Organization, s.exec(select(Member)).one().organization_id)
    assert org.name == "ชมรมผู้สูงอายุบ้านดอน"


def test_a_listed_organization_typed_at_the_name_question_is_picked_there(office) -> None:  # noqa: ANN001
    chat = _at_look_alikes(office)
    chat.say("ชมรมผู้สูงอายุบ้านดอน")
    assert "เลือก ชมรมผู้สูงอายุบ้านดอน (พิษณุโลก) แล้ว" in chat.text and "ชื่อ-นามสกุล" in chat.text
    chat.say("บุญมี มีสุข ประธานชมรม 081-234-5678")
    rows = {f.label: f.value for f in chat.card.fields}
    assert rows["องค์กร"] == "ชมรมผู้สูงอายุบ้านดอน (พิษณุโลก)"
    chat.tap("ยืนยัน")
    assert "ลงทะเบียนเรียบร้อยแล้ว" in chat.text


@pytest.mark.parametrize("where", ["name question", "read-back"])
def test_none_of_the_look_alikes_registers_a_new_organization(office, where) -> None:  # noqa: ANN001
    chat = _at_look_alikes(office)
    if where == "read-back":
        chat.say("บุญมี มีสุข ประธานชมรม 081-234-5678")
    chat.tap("ลงทะเบียนองค์กรใหม่")
    assert "ชื่อเต็มขององค์กร" in chat.text  # a part of a name was searched: the whole name is asked
    chat.say("ชมรมผู้สูงอายุบ้านดงใหม่")
    chat.tap("องค์กรสาธารณประโยชน์")
    chat.say("อ.เมือง")
    if where == "name question":
        chat.say("บุญมี มีสุข ประธานชมรม 081-234-5678")
    rows = {f.label: f.value for f in chat.card.fields}
    assert rows["ชื่อองค์กร"] == "ชมรมผู้สูงอายุบ้านดงใหม่" and rows["ชื่อ-นามสกุล"] == "บุญมี มีสุข"
    chat.tap("ยืนยัน")
    assert "ลงทะเบียนเรียบร้อยแล้ว" in chat.text
    with office.db.session() as s:
        assert s.exec(select(Organization).where(Organization.name == "ชมรมผู้สูงอายุบ้านดงใหม่")).one()


def test_the_chat_apps_display_name_is_a_one_tap_answer(office) -> None:  # noqa: ANN001
    seed_org(office, "มูลนิธิพัฒนาเด็กพิษณุโลก")
    chat = Chat(office, "somsri")
    chat.send(IncomingMessage(address=chat.address, text="สวัสดีค่ะ", display_name="มาลี ศรีสุข"))
    chat.tap("ยินยอม")
    chat.say("มูลนิธิพัฒนาเด็กพิษณุโลก")
    assert "มาลี ศรีสุข" in chat.labels
    chat.tap("มาลี ศรีสุข")
    assert "ตำแหน่ง" in chat.text


def test_a_one_message_report_with_a_deadline_open_takes_4_turns(new_chat, runtime) -> None:  # noqa: ANN001
    deadline(runtime)
    chat = member(new_chat, "somsri", "มูลนิธิรักษ์น้ำพิษณุโลก")
    before = _turns(chat)
    chat.say("ส่งรายงาน")
    assert "รายงานสำหรับ: รายงานผลการดำเนินงานประจำปี 2569" in chat.text  # the one open deadline, with a note
    chat.say(SENTENCE)
    chat.tap("ไม่มีรูป")
    chat.tap("ยืนยัน")
    assert "ส่งให้ พมจ. เรียบร้อยแล้ว" in chat.text
    assert _turns(chat) - before <= 4


def test_photos_may_come_before_the_words(new_chat, runtime) -> None:  # noqa: ANN001
    deadline(runtime)
    chat = member(new_chat, "somsri", "มูลนิธิรักษ์น้ำพิษณุโลก")
    before = _turns(chat)
    chat.send(IncomingMessage(address=chat.address, attachments=(Attachment("image", data=PNG),)))
    assert "ได้รับรูปแล้ว 1/5" in chat.text and "เล่ากิจกรรม" in chat.text
    chat.send(IncomingMessage(address=chat.address, attachments=(Attachment("image", data=PNG),)))
    assert "ได้รับรูปแล้ว 2/5" in chat.text
    chat.say(SENTENCE)
    assert "ตอนนี้มี 2 รูป" in chat.text
    chat.tap("เสร็จ")
    assert {f.label: f.value for f in chat.card.fields}["รูปภาพ"] == "2 รูป"
    chat.tap("ยืนยัน")
    assert "ส่งให้ พมจ. เรียบร้อยแล้ว" in chat.text
    assert _turns(chat) - before <= 5  # two photos, the words, done, confirm
    with runtime.db.session() as s:
        act = s.exec(select(ReportActivity)).one()
        assert act.complete and act.original_text == SENTENCE and act.participants == 110
        assert len(s.exec(select(ReportPhoto)).all()) == 2


def test_two_attendees_on_one_line_register_in_4_turns(runtime, new_chat) -> None:  # noqa: ANN001
    add_member(runtime, "a")
    event_id = make_event(runtime, seats_per_org=2)
    chat = new_chat("a")
    chat.say("อบรม")
    chat.say("อบรมนักบริหารองค์กร รุ่นที่ 4")  # the event's title typed is its button
    assert "ใครจะเข้าร่วม" in chat.text
    chat.say("นางสมศรี ใจดี เลขานุการ และนายสมชาย ใจงาม เหรัญญิก")
    rows = {f.label: f.value for f in chat.card.fields}
    assert rows["ผู้เข้าร่วม"] == "1. นางสมศรี ใจดี (เลขานุการ)\n2. นายสมชาย ใจงาม (เหรัญญิก)"
    assert rows["เบอร์โทรติดต่อ"] == "081-234-5678"  # the member's own phone
    chat.tap("ยืนยัน")
    assert "ลงทะเบียนเรียบร้อยแล้ว" in chat.text
    assert _turns(chat) <= 4
    with runtime.db.session() as s:
        names = {a.name for a in s.exec(select(EventAttendee).where(EventAttendee.event_id == event_id))}
    assert names == {"นางสมศรี ใจดี", "นายสมชาย ใจงาม"}


def test_a_report_typed_without_asking_first_takes_3_turns(new_chat, runtime) -> None:  # noqa: ANN001
    deadline(runtime)
    chat = member(new_chat, "somsri", "มูลนิธิรักษ์น้ำพิษณุโลก")
    before = _turns(chat)
    chat.say(SENTENCE)  # no "ส่งรายงาน": the message is a report
    assert "รายงานสำหรับ: รายงานผลการดำเนินงานประจำปี 2569" in chat.text and "ส่งรูปกิจกรรม" in chat.text
    chat.tap("ไม่มีรูป")
    chat.tap("ยืนยัน")
    assert "ส่งให้ พมจ. เรียบร้อยแล้ว" in chat.text
    assert _turns(chat) - before == 3
    chat.say("อบรมวันที่ 29 ม.ค. 70 รับกี่คนคะ")  # a question about a coming date is no report
    assert "ยังไม่เข้าใจ" in chat.text


def test_fixing_a_misread_title_costs_one_turn(new_chat, runtime) -> None:  # noqa: ANN001
    deadline(runtime)
    chat = member(new_chat, "somsri", "มูลนิธิรักษ์น้ำพิษณุโลก")
    before = _turns(chat)
    chat.say("ส่งรายงาน")
    chat.say(SENTENCE)
    chat.tap("ไม่มีรูป")
    chat.say("แก้ชื่อกิจกรรมเป็น เยี่ยมบ้านผู้สูงอายุติดเตียง ครั้งที่ 3")
    assert {f.label: f.value for f in chat.card.fields}["กิจกรรม"] == "เยี่ยมบ้านผู้สูงอายุติดเตียง ครั้งที่ 3"
    chat.tap("ยืนยัน")
    assert "ส่งให้ พมจ. เรียบร้อยแล้ว" in chat.text
    assert _turns(chat) - before <= 5


def test_a_whole_new_name_next_to_a_similar_one_is_not_proposed(office) -> None:  # noqa: ANN001
    """"มูลนิธิ…" typed whole and not in the directory may be a new organization: the list, not a proposal."""
    seed_org(office, "มูลนิธิรักษ์น้ำสาย 1")
    chat = Chat(office, "somsri")
    chat.say("สวัสดีค่ะ")
    chat.tap("ยินยอม")
    chat.say("มูลนิธิรักษ์น้ำสาย 2")
    assert "ไหมคะ" not in chat.text and "ลงทะเบียนองค์กรใหม่" in chat.labels
