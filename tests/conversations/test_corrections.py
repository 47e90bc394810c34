"""Corrections typed in one message at any read-back or question, and buttons' labels typed."""
from __future__ import annotations

from sqlmodel import select

from storage.models import Member
from storage.models.reports import ReportActivity
from tests.reports.helpers import SENTENCE, member
from tests.transcript import Chat


def _rows(chat: Chat) -> dict[str, str]:
    return {f.label: f.value for f in chat.card.fields}


def _to_read_back(chat: Chat) -> None:
    chat.say("ส่งรายงาน")
    chat.say(SENTENCE)
    chat.tap("ไม่มีรูป")
    assert "สรุปรายงานกิจกรรม" in chat.text


def test_a_field_named_in_a_sentence_is_changed_and_the_read_back_comes_again(new_chat, runtime) -> None:  # noqa: ANN001
    chat = member(new_chat, "somsri", "มูลนิธิรักษ์น้ำพิษณุโลก")
    _to_read_back(chat)
    chat.say("กลุ่มเป้าหมายเป็นอาสาสมัครค่ะ")
    assert "แก้ กลุ่มเป้าหมาย เป็น \"อาสาสมัคร\" แล้ว" in chat.text
    assert _rows(chat)["กลุ่มเป้าหมาย"] == "อาสาสมัคร"
    chat.say("แก้ชื่อกิจกรรมเป็น อบรมอาสาสมัครดูแลผู้สูงอายุ")
    assert _rows(chat)["กิจกรรม"] == "อบรมอาสาสมัครดูแลผู้สูงอายุ"
    chat.say("ไม่ใช่ 110 คนค่ะ 120 คน")
    assert _rows(chat)["ผู้เข้าร่วม"] == "120 คน"
    chat.say("แก้วันที่เป็น 26 ต.ค. 68")
    assert _rows(chat)["วันที่จัด"] == "26 ต.ค. 2568"
    chat.say("ยืนยันค่ะ")
    with runtime.db.session() as s:
        act = s.exec(select(ReportActivity)).one()
    assert (act.title, act.participants, act.target_group) == ("อบรมอาสาสมัครดูแลผู้สูงอายุ", 120, "อาสาสมัคร")


def test_a_wrong_correction_says_why_and_asks_that_field(new_chat, runtime) -> None:  # noqa: ANN001
    chat = member(new_chat, "somsri", "มูลนิธิรักษ์น้ำพิษณุโลก")
    _to_read_back(chat)
    chat.say("ผู้เข้าร่วมเป็นเยอะมาก")
    assert "ผู้เข้าร่วมกี่คน" in chat.text and "ตัวอย่าง" in chat.text
    chat.say("95")
    assert _rows(chat)["ผู้เข้าร่วม"] == "95 คน"  # straight back to the read-back


def test_a_correction_at_a_question_keeps_the_question(new_chat, runtime) -> None:  # noqa: ANN001
    chat = member(new_chat, "boonmee", "ชมรมผู้สูงอายุบ้านนา")
    chat.say("ส่งรายงาน")
    chat.say("อบรมอาสาสมัครดูแลผู้สูงอายุ ผู้เข้าร่วม 40 คน")
    assert "จัดกิจกรรมวันไหน" in chat.text
    chat.say("จำนวนคนเป็น 45 คนค่ะ")
    assert "45" in chat.text and "จัดกิจกรรมวันไหน" in chat.text


def test_an_amount_is_no_funding_source(new_chat, runtime) -> None:  # noqa: ANN001
    chat = member(new_chat, "boonmee", "ชมรมผู้สูงอายุบ้านนา")
    chat.say("ส่งรายงาน")
    chat.say("อบรมอาสาสมัครดูแลผู้สูงอายุ ผู้เข้าร่วม 40 คน เมื่อ 3 พ.ย. 68 งบ 12,500 บาท")
    assert "แหล่งไหน" in chat.text
    chat.say("12,500 บาท")
    assert "จำนวนเงิน" in chat.text and "อบต." in chat.text and "แหล่งไหน" in chat.text
    chat.say("(สสส.)")
    assert "ส่งรูปกิจกรรม" in chat.text


def test_a_buttons_label_typed_is_that_button(new_chat, runtime) -> None:  # noqa: ANN001
    chat = member(new_chat, "somsri", "มูลนิธิรักษ์น้ำพิษณุโลก")
    chat.say("ลบข้อมูล")
    assert "ไม่ลบ" in chat.labels
    chat.say("ไม่ลบค่ะ")
    assert "ฉันยังไม่เข้าใจ" not in chat.text and "ใช่ หรือ ไม่ใช่" not in chat.text
    with runtime.db.session() as s:
        assert s.exec(select(Member)).one().full_name == "somsri ใจดี"
    chat.say("ข้อมูลของฉัน")
    chat.say("ลบข้อมูลของฉัน")  # the button's label, typed
    assert "ไม่ลบ" in chat.labels


def test_words_that_only_look_like_a_correction_answer_the_question(new_chat, runtime) -> None:  # noqa: ANN001
    chat = member(new_chat, "boonmee", "ชมรมผู้สูงอายุบ้านนา")
    chat.say("ส่งรายงาน")
    chat.say("ประชุมประจำเดือน 3 พ.ย. 68 ผู้เข้าร่วม 40 คน ไม่ใช้งบ")
    assert "กลุ่มเป้าหมาย" in chat.text
    chat.say("ผู้เข้าร่วมคือผู้สูงอายุในชุมชน")  # not a number of participants: the target group
    chat.tap("ไม่มีรูป")
    rows = _rows(chat)
    assert rows["ผู้เข้าร่วม"] == "40 คน" and rows["กลุ่มเป้าหมาย"] == "ผู้เข้าร่วมคือผู้สูงอายุในชุมชน"


def test_which_offered_button_a_typed_text_is() -> None:
    from bot.forms import typed_choice
    from bot.messages import Choice

    offered = [Choice("ยืนยัน", "@confirm"), Choice("แก้ไข", "@edit"), Choice("ไม่ลบ", "no"),
               Choice("1. อบรมนักบริหารองค", "go:event.register:7"), Choice("ลบข้อมูลของฉัน", "yes")]

    def value(text: str, numbers: bool = False) -> str | None:
        found = typed_choice(text, offered, numbers=numbers)
        return found.value if found else None

    assert value("ยืนยันค่ะ") == "@confirm" and value("ยืนยันนน") == "@confirm" and value(" แก้ไข ") == "@edit"
    assert value("ไม่ลบค่ะ") == "no" and value("ลบข้อมูล ของฉัน") == "yes"
    assert value("อบรมนักบริหารองค์กร รุ่นที่ 4") == "go:event.register:7"  # the whole title of a cut label
    assert value("2") is None and value("2", numbers=True) == "@edit"
    assert value("ยืนยันว่าจะไปอบรม") is None and value("ลบ") is None and value("") is None
