"""Pulling activity-report fields out of one free-text message.

"จัดกิจกรรมเยี่ยมบ้านผู้สูงอายุ เมื่อ 25 ต.ค. 61 มีผู้เข้าร่วม 110 คน ใช้งบประมาณ 15,000 บาท" gives
title, dates, participants and budget; the bot then asks only for what is missing and reads the rest
back, so a field left None here is cheap, while a wrong value costs a correction. Hence the cautious
rules: participants must be counted in people (คน/ท่าน/ราย) or follow ผู้เข้าร่วม, so "3 วัน" is a
duration; budget must be marked as money (บาท/฿/งบ...).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .dates import find_date_range
from .textnorm import normalize
from .numbers import _prepare, find_numbers, money_candidates


@dataclass
class ReportFields:
    title: str | None = None
    start_date: date | None = None
    end_date: date | None = None
    participants: int | None = None
    budget: Decimal | None = None
    funding_source: str | None = None
    target_group: str | None = None


_PEOPLE_UNIT = re.compile(r"\s*(?:กว่า|เศษ|ๆ)?\s*(?:คน|ท่าน|ราย|รูป|people|persons|pax)(?!ไข้)")
_PEOPLE_CUE = re.compile(
    r"(?:ผู้เข้าร่วม(?:โครงการ|กิจกรรม|งาน|อบรม)?|เข้าร่วม|ผู้ร่วมงาน|ผู้เข้าอบรม|ผู้ได้รับประโยชน์|ผู้รับบริการ"
    r"|participants?)\s*(?:มี|ทั้งหมด|ทั้งสิ้น|รวม|จำนวน|ประมาณ|ราว|กว่า|เกือบ|[:=])*\s*$"
)
_NOT_PEOPLE = re.compile(r"\s*(?:วัน|ครั้ง|ชั่วโมง|ชม|บาท|ปี|เดือน|สัปดาห์|หมู่บ้าน|ครัวเรือน|หลัง|%)")
_LABEL_TITLE = re.compile(r"(?:ชื่อ)?(?:โครงการ|กิจกรรม|หัวข้อ|เรื่อง|title)\s*[:：]\s*(?P<v>[^\n]+)")
_FUND_CUE = re.compile(
    r"(?:แหล่ง(?:งบ(?:ประมาณ)?|เงิน|ทุน)(?:จาก)?|งบ(?:ประมาณ)?จาก|เงินจาก|ทุนจาก|สนับสนุนโดย"
    r"|ได้รับ(?:การ)?สนับสนุน(?:งบ(?:ประมาณ)?)?(?:จาก)?|ได้รับงบ(?:ประมาณ)?(?:จาก)?|ผู้สนับสนุน"
    r"|(?<=บาท)\s*จาก|(?<=บาท)\s*โดยใช้(?:งบ|เงิน)?(?:จาก)?|funded by|funding)\s*[:：]?\s*"
)
_FUND_KNOWN = re.compile(
    r"กองทุน[^\s,;]*|สสส\.?|สปสช\.?|อบ[ตจ]\.?\s?[^\s,;\d]*|เทศบาล[^\s,;\d]*|พมจ\.?[^\s,;\d]*|พม\.|เงินบริจาค"
    r"|งบส่วนตัว|เงินส่วนตัว|งบ(?:ประมาณ)?ของ(?:องค์กร|มูลนิธิ|สมาคม|ชมรม)[^\s,;\d]*"
)
_TARGET_CUE = re.compile(r"(?:กลุ่มเป้าหมาย|กลุ่มเป้า|เป้าหมาย|target(?: group)?)\s*(?:คือ|เป็น|ได้แก่|[:：])?\s*")
_TARGET_KNOWN = re.compile(
    r"ผู้สูงอายุ|คนพิการ|ผู้พิการ|เด็กและเยาวชน|เด็กเล็ก|เยาวชน|เด็ก|สตรี|ผู้หญิง|ผู้ด้อยโอกาส|ผู้ป่วยติดเตียง"
    r"|ผู้ป่วย|คนไร้บ้าน|คนไร้ที่พึ่ง|ผู้ติดเชื้อ|แรงงาน|ผู้ยากไร้|นักเรียน|ผู้ดูแล|อสม\.?|ครอบครัว|ผู้ประสบภัย"
    r"|ผู้มีรายได้น้อย|คนชรา|ผู้นำชุมชน"
)
# Where a value typed after a cue ends: the next field's cue, a separator or a number.
_STOP = re.compile(
    r"\s+(?:มี|ผู้เข้าร่วม|เมื่อ|วันที่|ใช้|จำนวน|กลุ่มเป้าหมาย|ณ|งบ|เป็นเงิน|รวม|ทั้งหมด|โดย|ระหว่าง|ตั้งแต่|และใช้)"
    r"|[\n,;]|\s*\d|$"
)
_TITLE_STOP = re.compile(
    r"\s+(?:เมื่อ|ณ|ที่|มีผู้|ผู้เข้าร่วม|มี|จำนวน|ใช้|งบ|ค่าใช้จ่าย|โดย|กลุ่มเป้าหมาย|ระหว่าง|ตั้งแต่|เป็นเวลา|รวม|วันที่)"
    r"|\s*(?:เมื่อวัน|วันที่|ณ\s)|[\n,;:]|\s*\d|$"
)
_TITLE_VERB = re.compile(
    r"^(?:(?:ทาง)?(?:องค์กร|มูลนิธิ|สมาคม|ชมรม|เรา|กลุ่มเรา)\S*\s+)?(?:ได้|ขอ)?\s*"
    r"(?:รายงาน(?:ผล)?(?:การ)?(?:จัด)?|จัดทำ|จัด|ดำเนินการ|ดำเนินงาน|ทำ(?=กิจกรรม|โครงการ))\s*"
)


def _value_after(cue: re.Match, text: str) -> str | None:
    start = cue.end()
    stop = _STOP.search(text, start)
    end = stop.start() if stop else len(text)
    v = text[start:end].strip(" :-–.,")
    return v or None


def extract_report(text: str, *, today: date) -> ReportFields:
    """Report fields found in one message; absent ones are None. Dates without a year are read as
    past (a report describes what happened)."""
    out = ReportFields()
    try:
        n = normalize(text)
        t = n.lower()
        if len(t) != len(n):  # exotic case mapping changed lengths; fall back to the lower text
            n = t
        if not t:
            return out
        r = find_date_range(t, today, "past", allow_period=False)
        ds = de = None
        if r is not None:
            out.start_date, out.end_date, ds, de = r
        masked = t if ds is None else t[:ds] + " " * (de - ds) + t[de:]
        tn = _prepare(masked)

        # participants: the number after a participant cue, else the first count of people
        people = None
        nums = [(s, e, v) for s, e, v in find_numbers(tn)
                if v == v.to_integral_value() and 0 < v <= 10_000_000]
        for s, e, v in nums:
            if _PEOPLE_CUE.search(tn[max(0, s - 40): s]) and not _NOT_PEOPLE.match(tn, e):
                people = int(v)
                break
        if people is None:
            for s, e, v in nums:
                if _PEOPLE_UNIT.match(tn, e):
                    people = int(v)
                    break
        out.participants = people

        money = [c for c in money_candidates(tn) if c[3]]
        if money:
            v = money[0][2]
            out.budget = Decimal(int(v)) if v == v.to_integral_value() else v

        m = _FUND_CUE.search(t)
        if m:
            out.funding_source = _value_after(m, n)
        if out.funding_source is None:
            m = _FUND_KNOWN.search(t)
            if m:
                out.funding_source = n[m.start(): m.end()].strip()

        m = _TARGET_CUE.search(t)
        if m:
            out.target_group = _value_after(m, n)
        if out.target_group is None:
            m = _TARGET_KNOWN.search(t)
            if m:
                out.target_group = n[m.start(): m.end()]

        m = _LABEL_TITLE.search(n)
        if m:
            title = m.group("v").strip()
        else:
            # The title is what the message starts with, once the date is taken out.
            body = n if ds is None else n[:ds] + n[de:]
            body = body.strip()
            stop = _TITLE_STOP.search(body)
            title = body[: stop.start()] if stop else body
            title = _TITLE_VERB.sub("", title.strip())
        title = title.strip(" :-–.,")
        if len(title) >= 3 and not title.isdigit():
            out.title = title[:200]
        return out
    except Exception:
        return out
