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

from .date_calendar import (
    _Q_LAST, _Q_NEXT, Prefer, _add_months, _count, _infer_year, _mk, _monday, _resolve_day_only, _resolve_passed,
    _weekend, _year,
)
from .date_patterns import (
    _ATOM, _EVERY, _NEGATED, _PERIOD_GAP, _PREFIX_GAP, _RANGE_SEP, _REPLACED, MONTH_LOOKUP, WD_LOOKUP,
)
from .textnorm import prep

__all__ = ["Prefer", "find_date_range", "parse_date", "parse_date_range", "parse_datetime_range"]


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
            if y is None and g("dthis"):  # '3 ธ.ค. นี้': this year's, even in a report
                y = today.year
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


def _replaced(t: str, a: _Atom, b: _Atom) -> bool:
    """'19 พ.ย. เป็น 20 พ.ย.': `a` is corrected to `b`. Only a full date or 'วันที่ N' replaces it
    ('1-3 ธ.ค. เป็น 3 วัน' is a length, '5 ธ.ค. เป็นวันพ่อ' a name)."""
    return (b.kind == "date" or (b.kind == "day" and b.strong)) and bool(_REPLACED.match(_gap(t, a, b)))


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
             if not (a.kind == "wd" and _EVERY.search(t, max(0, a.start - 12), a.start))
             and not (i + 1 < len(atoms) and _NEGATED.search(t, max(0, a.start - 12), a.start))
             and not (i + 1 < len(atoms) and _replaced(t, a, atoms[i + 1]))]
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
