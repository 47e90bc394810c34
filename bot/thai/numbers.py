"""Quantities as people type them: 15,000 / ๑๕๐๐๐ / หมื่นห้า / 1.5 หมื่น / 2 พันห้า / ร้อยกว่าคน.

PyThaiNLP's text_to_num misreads the colloquial forms and raises on some inputs, so the reading is done
here with a small left-to-right evaluator over digit and word tokens.
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from .textnorm import prep

_DIGITS = {
    "ศูนย์": 0, "หนึ่ง": 1, "สอง": 2, "สาม": 3, "สี่": 4, "ห้า": 5, "หก": 6, "เจ็ด": 7, "แปด": 8, "เก้า": 9,
}
_MULTS = {"สิบ": 10, "ร้อย": 100, "พัน": 1000, "หมื่น": 10_000, "แสน": 100_000, "ล้าน": 1_000_000}
_WORDS = sorted([*_DIGITS, *_MULTS, "เอ็ด", "ยี่", "ครึ่ง"], key=len, reverse=True)

# A digit number may not start inside another number (the '5' of '1.5' or of '15').
_RE_TOKEN = re.compile(
    r"(?P<d>(?<![\d.])\d+(?:\.\d+)?)|(?P<w>" + "|".join(_WORDS) + r")|(?P<k>(?<=\d)k(?![a-z]))"
)
_RE_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")

# Everyday words that contain a number word: blank them out so 'เรียบร้อย' is not 100 and 'สามารถ'
# is not 3. Also month names (กุมภาพันธ์ holds พัน).
_FALSE_WORDS = [
    "เรียบร้อย", "สามารถ", "สามี", "ห้าง", "ห้าม", "หกล้ม", "เก้าอี้", "ยี่ห้อ", "พันธ์", "พันธุ์", "พันธ",
    "แสนดี", "ล้านนา", "ผูกพัน", "สัมพัน", "ร้อยเรียง", "ร้อยละ", "ห้าว", "สิบทิศ", "พันเอก", "พันโท", "พันตรี",
]
_RE_FALSE = re.compile("|".join(sorted(_FALSE_WORDS, key=len, reverse=True)))
# A number word followed by a vowel or mark is the start of a longer word (สามี, ห้าม is caught above).
_RE_MARK = re.compile(r"[\u0e30-\u0e3a\u0e45\u0e47-\u0e4e]")


def _blank(m: re.Match) -> str:
    return "\x00" * len(m.group())


def _prepare(t: str) -> str:
    t = _RE_THOUSANDS.sub("", t) if "," in t else t
    # Keep positions stable (callers use spans) except for removed thousands commas.
    return _RE_FALSE.sub(_blank, t)


def _tokens(t: str) -> list[tuple[int, int, str, str]]:
    out = []
    for m in _RE_TOKEN.finditer(t):
        kind = m.lastgroup
        text = m.group()
        if kind == "w":
            nxt = t[m.end(): m.end() + 1]
            if nxt and _RE_MARK.match(nxt):
                continue
        out.append((m.start(), m.end(), kind, text))
    return out


def _groups(t: str, toks):
    """Split tokens into runs separated by nothing but (at most two) spaces."""
    run: list = []
    for tok in toks:
        if run:
            gap = t[run[-1][1]: tok[0]]
            if not (gap == "" or (gap.isspace() and len(gap) <= 2)):
                yield run
                run = []
        run.append(tok)
    if run:
        yield run


def _evaluate(run) -> tuple[Decimal | None, int]:
    """Value of the longest valid prefix of a token run, and how many tokens it used."""
    total = Decimal(0)
    group = Decimal(0)
    pending: Decimal | None = None
    pending_word_digit = False   # pending is a small number right after a multiplier: หมื่นห้า
    last_mult: int | None = None
    prev = None                  # kind of the previous token: 'num', 'mult', 'yi', 'half'
    used = 0
    seen_value = False
    for i, (_s, _e, kind, text) in enumerate(run):
        if kind == "d" or (kind == "w" and text in _DIGITS):
            if pending is not None or prev in ("yi", "half", "ed"):
                break
            try:
                val = Decimal(text) if kind == "d" else Decimal(_DIGITS[text])
            except InvalidOperation:
                break
            # After a multiplier only a smaller number may follow (2 แสน 5 หมื่น, 1 ร้อย 20, หมื่นห้า);
            # "ร้อย 110" is two quantities.
            if prev == "mult" and last_mult is not None and val >= min(last_mult, 1000):
                break
            pending = val
            pending_word_digit = prev == "mult" and val < 10
            prev = "num"
        elif kind == "w" and text == "เอ็ด":
            if prev != "mult" or last_mult is None:
                break
            group += 1
            prev = "ed"
        elif kind == "w" and text == "ยี่":
            if pending is not None or prev == "yi":
                break
            prev = "yi"
        elif kind == "k":
            if prev != "num" or pending is None or pending_word_digit:
                break
            group += pending * 1000
            pending = None
            last_mult = 1000
            prev = "mult"
        elif kind == "w" and text == "ครึ่ง":
            if prev != "mult" or last_mult is None:
                break
            group += Decimal(last_mult) / 2
            prev = "half"
        elif kind == "w" and text in _MULTS:
            m = _MULTS[text]
            if m == 1_000_000:
                value = group + (pending or 0)
                if value == 0 and not seen_value:
                    value = Decimal(1)
                if value == 0:  # ล้านล้าน
                    total = (total or 1) * m
                else:
                    total += value * m
                group = Decimal(0)
                pending = None
                last_mult = m
                prev = "mult"
            else:
                if prev == "yi":
                    if m != 10:
                        break
                    pending = Decimal(2)
                if last_mult is not None and last_mult < 1_000_000 and m >= last_mult:
                    break
                group += (pending if pending is not None else Decimal(1)) * m
                pending = None
                pending_word_digit = False
                last_mult = m
                prev = "mult"
        else:  # pragma: no cover - every token kind is handled above
            break
        used = i + 1
        seen_value = True
    if used == 0 or prev == "yi":
        if prev == "yi" and used:
            used -= 1
        if used == 0:
            return None, 0
    if pending is not None:
        if pending_word_digit and last_mult is not None and last_mult >= 100:
            # Colloquial trailing digit: หมื่นห้า = 15,000, พันห้า = 1,500, 2 พันห้า = 2,500.
            group += pending * last_mult / 10
        else:
            group += pending
    return total + group, used


def _clean(value: Decimal) -> int | Decimal:
    if value == value.to_integral_value():
        return int(value)
    return value.normalize() if value.as_tuple().exponent < -6 else value


def find_numbers(t: str) -> list[tuple[int, int, Decimal]]:
    """All quantities in prepped text `t` as (start, end, value); spans refer to `_prepare(t)`.

    Callers that need spans must call `_prepare` themselves; this is internal to bot.thai.
    """
    out = []
    for run in _groups(t, _tokens(t)):
        while run:
            value, used = _evaluate(run)
            if used == 0:
                run = run[1:]
                continue
            out.append((run[0][0], run[used - 1][1], value))
            run = run[used:]
    return out


def parse_number(text: str) -> int | Decimal | None:
    """The first quantity in the text: int when whole, else Decimal; None when there is none.

    '1,500 คน' -> 1500, 'ประมาณ 1.5 หมื่น' -> 15000, 'หมื่นห้า' -> 15000, 'ร้อยกว่าคน' -> 100,
    'สามสิบห้า' -> 35, '2.5' -> Decimal('2.5'). Approximation words (ประมาณ, เกือบ, กว่า) are
    ignored: the stated number is returned. A digit after a multiplier is read colloquially
    (ร้อยห้า = 150), so 105 must be typed in digits.
    """
    try:
        t = _prepare(prep(text))
        for _s, _e, value in find_numbers(t):
            return _clean(value)
    except Exception:
        return None
    return None


_MONEY_AFTER = re.compile(r"\s*(?:บาท|บ\.|฿|thb|baht|bht|-\s*บาท|\.-)")
_MONEY_BEFORE = re.compile(
    r"(?:฿|thb|งบ(?:ประมาณ)?|ค่าใช้จ่าย|ใช้จ่าย|ราคา|เป็นเงิน|จำนวนเงิน|ยอด(?:เงิน)?|ใช้เงิน|ทุน)\s*(?:ทั้งหมด|ทั้งสิ้น|รวม|จำนวน|ประมาณ|:|=)?\s*$"
)
