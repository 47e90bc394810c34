"""Clock times: 09.00, 9:30 น., 14.30 น., 9 am, บ่ายโมง, บ่ายสองครึ่ง, สิบโมงเช้า, สองทุ่ม, เที่ยง.

Thai speech uses a six-hour clock: ตี 1-5 (01-05), N โมงเช้า (06-11), เที่ยง, บ่าย N (13-15),
N โมงเย็น (16-18), N ทุ่ม (19-23), เที่ยงคืน. A bare "N โมง" is read like speech: 1-5 are afternoon
(สามโมง = 15:00), 6-11 morning.
"""
from __future__ import annotations

import re
from datetime import time

from .textnorm import prep

_NUMW = {
    "หนึ่ง": 1, "สอง": 2, "สาม": 3, "สี่": 4, "ห้า": 5, "หก": 6, "เจ็ด": 7, "แปด": 8, "เก้า": 9, "สิบ": 10,
    "สิบเอ็ด": 11, "สิบสอง": 12, "เอ็ด": 1,
}
_N = r"(?:\d{1,2}|สิบเอ็ด|สิบสอง|หนึ่ง|สอง|สาม|สี่|ห้า|หก|เจ็ด|แปด|เก้า|สิบ)"

_RE_TIME = re.compile(
    r"""
    (?P<clock>(?<![\d.,:/])(?P<h>[0-2]?\d)\s*[.:]\s*(?P<m>[0-5]\d)(?![\d])(?:\s*(?P<ampm1>am|pm|a\.m\.|p\.m\.))?
        (?:\s*(?:น\.|นาฬิกา|น(?![ก-๎])))?)
  | (?P<hn>(?<![\d.,:/])(?P<h2>[0-2]?\d)\s*(?:(?P<ampm2>am|pm|a\.m\.|p\.m\.)|(?:น\.|นาฬิกา)))
  | (?P<tee>ตี\s*(?P<teen>""" + _N + r"""))
  | (?P<tiang>เที่ยง\s*คืน|เที่ยงวัน|เที่ยง|midnight|noon)
  | (?P<bai>บ่าย\s*(?P<bain>""" + _N + r""")?\s*(?:โมง)?)
  | (?P<tum>(?P<tumn>""" + _N + r""")\s*ทุ่ม)
  | (?P<mong>(?<![\d.,:/])(?P<mongn>""" + _N + r""")\s*โมง\s*(?P<part>เช้า|เย็น|บ่าย)?)
    """,
    re.X,
)
_RE_HALF = re.compile(r"\s*ครึ่ง")
_RE_MIN = re.compile(r"\s*(?P<n>\d{1,2}|สิบ|ยี่สิบ|สามสิบ|สี่สิบ|ห้าสิบ|สิบห้า|สี่สิบห้า)\s*นาที")
_MINW = {"สิบ": 10, "ยี่สิบ": 20, "สามสิบ": 30, "สี่สิบ": 40, "ห้าสิบ": 50, "สิบห้า": 15, "สี่สิบห้า": 45}


def _n(s: str | None) -> int | None:
    if s is None:
        return None
    s = s.strip()
    if s.isdigit():
        return int(s)
    return _NUMW.get(s)


def _ampm(h: int, ap: str | None) -> int | None:
    if ap is None:
        return h
    if not 1 <= h <= 12:
        return None
    pm = ap.startswith("p")
    return (h % 12) + (12 if pm else 0)


def find_times(t: str, pos: int = 0, endpos: int | None = None):
    """Yield (start, end, time) for each clock time in prepped text `t`."""
    endpos = len(t) if endpos is None else endpos
    for m in _RE_TIME.finditer(t, pos, endpos):
        h: int | None
        mi = 0
        g = m.group
        if g("clock"):
            h, mi = int(g("h")), int(g("m"))
            h = _ampm(h, g("ampm1"))
        elif g("hn"):
            h = _ampm(int(g("h2")), g("ampm2"))
        elif g("tee"):
            h = _n(g("teen"))
            if h is None or not 1 <= h <= 5:
                continue
        elif g("tiang"):
            h = 0 if ("คืน" in g("tiang") or g("tiang") == "midnight") else 12
        elif g("bai"):
            n = _n(g("bain"))
            if n is None:
                if "โมง" not in g("bai"):
                    continue  # "บ่าย" alone is an afternoon, not a time
                n = 1
            if not 1 <= n <= 6:
                continue
            h = 12 + n
        elif g("tum"):
            n = _n(g("tumn"))
            if n is None or not 1 <= n <= 5:
                continue
            h = 18 + n
        else:  # N โมง
            n = _n(g("mongn"))
            part = g("part")
            if n is None:
                continue
            if part == "เย็น":
                if not 1 <= n <= 7:
                    continue
                h = n + 12 if n <= 6 else n + 12
            elif part == "บ่าย":
                h = n + 12 if 1 <= n <= 6 else None
            elif part == "เช้า":
                # 6-11 โมงเช้า is that hour; old style 1-5 โมงเช้า counts from 06:00 (สองโมงเช้า = 08:00)
                h = n if 6 <= n <= 11 else (n + 6 if 1 <= n <= 5 else None)
            else:
                h = n + 12 if 1 <= n <= 5 else (n if 6 <= n <= 12 else None)
        end = m.end()
        if not g("clock"):
            mh = _RE_HALF.match(t, end)
            if mh:
                mi = 30
                end = mh.end()
            else:
                mm = _RE_MIN.match(t, end)
                if mm:
                    v = mm.group("n")
                    mi = int(v) if v.isdigit() else _MINW[v]
                    end = mm.end()
        if h is None or not 0 <= h <= 24 or not 0 <= mi <= 59:
            continue
        if h == 24:
            if mi:
                continue
            h = 0
        yield m.start(), end, time(h, mi)


def parse_time(text: str) -> time | None:
    """The first clock time in the text: '09.00', '9:30 น.', '14.30 น.', 'บ่ายโมง', 'สิบโมงเช้า'."""
    try:
        for _s, _e, tm in find_times(prep(text)):
            return tm
    except Exception:
        return None
    return None
