"""Translations and Thai date formatting.

Catalogs are gettext `.po` files, one per conversation, under ``locales/<lang>/LC_MESSAGES/``;
the msgid is a stable key (``signup.ask_name``) and the msgstr the text, with ``{name}``
placeholders filled by `str.format`. Thai is the default, English the second language.
"""
from __future__ import annotations

import logging
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

from babel.messages.pofile import read_po

from bot.clock import to_local

log = logging.getLogger(__name__)

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
LANGUAGES = ("th", "en")
DEFAULT_LOCALE = "th"

TH_MONTHS_SHORT = ("ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
                   "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.")
TH_MONTHS_FULL = ("มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน", "กรกฎาคม",
                  "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม")
TH_WEEKDAYS = ("จันทร์", "อังคาร", "พุธ", "พฤหัสบดี", "ศุกร์", "เสาร์", "อาทิตย์")
EN_MONTHS_SHORT = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")


@lru_cache
def catalog(locale: str) -> dict[str, str]:
    """All messages of one language, merged from every `.po` file of that language."""
    messages: dict[str, str] = {}
    folder = LOCALES_DIR / locale / "LC_MESSAGES"
    for po in sorted(folder.glob("*.po")):
        with po.open("rb") as fh:
            for msg in read_po(fh, locale=locale):
                if msg.id and msg.string:
                    if msg.id in messages:
                        log.warning("duplicate message key %s in %s", msg.id, po.name)
                    messages[str(msg.id)] = str(msg.string)
    return messages


def normalize_locale(locale: str | None) -> str:
    if locale and locale[:2].lower() in LANGUAGES:
        return locale[:2].lower()
    return DEFAULT_LOCALE


def has(key: str, locale: str = DEFAULT_LOCALE) -> bool:
    return key in catalog(normalize_locale(locale))


def t(key: str, locale: str | None = DEFAULT_LOCALE, /, **values: object) -> str:
    """The text for `key` in `locale`, with values filled in. Falls back to Thai, then the key."""
    loc = normalize_locale(locale)
    text = catalog(loc).get(key) or catalog(DEFAULT_LOCALE).get(key)
    if text is None:
        log.error("missing message key %s", key)
        return key
    if not values:
        return text
    try:
        return text.format(**values)
    except (KeyError, IndexError, ValueError):
        log.exception("bad placeholders for %s", key)
        return text


def thai_digits(text: str) -> str:
    return text.translate(_THAI_DIGITS)


def format_date(d: date | datetime | None, locale: str | None = DEFAULT_LOCALE, *, weekday: bool = False) -> str:
    """29 ม.ค. 2563 (Thai, Buddhist Era) or 29 Jan 2020 (English). Datetimes are shown in Bangkok time."""
    if d is None:
        return "-"
    if isinstance(d, datetime):
        d = to_local(d).date() if d.tzinfo else d.date()
    if normalize_locale(locale) == "en":
        text = f"{d.day} {EN_MONTHS_SHORT[d.month - 1]} {d.year}"
        return (d.strftime("%a ") + text) if weekday else text
    text = f"{d.day} {TH_MONTHS_SHORT[d.month - 1]} {d.year + 543}"
    return f"วัน{TH_WEEKDAYS[d.weekday()]}ที่ {text}" if weekday else text


def format_time(dt: datetime, locale: str | None = DEFAULT_LOCALE) -> str:
    local = to_local(dt) if dt.tzinfo else dt
    if normalize_locale(locale) == "en":
        return local.strftime("%H:%M")
    return local.strftime("%H.%M น.")


def format_datetime(dt: datetime | None, locale: str | None = DEFAULT_LOCALE) -> str:
    if dt is None:
        return "-"
    local = to_local(dt) if dt.tzinfo else dt
    return f"{format_date(local.date(), locale)} {format_time(local, locale)}"


def format_date_range(start: date, end: date, locale: str | None = DEFAULT_LOCALE) -> str:
    """29–31 ม.ค. 2563; 29 ม.ค. – 2 ก.พ. 2563; 30 ธ.ค. 2569 – 2 ม.ค. 2570."""
    if isinstance(start, datetime):
        start = to_local(start).date() if start.tzinfo else start.date()
    if isinstance(end, datetime):
        end = to_local(end).date() if end.tzinfo else end.date()
    if start == end:
        return format_date(start, locale)
    en = normalize_locale(locale) == "en"
    months = EN_MONTHS_SHORT if en else TH_MONTHS_SHORT
    year = (lambda y: y) if en else (lambda y: y + 543)
    if start.year == end.year and start.month == end.month:
        return f"{start.day}–{end.day} {months[end.month - 1]} {year(end.year)}"
    if start.year == end.year:
        return f"{start.day} {months[start.month - 1]} – {end.day} {months[end.month - 1]} {year(end.year)}"
    return f"{format_date(start, locale)} – {format_date(end, locale)}"


def format_number(n: object) -> str:
    try:
        value = float(n)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(n)
    return f"{value:,.0f}" if value == int(value) else f"{value:,.2f}"
