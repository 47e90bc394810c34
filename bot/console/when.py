"""Dates and times typed the way officers write them, shown back in Thai with the Buddhist-Era year.

Every date or time field of the console is a plain text field that takes what `bot.thai` reads in the chat
("15 ม.ค. 70", "พรุ่งนี้ 9 โมง", "15/1/2570 13.30", "2027-01-15T09:00"), instead of the browser's picker
(mm/dd/yyyy, AM/PM, Christian years). As the officer types, the page asks `GET /admin/when` and shows the
date it understood ("วันศุกร์ที่ 15 ม.ค. 2570 เวลา 09.00 น."); on submit the same functions read the field
again, and a field they cannot read gets a Thai error with examples.

Kinds of field (the template's ``data-when``):
- ``until``: a day that closes at its end — a registration deadline or a report's due date typed as
  15 Jan closes at 23:59 on 15 Jan (`bot.clock.end_of_day`);
- ``start`` / ``end``: an event's start and end; a day without a time means 09.00 / 16.00 (a Thai office day);
- ``at``: a broadcast's send time; the time must be typed.
"""
from __future__ import annotations

from datetime import date, datetime, time

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from bot import i18n
from bot.clock import clock, to_local
from bot.console.auth import Officer, current_officer

router = APIRouter()

KINDS = ("until", "start", "end", "at", "day")  # day: a past day to look from/to (report filters)
DEFAULT_TIME = {"start": time(9, 0), "end": time(16, 0)}
MAX_TYPED = 100


def read(text: str | None, *, today: date, prefer: str = "future") -> tuple[date, time | None] | None:
    """(the day, the time if one was typed) of a single date in `text`, or None. A range ("15-17 ม.ค.")
    is not one date: None."""
    from bot.thai.dates import find_date_range
    from bot.thai.textnorm import prep
    from bot.thai.times import find_times

    if not text or not text.strip() or len(text) > MAX_TYPED:
        return None
    try:
        t = prep(text)
        found = find_date_range(t, today, prefer, allow_period=False)
        if found is None or found[0] != found[1]:
            return None
        day, _end, s, e = found
        masked = t[:s] + " " * (e - s) + t[e:]
        times = [tm for _a, _b, tm in find_times(masked)]
    except Exception:  # bot.thai never raises on a str; this keeps a form answering if it ever did
        return None
    return day, (times[0] if times else None)


def parse_day(text: str | None, *, today: date) -> date | None:
    """The day typed in an ``until`` field (a time typed with it is ignored: the whole day counts)."""
    got = read(text, today=today)
    return got[0] if got else None


def parse_past_day(text: str | None, *, today: date) -> date | None:
    """The day typed in a ``day`` field (a filter over what happened): "1 ต.ค." is the last 1 October."""
    got = read(text, today=today, prefer="past")
    return got[0] if got else None


def parse_moment(text: str | None, kind: str, *, today: date) -> datetime | None:
    """The naive Bangkok datetime typed in a ``start``/``end``/``at`` field, or None (``at`` needs a time)."""
    got = read(text, today=today)
    if got is None:
        return None
    day, at = got
    if at is None:
        at = DEFAULT_TIME.get(kind)
        if at is None:
            return None
    return datetime.combine(day, at)


def shown_day(day: date, locale: str) -> str:
    """What an ``until`` field holds, as it is shown back in the field (and read again on submit)."""
    return i18n.format_date(day, locale)


def shown_moment(moment: datetime, locale: str) -> str:
    """What a ``start``/``end``/``at`` field holds (a naive local or aware datetime), as shown in the field."""
    local = to_local(moment) if moment.tzinfo else moment
    return f"{i18n.format_date(local.date(), locale)} {i18n.format_time(local, locale)}"


def echo(text: str | None, kind: str, locale: str, *, today: date) -> dict[str, object]:
    """What the page shows under the field: the date understood, in words, or how to type one."""
    if not (text or "").strip():
        return {"ok": False, "text": ""}
    if kind == "day":
        day = parse_past_day(text, today=today)
        if day is None:
            return {"ok": False, "text": i18n.t("console.when.unreadable", locale)}
        return {"ok": True, "text": i18n.format_date(day, locale, weekday=True)}
    if kind == "until":
        day = parse_day(text, today=today)
        if day is None:
            return {"ok": False, "text": i18n.t("console.when.unreadable", locale)}
        return {"ok": True, "text": i18n.t("console.when.until", locale, day=i18n.format_date(day, locale, weekday=True))}
    moment = parse_moment(text, kind, today=today)
    if moment is None:
        key = "console.when.need_time" if kind == "at" and read(text, today=today) else "console.when.unreadable"
        return {"ok": False, "text": i18n.t(key, locale)}
    return {"ok": True, "text": i18n.t("console.when.at", locale, day=i18n.format_date(moment.date(), locale, weekday=True),
                                       time=i18n.format_time(moment, locale))}


@router.get("/when")
def understood(request: Request, text: str = "", kind: str = "start",
               officer: Officer = Depends(current_officer)) -> JSONResponse:
    """The live echo of a date field, asked by console.js as the officer types (debounced)."""
    return JSONResponse(echo(text[:MAX_TYPED * 2], kind if kind in KINDS else "start", officer.locale,
                             today=clock.today()))
