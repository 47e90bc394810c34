from datetime import date, datetime, time

import pytest
from date_cases import DATE_CASES, RANGE_CASES, TODAY

from bot.thai import parse_date, parse_date_range, parse_datetime_range, parse_time


@pytest.mark.parametrize("text,prefer,expected", DATE_CASES)
def test_parse_date(text, prefer, expected):
    assert parse_date(text, today=TODAY, prefer=prefer) == expected


@pytest.mark.parametrize("text,prefer,expected", RANGE_CASES)
def test_parse_date_range(text, prefer, expected):
    assert parse_date_range(text, today=TODAY, prefer=prefer) == expected


def test_parse_date_of_a_range_is_its_start():
    assert parse_date("29–31 มกราคม 2563", today=TODAY) == date(2020, 1, 29)


def test_weekday_this_week_on_sunday_looks_back():
    sunday = date(2026, 3, 15)
    assert parse_date("วันจันทร์นี้", today=sunday) == date(2026, 3, 9)
    assert parse_date("วันจันทร์หน้า", today=sunday) == date(2026, 3, 16)


def test_year_end_rollover():
    assert parse_date("5 ม.ค.", today=date(2026, 12, 30)) == date(2027, 1, 5)
    assert parse_date("พรุ่งนี้", today=date(2026, 12, 31)) == date(2027, 1, 1)


T = TODAY
DT = datetime


@pytest.mark.parametrize(
    "text,expected",
    [
        ("29–31 ม.ค. 70 09.00–16.00 น.", (DT(2027, 1, 29, 9), DT(2027, 1, 31, 16))),
        ("29-31 ม.ค. 70 เวลา 08.30 - 16.30 น.", (DT(2027, 1, 29, 8, 30), DT(2027, 1, 31, 16, 30))),
        ("5 ก.พ. 70 13.00-15.30 น.", (DT(2027, 2, 5, 13), DT(2027, 2, 5, 15, 30))),
        ("5 ก.พ. 70 เวลา 13.00 น.", (DT(2027, 2, 5, 13), DT(2027, 2, 5, 16))),
        ("5 ก.พ. 70 เวลา 18.00 น.", (DT(2027, 2, 5, 18), DT(2027, 2, 5, 18))),
        ("5 ก.พ. 70", (DT(2027, 2, 5, 9), DT(2027, 2, 5, 16))),
        ("5 ก.พ. 70 บ่ายโมงถึงบ่ายสาม", (DT(2027, 2, 5, 13), DT(2027, 2, 5, 15))),
        ("พรุ่งนี้ 9 โมง - บ่ายสามโมงครึ่ง", (DT(2026, 3, 12, 9), DT(2026, 3, 12, 15, 30))),
        ("วันศุกร์หน้า 10:00-12:00", (DT(2026, 3, 20, 10), DT(2026, 3, 20, 12))),
        ("5 ก.พ. 70 16.00-09.00", None),
        ("ไม่มีวันที่", None),
    ],
)
def test_parse_datetime_range(text, expected):
    assert parse_datetime_range(text, today=T) == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        ("09.00", time(9, 0)),
        ("9.00 น.", time(9, 0)),
        ("9:30 น.", time(9, 30)),
        ("14.30 น.", time(14, 30)),
        ("14:30", time(14, 30)),
        ("๑๔.๓๐ น.", time(14, 30)),
        ("เวลา 13.00 นาฬิกา", time(13, 0)),
        ("9 น.", time(9, 0)),
        ("บ่ายโมง", time(13, 0)),
        ("บ่ายสอง", time(14, 0)),
        ("บ่ายสองครึ่ง", time(14, 30)),
        ("บ่าย 3 โมง", time(15, 0)),
        ("สิบโมงเช้า", time(10, 0)),
        ("เก้าโมง", time(9, 0)),
        ("10 โมง", time(10, 0)),
        ("สี่โมงเย็น", time(16, 0)),
        ("หกโมงเย็น", time(18, 0)),
        ("สองทุ่ม", time(20, 0)),
        ("ตีสี่", time(4, 0)),
        ("เที่ยง", time(12, 0)),
        ("เที่ยงคืน", time(0, 0)),
        ("9am", time(9, 0)),
        ("2:30 pm", time(14, 30)),
        ("25:00", None),
        ("9.75", None),
        ("สวัสดีค่ะ", None),
        ("บ่ายนี้ว่างไหม", None),
    ],
)
def test_parse_time(text, expected):
    assert parse_time(text) == expected
