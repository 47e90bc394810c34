"""Meaning-keeping properties (hypothesis, derandomized so every run tries the same examples): what a
phone adds while typing — polite particles, Thai digits, zero-width spaces — never changes what is read;
normalize is idempotent; what the bot displays (a formatted phone, a Thai or English date) reads back."""
from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.i18n import format_date, format_date_range
from bot.thai import (
    extract_report, format_phone, normalize, parse_date, parse_date_range, parse_money, parse_people,
    parse_phone, parse_yes_no,
)
from corpus_eval import load_cases

SETTINGS = settings(derandomize=True, max_examples=200, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
CASES = load_cases()
PARTICLES = ["ค่ะ", "ครับ", "นะคะ", "นะครับ", "ค่า", "คะ", "จ้า", "ครับผม", "ค่าาา", "ครับบบ", " ค่ะ", " นะคะ 🙏"]
THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
ZW = ["\u200b", "\u200c", "\u200d", "\ufeff"]


def reading(case, text):  # noqa: ANN001, ANN201
    """What bot.thai reads from `text` for the kind of answer `case` is."""
    if case.kind == "report":
        return extract_report(text, today=case.today)
    if case.kind == "date":
        return parse_date_range(text, today=case.today, prefer=case.prefer)
    if case.kind == "yesno":
        return parse_yes_no(text)
    if case.kind == "money":
        return parse_money(text)
    return parse_people(text)


def test_a_trailing_particle_changes_nothing():
    # every message of the corpus with every particle (checked exhaustively: it is cheap)
    changed = [(c.id, p) for c in CASES for p in PARTICLES if reading(c, c.text + p) != reading(c, c.text)]
    assert not changed


def test_thai_digits_read_like_arabic_ones():
    changed = [c.id for c in CASES if reading(c, c.text.translate(THAI_DIGITS)) != reading(c, c.text)]
    assert not changed


@SETTINGS
@given(st.sampled_from(CASES), st.lists(st.tuples(st.integers(0, 10_000), st.sampled_from(ZW)), max_size=6))
def test_zero_width_characters_change_nothing(case, inserts):
    text = case.text
    for pos, ch in inserts:
        p = pos % (len(text) + 1)
        text = text[:p] + ch + text[p:]
    assert reading(case, text) == reading(case, case.text)


THAI_TEXT = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0x0E01, max_codepoint=0x0E5B),
        st.sampled_from(list(" \n\t-–.,:0123456789abcABC๐๑๙") + ZW + ["\u00a0", "\u3000", "🙏"]),
    ),
    max_size=60,
)


@SETTINGS
@given(THAI_TEXT)
def test_normalize_is_idempotent(text):
    once = normalize(text)
    assert normalize(once) == once


MOBILE = st.from_regex(r"\A0[689][0-9]{8}\Z")
LANDLINE = st.from_regex(r"\A0(?:2|[3457][0-9])[0-9]{6,7}\Z").filter(lambda d: len(d) == 9)


@SETTINGS
@given(st.one_of(MOBILE, LANDLINE))
def test_a_formatted_phone_reads_back(digits):
    shown = format_phone(digits)
    assert parse_phone(shown) == digits
    assert parse_phone(f"เบอร์ {shown.translate(THAI_DIGITS)} ค่ะ") == digits


DATES = st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31))


@SETTINGS
@given(DATES, st.sampled_from(["th", "en"]), st.booleans())
def test_a_displayed_date_reads_back(d, locale, weekday):
    shown = format_date(d, locale, weekday=weekday)
    assert parse_date(shown, today=date(2026, 12, 2)) == d, shown


@SETTINGS
@given(DATES, st.integers(0, 40), st.sampled_from(["th", "en"]))
def test_a_displayed_date_range_reads_back(start, days, locale):
    end = start + timedelta(days=days)
    shown = format_date_range(start, end, locale)
    assert parse_date_range(shown, today=date(2026, 12, 2)) == (start, end), shown
