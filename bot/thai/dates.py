"""Dates and date ranges as members type them.

How it works: one regex scans the prepped text for date *atoms* (an explicit date, a bare day, a
relative word, a weekday, a period such as สัปดาห์หน้า), in order. Atoms are then combined: a weekday
right before an explicit date is only a prefix (วันพฤหัสบดีที่ 25 ต.ค. 61), two atoms joined by
-, ถึง, จนถึง or "to" are a range, and a range end lends its month and year to its start
(29-31 ม.ค. 63, 30 ธ.ค. - 2 ม.ค. 2570).

Conventions (issue 3):
- a four-digit year >= 2400 is Buddhist Era; two digits are BE 25xx (63 -> 2020); ค.ศ. or a four-digit
  year below 2400 is Western;
- without a year: the next occurrence on or after today (prefer="future") or the last on or before
  (prefer="past"); for a range the end decides under "future" (an event still running is this year's)
  and the start under "past";
- <weekday>นี้ is that day of the current Monday-Sunday week, หน้า of next week, ที่แล้ว of last week;
  a bare weekday follows `prefer`. "อาทิตย์หน้า"/"อาทิตย์นี้" without วัน means the week (as in speech);
  "วันอาทิตย์หน้า" is the Sunday;
- impossible dates give None, never a nearby date.
"""
from __future__ import annotations

import calendar
import re
from datetime import date, datetime, time, timedelta
from typing import Literal

from .textnorm import prep

Prefer = Literal["future", "past"]

# ---------------------------------------------------------------------------------------------- months
_MONTH_WORDS: dict[int, list[str]] = {
    1: ["มกราคม", "มกรา", "มกรคม", "january", "jan"],
    2: ["กุมภาพันธ์", "กุมภาพันธ", "กุมพาพันธ์", "กุมภา", "กุมภาพัน", "february", "feb"],
    3: ["มีนาคม", "มีนา", "march", "mar"],
    4: ["เมษายน", "เมษา", "เมษายณ", "april", "apr"],
    5: ["พฤษภาคม", "พฤษภา", "พฤศภาคม", "พฤษภาคมม", "may"],
    6: ["มิถุนายน", "มิถุนา", "มิถุนายณ", "june", "jun"],
    7: ["กรกฎาคม", "กรกฏาคม", "กรกฎา", "กรกฏา", "กรกดาคม", "july", "jul"],
    8: ["สิงหาคม", "สิงหา", "สิงห", "august", "aug"],
    9: ["กันยายน", "กันยา", "กันยายณ", "september", "sept", "sep"],
    10: ["ตุลาคม", "ตุลา", "october", "oct"],
    11: ["พฤศจิกายน", "พฤศจิกา", "พฤศจิ", "พฤษจิกายน", "november", "nov"],
    12: ["ธันวาคม", "ธันวา", "december", "dec"],
}
# Abbreviations, written with all, some or none of their dots: ม.ค. / ม.ค / มค. / มค
_MONTH_ABBR = {1: "ม ค", 2: "ก พ", 3: "มี ค", 4: "เม ย", 5: "พ ค", 6: "มิ ย", 7: "ก ค", 8: "ส ค", 9: "ก ย",
               10: "ต ค", 11: "พ ย", 12: "ธ ค"}

MONTH_LOOKUP: dict[str, int] = {}
for _m, _ws in _MONTH_WORDS.items():
    for _w in _ws:
        MONTH_LOOKUP[_w] = _m
for _m, _a in _MONTH_ABBR.items():
    MONTH_LOOKUP[_a.replace(" ", "")] = _m

_pieces = []
_ABBR_KEYS = {a.replace(" ", "") for a in _MONTH_ABBR.values()}
for _w in sorted(MONTH_LOOKUP, key=len, reverse=True):
    if _w.isascii() or _w in _ABBR_KEYS:
        continue
    _pieces.append(re.escape(_w))
_abbr = []
for _a in _MONTH_ABBR.values():
    x, y = _a.split()
    # dotted (at least one dot) may be followed by anything; undotted must not run into a Thai word
    # ("3 มีคนมา" is not 3 March).
    _abbr.append(f"{x}\\.\\s?{y}\\.?|{x}\\s?{y}\\.|{x}{y}(?![ก-๛])")
_en = sorted((w for w in MONTH_LOOKUP if w.isascii()), key=len, reverse=True)
MONTH_TH = "(?:" + "|".join(_pieces) + ")(?![\u0e30-\u0e3a\u0e45\u0e47-\u0e4e])|" + "|".join(_abbr)
MONTH_EN = "(?<![a-z])(?:" + "|".join(_en) + r")\.?(?![a-z])"
MONTH = f"(?:{MONTH_TH}|{MONTH_EN})"

_WD_FULL = {
    0: ["จันทร์", "monday", "mon"], 1: ["อังคาร", "tuesday", "tues", "tue"],
    2: ["พุธ", "wednesday", "wed"], 3: ["พฤหัสบดี", "พฤหัสฯ", "พฤหัส", "thursday", "thurs", "thur", "thu"],
    4: ["ศุกร์", "friday", "fri"], 5: ["เสาร์", "saturday", "sat"], 6: ["อาทิตย์", "sunday", "sun"],
}
# Short or misspelled forms only count after "วัน" (จัน could be จันทบุรี, เสา is a pole).
_WD_SHORT = {0: ["จันท์", "จัน"], 1: ["อังคาน"], 2: ["พุท"], 3: ["พฤหัด", "พฤ"], 4: ["ศุก"], 5: ["เสา"],
             6: ["อาทิต", "อาทิด"]}
WD_LOOKUP: dict[str, int] = {}
for _d, _ws in list(_WD_FULL.items()) + list(_WD_SHORT.items()):
    for _w in _ws:
        WD_LOOKUP[_w] = _d
_WD_ALL = "|".join(re.escape(w) for w in sorted(WD_LOOKUP, key=len, reverse=True))
_WD_BARE = "|".join(
    re.escape(w) for w in sorted((w for ws in _WD_FULL.values() for w in ws), key=len, reverse=True)
)

# 'ที่' opens a day only as a word of its own: 'พื้นที่ 3', 'ครั้งที่ 2' and 'รุ่นที่ 5' are no dates.
# After a weekday name it still does (ศุกร์ที่ 29, อังคารที่ 3, พุธที่ 5): those end in ์ ร ธ ี ส ต.
_TI = r"(?:(?<![ก-ฮ\u0e30-\u0e4e])|(?<=[์รธีสตฯ]))ที่"
_DAY = r"(?<![\d.,:/])(?:วันที่|วันที|" + _TI + r"|วัน)?\s*(?P<{n}>[0-3]?\d)(?:st|nd|rd|th)?(?!\d)"
# A number after a month is not its year when a unit follows ('1 ธ.ค. 10 คน'); 'วัน' only counts as a
# unit on its own: '5 ธ.ค. 68 วันพ่อ' has the year 68.
_NOT_TIME = r"(?![^\S\n]*(?:โมง|นาฬิกา|น\.|ทุ่ม|นาที|ชั่วโมง|ชม|คน|ท่าน|ราย|บาท|วัน(?![ก-ฮ])|ปี|%))"
_YEAR = (
    r"(?:\s*,?\s*(?:(?P<{e}>พ\.?\s?ศ\.?|ค\.?\s?ศ\.?|ปี|b\.?e\.?|a\.?d\.?|c\.?e\.?)\s*)?"
    r"(?P<{y}>\d{{4}}|\d{{2}})(?!\d)(?![.:]\d)" + _NOT_TIME + ")?"
)
_NUMWORD = r"(?:\d{1,3}|[หนึ่งสองามีห้ากเจ็ดแปดก้าสิบยี่เอ็ดร้อยครึ่ง]{1,30}?)"
_UNIT = r"(?P<{u}>วัน|สัปดาห์|สัปดา|อาทิตย์|อาทิต|อาทิด|อาทืตย์|เดือน|ปี|days?|weeks?|months?|years?)"

# Every atom starts with one of these characters; checking that first is ~3x faster than letting
# the engine try all alternatives at every position of a long report message.
_FIRST = "(?=[0-9a-zวทพมเอใสปจศหแยรคกตธ])"
_ATOM = re.compile(
    _FIRST + "(?:" + "|".join(
        [
            # ISO yyyy-mm-dd (also BE: 2563-03-01)
            r"(?P<iso>(?<!\d)(?P<iy>\d{4})\s*[-/]\s*(?P<im>[01]?\d)\s*[-/]\s*(?P<id>[0-3]?\d)(?!\d))",
            # d/m[/y], d-m-y, d.m.y (- and . need the year: 1-3 is a day range, 9.30 a time)
            r"(?P<num>" + _DAY.format(n="nd") + r"\s*(?:/\s*(?P<nm>[01]?\d)(?!\d)(?:\s*/\s*(?P<ny>\d{4}|\d{2})(?!\d))?"
            r"|(?P<nsep>[-.])\s*(?P<nm2>[01]?\d)\s*(?P=nsep)\s*(?P<ny2>\d{4}|\d{2})(?!\d)))",
            # d month [year]
            r"(?P<dm>" + _DAY.format(n="dd") + r"\s*(?:[-/.]\s*)?(?:เดือน\s*)?(?P<dmon>" + MONTH + ")"
            + _YEAR.format(e="de", y="dy") + ")",
            # English month-first: Oct 25, 2018
            r"(?P<md>(?P<mmon>" + MONTH_EN + r")\s*(?P<md_d>[0-3]?\d)(?:st|nd|rd|th)?(?!\d)(?:\s*,?\s*(?P<my>\d{4})(?!\d))?)",
            # Thai month-first, as web pages and Facebook print dates: มีนาคม 14, 2026 (the comma and the
            # year are required: 'มีนาคม 14 คน' is no date)
            r"(?P<tmd>(?:เดือน\s*)?(?P<tmon>" + MONTH_TH + r")\s*(?P<tmd_d>[0-3]?\d)(?!\d)\s*,\s*(?P<tmy>\d{4})(?!\d))",
            # weekends: เสาร์อาทิตย์ที่แล้ว, เสาร์-อาทิตย์นี้, ส-อา หน้า, สุดสัปดาห์นี้
            r"(?P<we>(?:(?:วัน)?เสาร์\s*(?:-|และ|กับ|,|/)?\s*(?:วัน)?(?:อาทิตย์|อาทิต|อา(?:\.|(?![ก-ฮ\u0e30-\u0e4e])))|ส\.?\s*-\s*อา\.?"
            r"|สุดสัปดาห์|weekend)(?:\s*(?P<weq>นี้|หน้า|ถัดไป|ที่แล้ว|ที่ผ่านมา|ก่อน))?)",
            # N days/weeks ago
            r"(?P<ago>(?P<agon>" + _NUMWORD + r")\s*" + _UNIT.format(u="agou")
            + r"\s*(?:ก่อน|ที่แล้ว|ที่ผ่านมา|ago))",
            # in N days/weeks
            r"(?P<inn>(?:อีก|ใน|in)\s*(?P<innn>" + _NUMWORD + r")\s*" + _UNIT.format(u="innu") + ")",
            r"(?P<innn2>(?P<in2n>" + _NUMWORD + r")\s*" + _UNIT.format(u="in2u") + r"\s*(?:ข้างหน้า|ถัดไป|จากนี้))",
            # single-word relatives
            r"(?P<rel>วันนี้|วันนี|today|พรุ่งนี้|พรุ้งนี้|พรุ่งนี|พุ่งนี้|พรุงนี้|tomorrow|tmr|tmrw"
            r"|(?:วัน)?มะรืน(?:นี้)?|เมื่อวานซืน|วานซืน|เมื่อวาน(?:นี้)?|เมื่อวันวาน|yesterday)",
            # periods: this/next/last week, month, year
            r"(?P<per>(?P<peru>สัปดาห์|สัปดา|อาทิตย์|อาทิต|เดือน|ปี)\s*(?P<perq>นี้|หน้า|ถัดไป|ที่แล้ว|ที่ผ่านมา|ก่อน))",
            r"(?P<eper>(?P<eperq>this|next|last)\s+(?P<eperu>week|month|year)(?![a-z]))",
            # weekdays, with "วัน" or a qualifier
            # A bare weekday must stand alone: 'เสาร์อาสา' is a name, 'เสาร์นี้', 'อาทิตย์ที่ 29', 'ศุกร์ค่ะ' are days.
            r"(?P<wd>(?:(?P<wdwan>วัน)\s*(?P<wdn>" + _WD_ALL + r")|(?P<wdb>" + _WD_BARE + r")(?![a-z])"
            r"(?:(?![ก-ฮ])|(?=\s*(?:สัปดาห์|อาทิตย์|อาทิต)?\s*(?:นี้|หน้า|ถัดไป|ที่|ก่อน|ถึง|ค่ะ|คะ|ครับ|คับ|นะ|จ้า|ค่า))))"
            r"(?:\s*(?:(?:สัปดาห์|อาทิตย์|อาทิต)\s*)?(?P<wdq>นี้|หน้า|ถัดไป|ที่แล้ว|ที่ผ่านมา|ก่อน))?)",
            r"(?P<ewd>(?P<ewdq>this|next|last)\s+(?P<ewdn>" + _WD_BARE + r")(?![a-z]))",
            # a bare day: the start of a range (29-31 ม.ค.) or 'วันที่ 15 [เดือนหน้า]'
            r"(?P<day>(?<![\d.,:/])(?P<dayp>วันที่|วันที|" + _TI + r")?\s*(?P<dd2>[0-3]?\d)(?!\d)(?!\s*[.:]\s*\d)"
            r"(?:\s*(?P<daym>เดือนนี้|เดือนหน้า|เดือนที่แล้ว|เดือนก่อน|ที่ผ่านมา|ที่แล้ว))?)",
        ]
    )
    + ")"
)
# 'และ'/'กับ' join two days of one activity (9 และ 10 พ.ย.): read as its first and last day.
_RANGE_SEP = re.compile(r"\s*(?:-|~|ถึง|จนถึง|จน|to|until|till|through|thru|และ|กับ|&)\s*(?:วันที่|วัน)?\s*$")
_PERIOD_GAP = re.compile(r"^[\s,]*$")
_EVERY = re.compile(r"ทุก\s*$")
_NEGATED = re.compile(r"ไม่ใช่\s*(?:วันที่|วัน|เมื่อ)?\s*$")
_PREFIX_GAP = re.compile(r"^[\s,]*(?:ที่)?[\s,]*$")

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


_Q_THIS = ("นี้", "this")
_Q_NEXT = ("หน้า", "ถัดไป", "next")
_Q_LAST = ("ที่แล้ว", "ที่ผ่านมา", "ก่อน", "last")


class _Atom:
    """One date expression found in the text. `parts` is (d, m, y) with None for what was not typed;
    `value` is a concrete date for relative words and weekdays; `period` a (start, end) pair."""

    __slots__ = ("start", "end", "kind", "parts", "value", "period", "strong", "invalid", "passed")

    def __init__(self, start, end, kind, parts=None, value=None, period=None, strong=True, invalid=False,
                 passed=False):
        self.start, self.end, self.kind = start, end, kind
        self.parts, self.value, self.period = parts, value, period
        self.strong, self.invalid = strong, invalid
        self.passed = passed  # 'ที่ผ่านมา': the most recent such day before today


def _scan(t: str, today: date, prefer: Prefer) -> list[_Atom]:
    atoms: list[_Atom] = []
    for m in _ATOM.finditer(t):
        g = m.group
        s, e = m.start(), m.end()
        kind = m.lastgroup
        # lastgroup is the last *closed* group, which is an inner one; find the outer alternative.
        if g("iso"):
            y = _year(g("iy"), None)
            atoms.append(_Atom(s, e, "date", (int(g("id")), int(g("im")), y), invalid=y == -1))
        elif g("num"):
            mo = g("nm") or g("nm2")
            yr = g("ny") or g("ny2")
            y = _year(yr, None)
            atoms.append(_Atom(s, e, "date", (int(g("nd")), int(mo), y), invalid=y == -1))
        elif g("dm"):
            mon = MONTH_LOOKUP.get(re.sub(r"[.\s]", "", g("dmon")))
            y = _year(g("dy"), g("de"))
            if mon is None:
                continue
            atoms.append(_Atom(s, e, "date", (int(g("dd")), mon, y), invalid=y == -1))
        elif g("md"):
            mon = MONTH_LOOKUP.get(re.sub(r"[.\s]", "", g("mmon")))
            y = _year(g("my"), "ad") if g("my") else None
            if mon is None:
                continue
            atoms.append(_Atom(s, e, "date", (int(g("md_d")), mon, y), invalid=y == -1))
        elif g("tmd"):
            mon = MONTH_LOOKUP.get(re.sub(r"[.\s]", "", g("tmon")))
            y = _year(g("tmy"), None)
            if mon is None:
                continue
            atoms.append(_Atom(s, e, "date", (int(g("tmd_d")), mon, y), invalid=y == -1))
        elif g("we"):
            atoms.append(_Atom(s, e, "range", period=_weekend(g("weq"), today, prefer)))
        elif g("ago") or g("inn") or g("innn2"):
            if g("ago"):
                n, u, sign = _count(g("agon")), g("agou"), -1
            elif g("inn"):
                n, u, sign = _count(g("innn")), g("innu"), 1
            else:
                n, u, sign = _count(g("in2n")), g("in2u"), 1
            if n is None:
                continue
            if u.startswith(("วัน", "day")):
                v = today + timedelta(days=sign * n)
            elif u.startswith(("เดือน", "month")):
                v = _add_months(today, sign * n)
            elif u.startswith(("ปี", "year")):
                v = _add_months(today, sign * 12 * n)
            else:
                v = today + timedelta(days=sign * 7 * n)
            atoms.append(_Atom(s, e, "rel", value=v))
        elif g("rel"):
            w = g("rel")
            if w.startswith(("วันนี", "today")):
                v = today
            elif "มะรืน" in w:
                v = today + timedelta(days=2)
            elif "ซืน" in w:
                v = today - timedelta(days=2)
            elif "วาน" in w or w == "yesterday":
                v = today - timedelta(days=1)
            else:
                v = today + timedelta(days=1)
            atoms.append(_Atom(s, e, "rel", value=v))
        elif g("per") or g("eper"):
            u = g("peru") or g("eperu")
            q = g("perq") or g("eperq")
            step = 1 if q in _Q_NEXT else (-1 if q in _Q_LAST else 0)
            if u.startswith(("เดือน", "month")):
                first = _add_months(today.replace(day=1), step)
                period = (first, first.replace(day=calendar.monthrange(first.year, first.month)[1]))
            elif u.startswith(("ปี", "year")):
                period = (date(today.year + step, 1, 1), date(today.year + step, 12, 31))
            else:
                mon = _monday(today) + timedelta(days=7 * step)
                period = (mon, mon + timedelta(days=6))
            atoms.append(_Atom(s, e, "period", period=period))
        elif g("wd") or g("ewd"):
            name = g("wdn") or g("wdb") or g("ewdn")
            q = g("wdq") or g("ewdq")
            wdi = WD_LOOKUP.get(name)
            if wdi is None:
                continue
            if q == "ที่ผ่านมา":  # the most recent one before today: วันอังคารที่ผ่านมา said on Wednesday
                v = today - timedelta(days=(today.weekday() - wdi - 1) % 7 + 1)
            elif q:
                step = 1 if q in _Q_NEXT else (-1 if q in _Q_LAST else 0)
                v = _monday(today) + timedelta(days=7 * step + wdi)
            else:
                delta = (wdi - today.weekday()) % 7
                v = today + timedelta(days=delta) if prefer != "past" else today - timedelta(
                    days=(today.weekday() - wdi) % 7)
            atoms.append(_Atom(s, e, "wd", value=v))
        elif g("day"):
            d = int(g("dd2"))
            mq = g("daym")
            if mq in ("ที่ผ่านมา", "ที่แล้ว"):
                atoms.append(_Atom(s, e, "day", (d, None, None), passed=True))
            elif mq:
                step = 1 if mq.endswith("หน้า") else (-1 if mq.endswith(("แล้ว", "ก่อน")) else 0)
                first = _add_months(today.replace(day=1), step)
                atoms.append(_Atom(s, e, "date", (d, first.month, first.year)))
            else:
                atoms.append(_Atom(s, e, "day", (d, None, None), strong=bool(g("dayp"))))
        del kind
    return atoms


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


def _single(a: _Atom, today: date, prefer: Prefer) -> date | None:
    if a.value is not None:
        return a.value
    if a.invalid:
        return None
    d, m, y = a.parts
    if a.passed:
        r = _resolve_passed(d, d, today)
        return r[0] if r else None
    if m is None:
        return _resolve_day_only(d, today, prefer)
    if y is not None:
        return _mk(y, m, d)
    return _infer_year(m, d, today, prefer)


def _pair(a: _Atom, b: _Atom, today: date, prefer: Prefer) -> tuple[date, date] | None:
    """Resolve a range start `a` and end `b`, sharing month and year between them."""
    if a.invalid or b.invalid:
        return None
    if a.value is not None and b.value is not None:
        return a.value, b.value
    if a.value is not None:  # พรุ่งนี้ ถึง 5 ธ.ค.
        d, m, y = b.parts
        if m is None:
            m, y = a.value.month, a.value.year
            end = _mk(y, m, d)
            if end is not None and end < a.value:
                nm = _add_months(date(y, m, 1), 1)
                end = _mk(nm.year, nm.month, d)
        elif y is None:
            end = _mk(a.value.year, m, d)
            if end is not None and end < a.value:
                end = _mk(a.value.year + 1, m, d)
        else:
            end = _mk(y, m, d)
        return (a.value, end) if end else None
    if b.value is not None:  # 3 ธ.ค. ถึงวันศุกร์
        d, m, y = a.parts
        if m is None:
            m, y = b.value.month, b.value.year
        if y is None:
            y = b.value.year if (m, d) <= (b.value.month, b.value.day) else b.value.year - 1
        start = _mk(y, m, d)
        return (start, b.value) if start else None
    d1, m1, y1 = a.parts
    d2, m2, y2 = b.parts
    if m1 is None and m2 is None:
        return None
    if m1 is None:
        m1 = m2
    if m2 is None:
        m2 = m1
        y2 = y2 if y2 is not None else y1
    if y1 is None and y2 is not None:
        y1 = y2 - 1 if m1 > m2 else y2
    elif y2 is None and y1 is not None:
        y2 = y1 + 1 if m2 < m1 else y1
    elif y1 is None and y2 is None:
        cross = 1 if m1 > m2 else 0
        years = (today.year - 1, today.year, today.year + 1)
        if prefer == "past":
            years = tuple(reversed(years))
        for y in years:
            s, e = _mk(y - cross, m1, d1), _mk(y, m2, d2)
            if s is None or e is None:
                continue
            if (prefer == "past" and s <= today) or (prefer != "past" and e >= today):
                y1, y2 = y - cross, y
                break
        else:
            return None
    s, e = _mk(y1, m1, d1), _mk(y2, m2, d2)
    if s is None or e is None:
        return None
    return s, e


def _within(period: _Atom, b: _Atom | None, t: str) -> date | None:
    """The weekday or day `b` inside the week or month `period` right before it, or None."""
    if b is None or not _PERIOD_GAP.match(_gap(t, period, b)):
        return None
    first, last = period.period
    if b.kind == "wd" and b.value is not None and (last - first).days == 6:
        return first + timedelta(days=b.value.weekday())
    if b.kind == "day" and not b.passed and (last - first).days >= 27:
        return _mk(first.year, first.month, b.parts[0])
    return None


def _gap(t: str, a: _Atom, b: _Atom) -> str:
    return t[a.end: b.start]


def find_date_range(t: str, today: date, prefer: Prefer, allow_period: bool = True):
    """(start, end, span_start, span_end) of the first date expression in prepped text, or None.

    A range is only reported when the text joins two atoms with a range word; the span lets
    callers (datetime ranges, report extraction) look at the rest of the text.
    """
    atoms = _scan(t, today, prefer)
    # Drop weekday prefixes of explicit dates, then weak bare days that start no range.
    kept: list[_Atom] = []
    # 'ทุกวันเสาร์' is a habit, not a date; in 'ไม่ใช่เมื่อวาน เมื่อวันศุกร์' the negated date is the wrong one.
    atoms = [a for i, a in enumerate(atoms)
             if not (a.kind == "wd" and _EVERY.search(t, max(0, a.start - 6), a.start))
             and not (i + 1 < len(atoms) and _NEGATED.search(t, max(0, a.start - 12), a.start))]
    for i, a in enumerate(atoms):
        nxt = atoms[i + 1] if i + 1 < len(atoms) else None
        after = atoms[i + 2] if i + 2 < len(atoms) else None
        # 'เสาร์ 28 - อาทิตย์ 29 พ.ย.': a bare day after a weekday counts when it starts a range
        starts_range = (nxt is not None and nxt.kind == "day" and after is not None
                        and bool(_RANGE_SEP.match(_gap(t, nxt, after))))
        if a.kind == "wd" and nxt is not None and nxt.kind in ("date", "day") and (
            nxt.kind == "date" or nxt.strong or starts_range) and _PREFIX_GAP.match(_gap(t, a, nxt)):
            nxt.start = a.start  # the weekday belongs to the date: 'ถึงวันอาทิตย์ที่ 31' joins a range
            continue
        kept.append(a)
    for i, a in enumerate(kept):
        if a.kind == "range":
            return a.period[0], a.period[1], a.start, a.end
        if a.kind == "period":
            nxt = kept[i + 1] if i + 1 < len(kept) else None
            inside = _within(a, nxt, t)
            if inside is not None:  # 'สัปดาห์ที่แล้ว วันพฤหัส', 'เดือนที่แล้ว วันที่ 15'
                return inside, inside, a.start, nxt.end  # type: ignore[union-attr]
            if allow_period:
                return a.period[0], a.period[1], a.start, a.end
            continue
        nxt = kept[i + 1] if i + 1 < len(kept) else None
        if nxt is not None and nxt.kind not in ("period", "range"):
            gap = _gap(t, a, nxt)
            # Joined by a range word (an empty gap, as in '1 3 ธ.ค.', is not a range), and at least
            # one side must carry a month: '1 ถึง 3' alone is not a date.
            if (gap.strip() and _RANGE_SEP.match(gap) and a.kind == "day" and nxt.kind == "day" and nxt.passed
                    and not a.passed):
                r = _resolve_passed(a.parts[0], nxt.parts[0], today)
                if r is None:
                    return None
                return r[0], r[1], a.start, nxt.end
            if gap.strip() and _RANGE_SEP.match(gap) and not (a.kind == "day" and nxt.kind == "day"):
                r = _pair(a, nxt, today, prefer)
                if r is None or r[1] < r[0]:
                    return None
                return r[0], r[1], a.start, nxt.end
        if a.kind == "day" and not a.strong:
            continue
        d = _single(a, today, prefer)
        if d is None:
            return None
        return d, d, a.start, a.end
    return None


def parse_date(text: str, *, today: date, prefer: Prefer = "future") -> date | None:
    """The first date in the text ('นัดวันที่ 3 มี.ค. 2564 นะคะ' -> 2021-03-03), or None.

    For a range the start is returned. Vague periods alone (สัปดาห์หน้า, เดือนหน้า) are not one date:
    None; use parse_date_range for them.
    """
    try:
        r = find_date_range(prep(text), today, prefer, allow_period=False)
    except Exception:
        return None
    return r[0] if r else None


def parse_date_range(text: str, *, today: date, prefer: Prefer = "future") -> tuple[date, date] | None:
    """(start, end) of the first date or date range; a single date gives (d, d).

    '29-31 มกราคม 2563', '29 ม.ค. - 2 ก.พ. 63', '30 ธ.ค. 2569 - 2 ม.ค. 2570', '1 ถึง 3 ธ.ค. 69',
    'ตั้งแต่ 1/12/63 ถึง 3/12/63', 'สัปดาห์หน้า' (Monday-Sunday), 'เดือนหน้า'. An end before the start
    gives None.
    """
    try:
        r = find_date_range(prep(text), today, prefer)
    except Exception:
        return None
    return (r[0], r[1]) if r else None


_DEFAULT_START = time(9, 0)
_DEFAULT_END = time(16, 0)


def parse_datetime_range(text: str, *, today: date, prefer: Prefer = "future") -> tuple[datetime, datetime] | None:
    """(start, end) naive local datetimes for an event: '29-31 ม.ค. 70 09.00-16.00 น.'.

    Times are looked for outside the date expression. Defaults, stated here because forms rely on
    them: no time given -> 09:00 to 16:00 (a Thai office day); one time given -> it starts then and
    ends at 16:00, or at that same time if it is 16:00 or later; two or more -> the first two.
    An end not after... before the start gives None.
    """
    from .times import find_times

    try:
        t = prep(text)
        r = find_date_range(t, today, prefer)
        if r is None:
            return None
        ds, de, s, e = r
        masked = t[:s] + " " * (e - s) + t[e:]
        times = [tm for _a, _b, tm in find_times(masked)][:2]
        if not times:
            st, et = _DEFAULT_START, _DEFAULT_END
        elif len(times) == 1:
            st = times[0]
            et = max(st, _DEFAULT_END)
        else:
            st, et = times
        start, end = datetime.combine(ds, st), datetime.combine(de, et)
        if end < start:
            return None
        return start, end
    except Exception:
        return None
