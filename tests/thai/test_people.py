"""People as members type them: name, position and phone in one line; several people in one line;
answers that are a position, an organization or a menu word rather than a name."""
from __future__ import annotations

import pytest

from bot.thai.people import (
    Person, has_honorific, is_position, looks_like_person, parse_phone_with_extension, split_people, split_person,
)


@pytest.mark.parametrize("text, expected", [
    ("สมศรี ใจดี เลขานุการ 081-234-5678", Person("สมศรี ใจดี", "เลขานุการ", "0812345678")),
    ("บุญมี มีสุข ประธานชมรม", Person("บุญมี มีสุข", "ประธานชมรม")),
    ("สมศรี ใจดี", Person("สมศรี ใจดี")),
    ("ชื่อ บุญมี แสงทอง ค่ะ", Person("บุญมี แสงทอง")),
    ("สมชาย ใจดี ตำแหน่ง เหรัญญิก", Person("สมชาย ใจดี", "เหรัญญิก")),
    ("สมหญิง รักดี / เลขานุการ", Person("สมหญิง รักดี", "เลขานุการ")),
    ("ประธาน สมศรี ใจดี", Person("สมศรี ใจดี", "ประธาน")),
    ("นางสาวมาลี ศรีสุข ผู้ประสานงาน โทร 0-4434-1234 ต่อ 12", Person("นางสาวมาลี ศรีสุข", "ผู้ประสานงาน",
                                                                     "044341234 ต่อ 12")),
    ("๑. สมพร ดีงาม ๐๘๙ ๑๒๓ ๔๕๖๗", Person("สมพร ดีงาม", None, "0891234567")),
    ("สมศรี ใจดี (เลขาฯ) 0812345678", Person("สมศรี ใจดี", "เลขาฯ", "0812345678")),  # brackets are not the position
])
def test_one_line_gives_name_position_and_phone(text: str, expected: Person) -> None:
    assert split_person(text) == expected


@pytest.mark.parametrize("text, names", [
    ("นางสมศรี ใจดี เลขานุการ และนายสมชาย ใจงาม เหรัญญิก", [("นางสมศรี ใจดี", "เลขานุการ"),
                                                          ("นายสมชาย ใจงาม", "เหรัญญิก")]),
    ("นางสมศรี ใจดี เลขานุการ นายสมชาย ใจงาม เหรัญญิก", [("นางสมศรี ใจดี", "เลขานุการ"),
                                                      ("นายสมชาย ใจงาม", "เหรัญญิก")]),
    ("1. สมชาย ใจดี ตำแหน่ง เหรัญญิก\n2. สมหญิง รักดี / เลขานุการ", [("สมชาย ใจดี", "เหรัญญิก"),
                                                                   ("สมหญิง รักดี", "เลขานุการ")]),
    ("สมชาย ใจดี, เหรัญญิก", [("สมชาย ใจดี", "เหรัญญิก")]),
    ("สมชาย ใจดี กับ สมหญิง รักดี", [("สมชาย ใจดี", None), ("สมหญิง รักดี", None)]),
    ("ประยุทธ์ มานะ ผู้ช่วยเลขานุการ", [("ประยุทธ์ มานะ", "ผู้ช่วยเลขานุการ")]),
    # a numbered list on one line: the next number is not part of the position
    ("1. นายเอก บีซี ประธาน 2. นางดาว อีเอฟ กรรมการ", [("นายเอก บีซี", "ประธาน"), ("นางดาว อีเอฟ", "กรรมการ")]),
])
def test_several_people_in_one_message(text: str, names: list[tuple[str, str | None]]) -> None:
    assert [(p.name, p.position) for p in split_people(text)] == names


@pytest.mark.parametrize("text, expected", [
    ("ประธาน", True), ("เลขานุการค่ะ", True), ("ประธานชมรม", True), ("ตำแหน่ง เหรัญญิก", True),
    ("สมศรี ใจดี", False), ("นายกสมาคม", True), ("นายสมชาย", False),
])
def test_a_bare_position_is_not_a_name(text: str, expected: bool) -> None:
    assert is_position(text) is expected


@pytest.mark.parametrize("text, expected", [
    ("นางสาวมาลี ศรีสุข", True), ("น.ส. มาลี ศรีสุข", True), ("นายสมชาย ใจงาม", True),
    ("มูลนิธิรักษ์น้ำน่าน", False), ("ชมรมผู้สูงอายุนางรอง", False), ("นางรองพัฒนา", False),
    ("นายกสมาคมผู้สูงอายุ", False),
])
def test_a_person_is_not_an_organization(text: str, expected: bool) -> None:
    assert looks_like_person(text) is expected


def test_honorifics() -> None:
    assert has_honorific("คุณมาลี") and not has_honorific("มาลี")


@pytest.mark.parametrize("text, expected", [
    ("0-4434-1234 ต่อ 12", "044341234 ต่อ 12"),
    ("044-341-234 ext. 105", "044341234 ต่อ 105"),
    ("๐๘๑-๒๓๔-๕๖๗๘", "0812345678"),
    ("ไม่มี", None),
])
def test_a_phone_extension_is_kept(text: str, expected: str | None) -> None:
    assert parse_phone_with_extension(text) == expected


@pytest.mark.parametrize("text", ["", " ", "\n\n", "1.", "ต่อ 12", "😀", "a" * 5000])
def test_never_raises(text: str) -> None:
    split_person(text)
    split_people(text)
    is_position(text)
    looks_like_person(text)
    parse_phone_with_extension(text)
