"""No public function raises on any str, whatever people (or bots) send."""
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bot.thai as th

THAI = "".join(chr(c) for c in range(0x0E01, 0x0E5C))
ALPHABET = st.sampled_from(
    list(THAI) + list("0123456789๐๑๒๓๔๕๖๗๘๙ /-.:,+()฿?!") + list("abcxyzABCmnoy")
    + ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00a0", "\n", "\t", "–", "👍", "👎", "ค่ะ", "ครับ",
       "ม.ค.", "พ.ศ.", "ถึง", "หมื่น", "ห้า", "บาท", "คน", "วันที่", "พรุ่งนี้", "+66", "จ.", "ไม่", "ใช่"]
)
TEXT = st.one_of(st.text(), st.lists(ALPHABET, max_size=40).map("".join))
TODAY = date(2026, 3, 11)
KW = {"cancel": ["ยกเลิก", "cancel"], "menu": ["เมนู"]}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXT)
def test_no_public_function_raises(text):
    assert isinstance(th.normalize(text), str)
    assert isinstance(th.strip_particles(text), str)
    th.parse_date(text, today=TODAY)
    th.parse_date(text, today=TODAY, prefer="past")
    r = th.parse_date_range(text, today=TODAY)
    assert r is None or r[0] <= r[1]
    r = th.parse_datetime_range(text, today=TODAY)
    assert r is None or r[0] <= r[1]
    th.parse_time(text)
    th.parse_number(text)
    m = th.parse_money(text)
    assert m is None or m >= 0
    assert th.parse_yes_no(text) in (True, False, None)
    p = th.parse_phone(text)
    assert p is None or (p.isdigit() and len(p) in (9, 10) and p[0] == "0")
    th.format_phone(text)
    prov = th.match_province(text)
    assert prov is None or prov in th.provinces.official_names()
    assert th.match_keyword(text, KW) in (None, "cancel", "menu")
    assert 0 <= th.fuzzy_org_score(text, "มูลนิธิบ้านสุข") <= 100
    th.org_name_key(text)
    rep = th.extract_report(text, today=TODAY)
    assert isinstance(rep, th.ReportFields)
