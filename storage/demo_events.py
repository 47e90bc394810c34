"""Demo data for events: one upcoming, published training in Phitsanulok (marked is_demo).

Modelled on the seed press release: a three-day course for executives of public-benefit organizations.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlmodel import Session

from bot.clock import clock, local_to_utc
from storage.demo import SEEDERS
from storage.repositories import events as repo


def seed_events(session: Session) -> None:
    now = clock.now()
    first_day = (clock.local_now() + timedelta(days=30)).date()
    event = repo.create(
        session, kind="training",
        title="อบรมนักบริหารองค์กรสาธารณประโยชน์ รุ่นที่ 5",
        description="เสริมความรู้การจัดสวัสดิการสังคม กฎหมายที่จำเป็น การรับรองมาตรฐาน และการเขียนโครงการ"
                    "ขอรับเงินกองทุนส่งเสริมการจัดสวัสดิการสังคม",
        starts_at=local_to_utc(datetime.combine(first_day, time(9, 0))),
        ends_at=local_to_utc(datetime.combine(first_day + timedelta(days=2), time(16, 0))),
        venue="โรงแรมเรือนแพ รอยัลปาร์ค อ.เมือง จ.พิษณุโลก", province="พิษณุโลก", capacity=100, seats_per_org=2,
        registration_deadline=local_to_utc(datetime.combine(first_day - timedelta(days=7), time(23, 59))),
        latitude=16.8211, longitude=100.2659, audience_provinces=["พิษณุโลก"], is_demo=True)
    repo.publish(session, event=event, now=now)


if seed_events not in SEEDERS:
    SEEDERS.append(seed_events)
