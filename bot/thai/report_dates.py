"""The date of a report: what report.py does to the text before and after dates.find_date_range.

Every change keeps the text's length, so spans found in it still point into the message.
- 'สวัสดีค่ะวันนี้ขอรายงานกิจกรรม': วันนี้ dates the sending, not the activity — blanked.
- Voice typing writes the day in words: 'เมื่อวันที่ยี่สิบห้าพฤศจิกายน'. A run of number words right
  before a month's name becomes its digits, padded with spaces ('25       พฤศจิกายน').
- A report is one event, so a period is no date of it: 'สัปดาห์ก่อน', 'อาทิตย์ที่ผ่านมา' (last week, as
  in speech) leave the date for the bot to ask (reports_l). Their span is still found, so that the title
  is not read from them ('รายงานนะครับ กิจกรรมสัปดาห์ก่อน').
"""
from __future__ import annotations

import re
from datetime import date

from .dates import find_date_range
from .numbers import parse_number

_SENDING_TODAY = re.compile(r"วันนี้(?=[^\S\n]*(?:ขอ(?:อนุญาต)?|จะ|มา)?[^\S\n]*(?:ส่ง)?รายงาน)")
_NUM_WORD = r"(?:ศูนย์|หนึ่ง|สอง|สาม|สี่|ห้า|หก|เจ็ด|แปด|เก้า|สิบ|ยี่|เอ็ด)"
_MONTH = (r"(?:มกรา|กุมภา|มีนา|เมษา|พฤษภา|มิถุนา|กรกฎา|สิงหา|กันยา|ตุลา|พฤศจิกา|ธันวา"
          r"|ม\.ค|ก\.พ|มี\.ค|เม\.ย|พ\.ค|มิ\.ย|ก\.ค|ส\.ค|ก\.ย|ต\.ค|พ\.ย|ธ\.ค)")
_WORD_DAY = re.compile(r"(" + _NUM_WORD + r"{1,4})(?=[^\S\n]*(?:เดือน[^\S\n]*)?" + _MONTH + ")")
_PAST_WEEK = re.compile(r"(?:สัปดาห์|สัปดา|อาทิตย์|อาทิต)[^\S\n]*(?:ที่แล้ว|ที่ผ่านมา|ก่อน)")


def _digits(m: re.Match) -> str:
    v = parse_number(m.group(1))
    if not isinstance(v, int) or not 1 <= v <= 31:
        return m.group()
    return str(v).ljust(len(m.group()))


def prepare_dates(t: str) -> str:
    """`t` (lower-case, normalized) ready for find_date_range, same length."""
    t = _SENDING_TODAY.sub(lambda m: " " * len(m.group()), t)
    return _WORD_DAY.sub(_digits, t)


def past_week(t: str, today: date) -> tuple[int | None, int | None]:
    """The span of a week already past named in `t`, or (None, None)."""
    r = find_date_range(t, today, "past", allow_period=True)
    if r is None or r[1] >= today or not _PAST_WEEK.fullmatch(t[r[2]: r[3]].strip()):
        return None, None
    return r[2], r[3]
