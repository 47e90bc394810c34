"""Corrections in one message: which item, and its new value."""
from __future__ import annotations

import pytest

from bot.thai.corrections import parse_correction

NAMES = {
    "title": ["ชื่อกิจกรรม", "กิจกรรม", "activity"],
    "participants": ["ผู้เข้าร่วม", "จำนวนผู้เข้าร่วม", "จำนวนคน"],
    "target_group": ["กลุ่มเป้าหมาย", "เป้าหมาย"],
    "phone": ["เบอร์โทร", "เบอร์", "โทร"],
    "dates": ["วันที่จัด", "วันที่"],
}
SHOWN = {"title": "เยี่ยมบ้านผู้สูงอายุ", "participants": "110 คน", "target_group": "ผู้สูงอายุ",
         "phone": "081-234-5678", "dates": "25 ต.ค. 2568"}


@pytest.mark.parametrize("text, expected", [
    ("กลุ่มเป้าหมายเป็นอาสาสมัครค่ะ", ("target_group", "อาสาสมัคร")),
    ("แก้ชื่อกิจกรรมเป็น อบรมอาสาสมัครดูแลผู้สูงอายุ", ("title", "อบรมอาสาสมัครดูแลผู้สูงอายุ")),
    ("แก้ผู้เข้าร่วมเป็น 120 คนค่ะ", ("participants", "120 คน")),
    ("ผู้เข้าร่วม 120 คน", None),  # no connector: an answer, not a correction
    ("เบอร์โทรคือ 02-123-4567", ("phone", "02-123-4567")),
    ("เปลี่ยนวันที่เป็น 26 ต.ค. 68", ("dates", "26 ต.ค. 68")),
    ("ไม่ใช่ 110 คนค่ะ 120 คน", ("participants", "120 คน")),
    ("ไม่ใช่ผู้สูงอายุค่ะ อาสาสมัคร", ("target_group", "อาสาสมัคร")),
    ("ไม่ใช่ผู้สูงอายุ เป็นอาสาสมัคร", ("target_group", "อาสาสมัคร")),
    ("ไม่ใช่ 25 ต.ค. 2568 ค่ะ 26 ต.ค. 68", ("dates", "26 ต.ค. 68")),
    ("ใช่ค่ะ", None), ("ยืนยัน", None), ("ไม่ใช่ค่ะ", None), ("แก้ไข", None),
    ("เป็นกิจกรรมที่ดี", None),
])
def test_which_item_and_its_new_value(text: str, expected: tuple[str, str] | None) -> None:
    assert parse_correction(text, NAMES, SHOWN) == expected


@pytest.mark.parametrize("text", ["", "เป็น", "ไม่ใช่", "แก้ เป็น", "\n", "a" * 1000])
def test_never_raises(text: str) -> None:
    assert parse_correction(text, NAMES, SHOWN) is None
