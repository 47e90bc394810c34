"""Calendar arithmetic behind bot.thai.dates: years as typed (BE/CE, two digits), the next or last
occurrence of a day, Monday-Sunday weeks, weekends and "ที่ผ่านมา"."""
from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Literal

Prefer = Literal["future", "past"]

_Q_THIS = ("นี้", "this")
_Q_NEXT = ("หน้า", "ถัดไป", "next")
_Q_LAST = ("ที่แล้ว", "ที่ผ่านมา", "ก่อน", "last")

_NUMW_SMALL = {"หนึ่ง": 1, "สอง": 2, "สาม": 3, "สี่": 4, "ห้า": 5, "หก": 6, "เจ็ด": 7, "แปด": 8, "เก้า": 9}


def _count(s: str) -> int | None:
    if s.isdigit():
        return int(s)
    if s in _NUMW_SMALL:
        return _NUMW_SMALL[s]
    from .numbers import parse_number

    v = parse_number(s)
    return v if isinstance(v, int) and 0 <= v <= 1000 else None


def _year(y: str | None, era: str | None) -> int | None:
    """Western year from what was typed, or None when absent/implausible."""
    if y is None:
        return None
    n = int(y)
    e = (era or "").replace(".", "").replace(" ", "")
    if e in ("คศ", "ad", "ce"):
        n = n + 2000 if len(y) == 2 else n
    elif e in ("พศ", "be"):
        n = n + 2500 - 543 if len(y) == 2 else n - 543
    elif len(y) == 2:
        n = 2500 + n - 543
    elif n >= 2400:
        n -= 543
    return n if 1900 <= n <= 2300 else -1  # -1: typed but impossible


def _mk(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except (ValueError, OverflowError):
        return None


def _add_months(d: date, n: int) -> date:
    y, m = divmod(d.month - 1 + n, 12)
    y += d.year
    m += 1
    return date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


def _infer_year(m: int, d: int, today: date, prefer: Prefer) -> date | None:
    """Next (or last) occurrence of day d of month m, looking one year either way."""
    if prefer == "past":
        for y in (today.year, today.year - 1):
            c = _mk(y, m, d)
            if c is not None and c <= today:
                return c
    else:
        for y in (today.year, today.year + 1):
            c = _mk(y, m, d)
            if c is not None and c >= today:
                return c
    return None


def _monday(d: date) -> date:
    return d - timedelta(days=d.weekday())


def _weekend(q: str | None, today: date, prefer: Prefer) -> tuple[date, date]:
    """Saturday and Sunday: of this (นี้), next (หน้า) or last (ที่แล้ว) Monday-Sunday week; ที่ผ่านมา is the
    last weekend already over; without a word, the coming one (or the last one begun, for a report)."""
    sat = _monday(today) + timedelta(days=5)
    if q in _Q_NEXT:
        sat += timedelta(days=7)
    elif q == "ที่ผ่านมา":
        if sat + timedelta(days=1) >= today:
            sat -= timedelta(days=7)
    elif q in _Q_LAST:
        sat -= timedelta(days=7)
    elif q is None and prefer == "past" and sat > today:
        sat -= timedelta(days=7)
    return sat, sat + timedelta(days=1)


def _resolve_passed(d1: int, d2: int, today: date) -> tuple[date, date] | None:
    """'วันที่ 5-6 ที่ผ่านมา': the latest days d1..d2 of one month that began before today."""
    first = today.replace(day=1)
    for st in (0, -1, -2):
        f = _add_months(first, st)
        s, e = _mk(f.year, f.month, d1), _mk(f.year, f.month, d2)
        if s is not None and e is not None and s < today and e <= today:
            return s, e
    return None


def _resolve_day_only(d: int, today: date, prefer: Prefer) -> date | None:
    """'วันที่ 15': the next (or last) day 15 within two months."""
    first = today.replace(day=1)
    steps = (0, 1, 2) if prefer != "past" else (0, -1, -2)
    for st in steps:
        f = _add_months(first, st)
        c = _mk(f.year, f.month, d)
        if c is not None and (c >= today if prefer != "past" else c <= today):
            return c
    return None
