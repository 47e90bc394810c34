"""Everyday ways of asking for something start the right conversation: polite (ขอ…, รบกวน…ด้วยค่ะ,
…ให้หน่อย, …ได้ไหมคะ) and short forms alike; sentences that only mention the words start nothing."""
from __future__ import annotations

import pytest

from bot.registry import find_intent
from tests.conversations.helpers import sign_up_new_org

PHRASINGS: dict[str, list[str]] = {
    "event.register": [
        "สมัครอบรม", "ขอลงทะเบียนอบรม", "ลงทะเบียนอบรมให้หน่อย", "ลงทะเบียนอบรมค่ะ", "อยากสมัครอบรมค่ะ",
        "รบกวนลงทะเบียนอบรมด้วยค่ะ", "สมัครอบรมได้ไหมคะ", "ขอสมัครเข้าร่วมอบรมครับ", "ลงทะเบียนสัมมนา",
        "ขอต่อคิวสำรอง", "ต่อคิวสำรองค่ะ", "ลงทะเบียน", "สมัครอบรมมม", "สนใจสมัครอบรมค่ะ", "ขอเป็นคิวสำรองค่ะ",
    ],
    "event.list": [
        "อบรม", "อบรมค่ะ", "ดูอบรม", "มีอบรมอะไรบ้าง", "มีอบรมอะไรบ้างคะ", "ขอดูงานอบรมหน่อยค่ะ", "ตารางอบรม",
        "อบรม/สัมมนา", "สัมมนา", "รายการอบรมครับ", "อบรมที่เปิดรับสมัคร",
    ],
    "event.mine": [
        "ยกเลิกการลงทะเบียน", "ขอยกเลิกการลงทะเบียนค่ะ", "ยกเลิกลงทะเบียน", "ลงทะเบียนของฉัน", "การลงทะเบียนของฉัน",
        "อบรมที่สมัครไว้", "ดูการลงทะเบียนหน่อยค่ะ", "ตรวจสอบการลงทะเบียน", "ขอถอนชื่อค่ะ", "คิวสำรองของฉัน",
        "ยกเลิกการสมัครอบรมค่ะ", "ยกเลิกการจองค่ะ",
    ],
    "profile.show": [
        "ดูข้อมูล", "ดูข้อมูลค่ะ", "ข้อมูลของฉัน", "ขอดูข้อมูลของฉันหน่อย", "ข้อมูลส่วนตัว", "โปรไฟล์", "ดูโปรไฟล์ครับ",
        "เช็คข้อมูล", "ตรวจสอบข้อมูลค่ะ", "ข้อมูลสมาชิก", "my data", "ดูข้อมูลตัวเอง",
    ],
    "profile.edit": [
        "แก้ข้อมูล", "แก้ไขข้อมูล", "ขอแก้ไขข้อมูลค่ะ", "เปลี่ยนเบอร์", "ขอเปลี่ยนเบอร์โทรหน่อยค่ะ", "อัปเดตข้อมูล",
        "อัพเดทข้อมูลครับ", "แก้ไขข้อมูลส่วนตัว", "แก้ข้อมูลให้หน่อย", "เปลี่ยนข้อมูล", "edit profile",
    ],
    "report.start": [
        "ส่งรายงาน", "ส่งรายงานค่ะ", "ขอส่งรายงานกิจกรรมค่ะ", "รายงานกิจกรรม", "ทำรายงาน", "อยากส่งรายงานครับ",
        "รายงานผล", "กรอกรายงานหน่อย", "ส่งผลการดำเนินงาน", "รายงาน", "ส่งรายงานนนน",
    ],
    "directory": [
        "ทำเนียบ", "ค้นหาองค์กร", "ขอค้นหาองค์กรค่ะ", "หาองค์กร", "ค้นหามูลนิธิ", "ค้นหาชมรมหน่อย", "รายชื่อองค์กร",
        "ทำเนียบองค์กรค่ะ", "หาเบอร์องค์กร", "ค้นหาเครือข่าย", "directory",
    ],
    "signup": [
        "สมัคร", "สมัครสมาชิก", "ขอสมัครสมาชิกค่ะ", "ลงทะเบียนสมาชิก", "สมัครใช้งาน", "ลงทะเบียนองค์กร",
        "อยากเป็นสมาชิกค่ะ", "เริ่มใช้งาน", "สมัครองค์กรครับ", "sign up", "/start",
    ],
    "thanks": [
        "ขอบคุณค่ะ", "ขอบคุณครับ", "ขอบคุณ", "ขอบคุณมากค่ะ", "ขอบคุณมากๆเลยค่ะ", "ขอบพระคุณค่ะ", "ขอบใจจ้า",
        "ขอบคุณค่าาา", "thank you", "thanks", "🙏", "ขอบคุณสำหรับข้อมูลค่ะ", "ขอบคุณค่ะพี่", "ขอบคุณมากนะครับ",
    ],
}

# Requests in a member's own words, not one of the intent's words with particles: read by the words they are
# made of, in any order (bot.thai.frames, handlers/phrasings.FRAMES).
OWN_WORDS: dict[str, list[str]] = {
    "event.register": ["สมัครเข้าอบรมได้ที่ไหนคะ", "ขอลงทะเบียนเข้าร่วมสัมมนาค่ะ", "อยากไปอบรมค่ะ", "จะลงชื่ออบรมด้วยนะคะ",
                       "ขอเข้าร่วมอบรมด้วยคนค่ะ"],
    "event.list": ["มีอบรมไหมคะ", "ช่วงนี้มีอบรมอะไรบ้าง", "เดือนนี้มีสัมมนาไหม", "อบรมเดือนหน้ามีไหมคะ",
                   "ขอดูรายการอบรมค่ะ", "มีหลักสูตรอะไรเปิดบ้างคะ"],
    "event.mine": ["ขอยกเลิกค่ะ ไปไม่ได้แล้ว", "ไม่สะดวกไปอบรมแล้วค่ะ ขอยกเลิก", "เช็คว่าสมัครไว้หรือยัง",
                   "สมัครอบรมไปแล้วหรือยังคะ", "ติดธุระค่ะ ไปอบรมไม่ได้"],
    "report.start": ["ขอรายงานกิจกรรมเดือนนี้ค่ะ", "ส่งผลกิจกรรมค่ะ", "ส่งงานค่ะ", "จะส่งรายงานเดือนนี้นะคะ"],
    "profile.show": ["ขอดูข้อมูลที่ลงทะเบียนไว้", "ข้อมูลที่ให้ไว้ค่ะ", "ดูข้อมูลองค์กร"],
    "profile.edit": ["เบอร์เปลี่ยนค่ะ", "ขอแก้ชื่อค่ะ", "แก้ตำแหน่งค่ะ", "เปลี่ยนตำแหน่งหน่อยค่ะ", "อยากเปลี่ยนเบอร์โทรศัพท์"],
    "directory": ["หาเบอร์มูลนิธิ", "ขอเบอร์ชมรมหน่อยค่ะ", "มีองค์กรไหนบ้างในอำเภอ", "ค้นหาเครือข่ายใกล้ๆ"],
}
OWN_WORDS_ELSEWHERE = {"cert.mine": ["ขอใบประกาศอบรมค่ะ", "เกียรติบัตรได้ตอนไหนคะ"]}
for _intent, _texts in OWN_WORDS.items():
    PHRASINGS[_intent] = PHRASINGS[_intent] + _texts

# Sentences that mention an intent's words but ask for something else (or for nothing).
NEAR_MISSES = [
    "อบรมเมื่อวานสนุกมากค่ะ", "ขอบคุณที่จัดอบรมดีๆแบบนี้นะคะ อยากให้จัดอีก", "สมัครงาน", "ข้อมูลองค์กรอื่น",
    "รายงานตัว", "ส่งรูป", "คิวสำรองเต็มหรือยังคะ", "ข้อมูลผิดค่ะ", "ขอบ", "ลงทะเบียนไปแล้วค่ะ",
    "ยกเลิกรายงาน", "อยากรู้ว่าอบรมวันไหน", "ขอเบอร์พมจ.หน่อยค่ะ",
    # …and short answers and names that are made of request words but ask for nothing
    "ทำไมยังไม่ได้รับเงิน", "ไปแล้วค่ะ", "ส่งแล้วค่ะ", "ประธานชมรม", "ชมรมผู้สูงอายุบ้านดง", "จัดอบรมอสม 20 คน",
    "ไม่ได้ใช้งบค่ะ", "ข้อมูลถูกต้องค่ะ", "ส่งรูปกิจกรรม", "ส่งไม่ได้ค่ะ", "ไม่ว่างค่ะ",
]
# Markers of each intent's first reply, for a member of an organization with no open event or deadline.
MARKERS = {
    "event.register": "ยังไม่มีอบรม/สัมมนาที่เปิดรับสมัคร",
    "event.list": "ยังไม่มีอบรม/สัมมนาที่เปิดรับสมัคร",
    "event.mine": "คุณยังไม่มีการลงทะเบียน",
    "profile.show": "นี่คือข้อมูลทั้งหมดที่เก็บไว้",
    # the menu of fields, or the one field the request names ('เปลี่ยนเบอร์', 'แก้ตำแหน่งค่ะ')
    "profile.edit": ("ต้องการแก้ไขหัวข้อไหน", "เบอร์โทรที่ติดต่อได้คะ", "ตำแหน่งของคุณในองค์กรคะ", "ชื่อ-นามสกุลของคุณคะ"),
    "report.start": "ไม่มีกำหนดส่งรายงานที่ค้างอยู่",
    "directory": "ค้นหาองค์กรในเครือข่าย",
    "signup": "คุณลงทะเบียนไว้แล้ว",
    "thanks": "ยินดีค่ะ",
}


@pytest.mark.parametrize("intent,text", [(i, t) for i, ts in PHRASINGS.items() for t in ts])
def test_phrasing_finds_its_intent(intent, text):
    found = find_intent(text)
    assert found is not None and found.name == intent, (text, found and found.name)


@pytest.mark.parametrize("intent,text", [(i, t) for i, ts in OWN_WORDS_ELSEWHERE.items() for t in ts])
def test_own_words_find_intents_without_a_marker_here(intent, text):
    found = find_intent(text)
    assert found is not None and found.name == intent, (text, found and found.name)


def test_every_intent_has_ten_phrasings():
    assert all(len(ts) >= 10 for ts in PHRASINGS.values())


@pytest.mark.parametrize("text", NEAR_MISSES)
def test_near_miss_starts_nothing(text):
    found = find_intent(text)
    assert found is None, (text, found.name)


def test_members_get_the_conversation_they_asked_for(new_chat) -> None:  # noqa: ANN001
    chat = new_chat("kanya")
    sign_up_new_org(chat, org="ชมรมผู้สูงอายุบ้านนา", province="พิษณุโลก", name="กันยา ใจดี")
    for intent, texts in PHRASINGS.items():
        for text in texts:
            chat.say(text)
            markers = MARKERS[intent] if isinstance(MARKERS[intent], tuple) else (MARKERS[intent],)
            assert any(m in chat.text for m in markers), (intent, text, chat.text)
            assert "ยังไม่เข้าใจ" not in chat.text
            chat.say("ยกเลิก")  # leave any conversation the intent started


def test_thanks_before_sign_up_still_starts_sign_up(new_chat) -> None:  # noqa: ANN001
    chat = new_chat("visitor")
    chat.say("ขอบคุณค่ะ")
    assert "ยังไม่เข้าใจ" not in chat.text and any("ยินยอม" in label for label in chat.labels)
