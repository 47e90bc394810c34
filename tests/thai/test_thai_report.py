from datetime import date
from decimal import Decimal

import pytest

from bot.thai import ReportFields, extract_report

TODAY = date(2026, 3, 11)
D = date


@pytest.mark.parametrize(
    "text,expected",
    [
        (
            "จัดกิจกรรมเยี่ยมบ้านผู้สูงอายุ เมื่อ 25 ต.ค. 61 มีผู้เข้าร่วม 110 คน ใช้งบประมาณ 15,000 บาท",
            dict(title="กิจกรรมเยี่ยมบ้านผู้สูงอายุ", start_date=D(2018, 10, 25), end_date=D(2018, 10, 25),
                 participants=110, budget=Decimal(15000), target_group="ผู้สูงอายุ"),
        ),
        (
            "จัดกิจกรรมเยี่ยมบ้านผู้สูงอายุ 25 ต.ค. 61 ผู้เข้าร่วม 110 คน งบ 15,000 บาท",
            dict(start_date=D(2018, 10, 25), participants=110, budget=Decimal(15000)),
        ),
        (
            "อบรมอาสาสมัคร 3 วัน 29-31 ม.ค. 63 ผู้เข้าร่วม 50 คน งบ 2 หมื่น จากกองทุนส่งเสริมการจัดสวัสดิการสังคม "
            "กลุ่มเป้าหมายคือคนพิการ",
            dict(title="อบรมอาสาสมัคร", start_date=D(2020, 1, 29), end_date=D(2020, 1, 31), participants=50,
                 budget=Decimal(20000), funding_source="กองทุนส่งเสริมการจัดสวัสดิการสังคม",
                 target_group="คนพิการ"),
        ),
        (
            "โครงการ: ธนาคารอาหาร\nวันที่: 3 ก.พ. 2567\nผู้เข้าร่วม: 45 ท่าน\nงบประมาณ: 8,500 บาท\nแหล่งงบ: อบต.หนองปลา",
            dict(title="ธนาคารอาหาร", start_date=D(2024, 2, 3), participants=45, budget=Decimal(8500),
                 funding_source="อบต.หนองปลา"),
        ),
        (
            "เมื่อวานจัดอบรม อสม. 30 คน",
            dict(start_date=D(2026, 3, 10), participants=30, budget=None),
        ),
        (
            "อบรม 3 วัน ใช้เงิน 12,000 บาท",
            dict(participants=None, budget=Decimal(12000)),
        ),
        (
            "ประชุมเครือข่าย ๕ มี.ค. ๖๙ ผู้เข้าร่วม ๓๒ ราย",
            dict(title="ประชุมเครือข่าย", start_date=D(2026, 3, 5), participants=32),
        ),
        (
            "วันที่ 5 มี.ค. จัดงานวันสตรีสากล ผู้หญิงในชุมชนมาร่วมประมาณ 80 คน",
            dict(start_date=D(2026, 3, 5), participants=80),
        ),
        (
            "โครงการธนาคารเวลา ผู้เข้าร่วมทั้งหมด หนึ่งร้อยยี่สิบ คน งบประมาณ หมื่นห้า",
            dict(title="โครงการธนาคารเวลา", participants=120, budget=Decimal(15000)),
        ),
        (
            "เยี่ยมผู้ป่วยติดเตียง 12 ราย ได้รับการสนับสนุนจากเทศบาลตำบลวังทอง",
            dict(participants=12, target_group="ผู้ป่วยติดเตียง", funding_source="เทศบาลตำบลวังทอง"),
        ),
        (
            "สอนทำขนม ให้เยาวชน 25 คน ค่าใช้จ่าย 3,500 บาท",
            dict(participants=25, budget=Decimal(3500), target_group="เยาวชน"),
        ),
        (
            "ผู้สูงอายุ 80 คน และเจ้าหน้าที่ 10 คน ผู้เข้าร่วมทั้งหมด 90 คน",
            dict(participants=90),
        ),
        (
            "ค่ายเด็ก 2 คืน 3 วัน ระหว่าง 10-12 เม.ย. 68",
            dict(participants=None, start_date=D(2025, 4, 10), end_date=D(2025, 4, 12)),
        ),
        (
            "ส่งรายงานค่ะ",
            dict(participants=None, budget=None, start_date=None, funding_source=None),
        ),
        (
            "",
            dict(title=None, participants=None, budget=None, start_date=None, end_date=None,
                 funding_source=None, target_group=None),
        ),
        (
            "กิจกรรมวันเด็ก 10 ม.ค. 69 เด็ก 150 คน งบ ฿5,000 กลุ่มเป้าหมาย: เด็กในชุมชน",
            dict(start_date=D(2026, 1, 10), participants=150, budget=Decimal(5000),
                 target_group="เด็กในชุมชน"),
        ),
    ],
)
def test_extract_report(text, expected):
    got = extract_report(text, today=TODAY)
    assert isinstance(got, ReportFields)
    for field, value in expected.items():
        assert getattr(got, field) == value, field


def test_no_year_reports_are_in_the_past():
    got = extract_report("จัดกิจกรรม 20 ธ.ค. ผู้เข้าร่วม 40 คน", today=TODAY)
    assert got.start_date == D(2025, 12, 20)
