"""Thai text understanding for typed answers: dates, times, numbers, money, yes/no, phones,
provinces, command keywords, organization names and activity-report fields.

Every public function is pure, offline, and never raises on a str: unreadable input gives None
(or an empty result), so handlers can always fall back to asking again with an example.
Call `warm_up()` at server start so no member pays for first-use setup.
"""
from __future__ import annotations

from .dates import parse_date, parse_date_range, parse_datetime_range
from .keywords import match_keyword
from .textnorm import normalize, strip_particles
from .counts import parse_money, parse_people
from .numbers import parse_number
from .orgs import fuzzy_key_score, fuzzy_org_score, org_name_key
from .phone import format_phone, parse_phone
from .provinces import match_province
from .report import ReportFields, extract_report
from .times import parse_time
from .yesno import parse_yes_no

__all__ = [
    "normalize", "strip_particles", "parse_date", "parse_date_range", "parse_datetime_range", "parse_time",
    "parse_number", "parse_money", "parse_people", "parse_yes_no", "parse_phone", "format_phone", "match_province",
    "match_keyword", "fuzzy_org_score", "fuzzy_key_score", "org_name_key", "extract_report", "ReportFields", "warm_up",
]


def warm_up(tokenizer: bool = False) -> None:
    """Do the slow first-use work now: load the province table, import PyThaiNLP's normalizer and
    run every parser once (compiling lazy regex paths). bot.thai itself never tokenizes; pass
    tokenizer=True to also build PyThaiNLP's word_tokenize trie (~0.5 s) for other modules."""
    from datetime import date

    from . import textnorm as _n
    from . import provinces as _p

    _p.official_names()
    _n._thai_normalize("เเ")
    d = date(2026, 1, 1)
    extract_report("จัดกิจกรรมเยี่ยมบ้าน 25 ต.ค. 61 ผู้เข้าร่วม 110 คน งบ 15,000 บาท", today=d)
    parse_datetime_range("29-31 ม.ค. 70 09.00-16.00 น.", today=d)
    parse_yes_no("ใช่ค่ะ")
    parse_phone("081-234-5678")
    match_province("โคราช")
    match_keyword("เมนู", {"menu": ["เมนู"]})
    fuzzy_org_score("บ้านสุข", "มูลนิธิบ้านสุข")
    if tokenizer:
        from pythainlp.tokenize import word_tokenize

        word_tokenize("ทดสอบการตัดคำ")
