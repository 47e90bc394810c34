import pytest

from bot.thai import match_keyword, normalize, strip_particles

KEYWORDS = {
    "cancel": ["ยกเลิก", "cancel"],
    "menu": ["เมนู", "menu"],
    "help": ["ช่วยเหลือ", "help"],
    "back": ["ย้อนกลับ", "กลับ", "back"],
    "report": ["ส่งรายงาน", "รายงาน"],
}


@pytest.mark.parametrize(
    "text,expected",
    [
        ("ยกเลิก", "cancel"),
        ("ยกเลิกค่ะ", "cancel"),
        ("ยกเลิกครับบ", "cancel"),
        ("ยกเลิกนะคะ", "cancel"),
        ("  ยกเลิก  ", "cancel"),
        ("ยกเลิก!", "cancel"),
        ("ยกเลิกกก", "cancel"),
        ("ยกลิก", "cancel"),
        ("ยกเลิด", "cancel"),
        ("Cancel", "cancel"),
        (" CANCEL! ", "cancel"),
        ("/cancel", "cancel"),
        ("เมนู", "menu"),
        ("เมนูค่ะ", "menu"),
        ("เมนูววว", "menu"),
        ("MENUUU", "menu"),
        ("/menu", "menu"),
        ("เมนู\u200b", "menu"),
        ("help", "help"),
        ("ช่วยเหลือค่ะ", "help"),
        ("ช่วยเหลอ", "help"),
        ("กลับ", "back"),
        ("ย้อนกลับค่ะ", "back"),
        ("รายงาน", "report"),
        ("ส่ง รายงาน", "report"),
        # a sentence that merely contains the word, or something else
        ("ขอยกเลิกการลงทะเบียนค่ะ", None),
        ("เมนูอาหารวันนี้", None),
        ("ช่วยเหลือด้วยค่ะ ด่วน", None),
        ("สวัสดีค่ะ", None),
        ("", None),
        ("ค่ะ", None),
        ("เม", None),
        ("กลบ", None),
    ],
)
def test_match_keyword(text, expected):
    assert match_keyword(text, KEYWORDS) == expected


def test_match_keyword_accepts_any_iterables():
    assert match_keyword("ok", {"yes": ("ok", "โอเค")}) == "yes"
    assert match_keyword("โอเคค่ะ", {"yes": iter(["โอเค"])}) == "yes"
    assert match_keyword("ok", {}) is None


@pytest.mark.parametrize(
    "text,expected",
    [
        ("ได้ค่ะ", "ได้"),
        ("ใช่ครับบ", "ใช่"),
        ("ยกเลิกนะคะ", "ยกเลิก"),
        ("ขอบคุณค่าาา", "ขอบคุณ"),
        ("ส่งแล้วจ้า", "ส่งแล้ว"),
        ("ตกลงค่ะ ๆ", "ตกลง"),
        ("ค่ะ", ""),
        ("พรุ่งนี้นะครับ", "พรุ่งนี้"),
        ("เจ้า", "เจ้า"),
        ("คะแนน", "คะแนน"),
        ("ทำนา", "ทำนา"),
        ("ไปไหนคะ", "ไปไหน"),
        ("ครับ ได้ครับ", "ครับ ได้"),
    ],
)
def test_strip_particles(text, expected):
    assert strip_particles(text) == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        ("ค่าาาา", "ค่า"),
        ("ครับบบบ", "ครับ"),
        ("เเปลก", "แปลก"),
        ("a\u200bb\u200c\u200dc\ufeff\u2060", "abc"),
        ("หนึ่ง\u00a0สอง", "หนึ่ง สอง"),
        ("๐๑๒๓๔๕๖๗๘๙", "0123456789"),
        ("29–31", "29-31"),
        ("  หลาย   ช่อง  ", "หลาย ช่อง"),
        ("บุคคล", "บุคคล"),
        ("ธรรม", "ธรรม"),
        ("1000000", "1000000"),
        ("Hello", "Hello"),
        ("บรรทัด1\n\n\nบรรทัด2", "บรรทัด1\nบรรทัด2"),
        ("น้ำ", "น้ำ"),
        ("นํ้า", "น้ำ"),
    ],
)
def test_normalize(text, expected):
    assert normalize(text) == expected
