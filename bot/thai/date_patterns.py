"""What a typed date looks like: month and weekday words, and the one regex of date *atoms* that
bot.thai.dates scans for (an explicit date, a bare day, a relative word, a weekday, a weekend, a period).
The conventions for reading them are in dates.py."""
from __future__ import annotations

import re

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
    # a year typed right against the month ('26พย69', 'พ.ย.69') is a year even before 'คน'
    r"(?P<{y}>\d{{4}}|\d{{2}})(?!\d)(?![.:]\d)(?:(?<=[ก-ฮ.]\d\d)|(?<=[ก-ฮ.]\d{{4}})|" + _NOT_TIME + "))?"
)
# Number words as whole words: a class of their letters let the 'อ' ending 'เมื่อ' read as a count and
# swallow 'เมื่อเดือนที่แล้ว'.
_NUMWORD = r"(?:\d{1,3}|(?:หนึ่ง|นึง|สอง|สาม|สี่|ห้า|หก|เจ็ด|แปด|เก้า|สิบ|ยี่|เอ็ด|ร้อย|ครึ่ง){1,6})"
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
            + _YEAR.format(e="de", y="dy") + r"(?:\s*(?P<dthis>นี้)(?![ก-ฮ]))?)",
            # English month-first: Oct 25, 2018
            r"(?P<md>(?P<mmon>" + MONTH_EN + r")\s*(?P<md_d>[0-3]?\d)(?:st|nd|rd|th)?(?!\d)(?:\s*,?\s*(?P<my>\d{4})(?!\d))?)",
            # Thai month-first, as web pages and Facebook print dates: มีนาคม 14, 2026 (the comma and the
            # year are required: 'มีนาคม 14 คน' is no date)
            r"(?P<tmd>(?:เดือน\s*)?(?P<tmon>" + MONTH_TH + r")\s*(?P<tmd_d>[0-3]?\d)(?!\d)\s*,\s*(?P<tmy>\d{4})(?!\d))",
            # weekends: เสาร์อาทิตย์ที่แล้ว, เสาร์-อาทิตย์นี้, ส-อา หน้า, สุดสัปดาห์นี้
            r"(?P<we>(?:(?:วัน)?เสาร์\s*(?:-|และ|กับ|,|/)?\s*(?:วัน)?(?:อาทิตย์|อาทิต|อา(?:\.|(?![ก-ฮ\u0e30-\u0e4e])))|ส\.?\s*-\s*อา\.?"
            r"|สุดสัปดาห์|weekend)(?:\s*(?P<weq>นี้|หน้า|ถัดไป|ที่แล้ว|ที่ผ่านมา|ก่อน))?)",
            # N days/weeks ago
            # (not right after a range word: in '18-19 เดือนที่แล้ว' 19 is a day of last month)
            r"(?P<ago>(?<![-~])(?<![-~]\s)(?<!ถึง)(?<!ถึง\s)(?P<agon>" + _NUMWORD + r")\s*" + _UNIT.format(u="agou")
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
# 'ทุกวันพุธ', 'ทุกเย็นวันพุธ': a habit, whatever time of day comes between.
_EVERY = re.compile(r"ทุก\s*(?:เช้า|สาย|เที่ยง|บ่าย|เย็น|ค่ำ|คืน)?\s*$")
_NEGATED = re.compile(r"ไม่ใช่\s*(?:วันที่|วัน|เมื่อ)?\s*$")
# A correction 'X เป็น Y' / 'X แก้เป็น Y' ('19 พ.ย. เป็น 20 พ.ย. 69'): the date before เป็น is the old one.
_REPLACED = re.compile(r"^\s*(?:ค่ะ|คะ|ครับ|นะ)?\s*(?:แก้|เปลี่ยน|แก้ไข)?\s*เป็น\s*(?:วันที่|วัน)?\s*$")
_PREFIX_GAP = re.compile(r"^[\s,]*(?:ที่)?[\s,]*$")
