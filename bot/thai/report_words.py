"""Funding source and target group in an activity report, as members word them.

Funding: after a cue (แหล่งงบ, งบจาก, ได้รับการสนับสนุนจาก, ได้จาก ..., "5,000 บาท จาก"), in brackets after
the amount ("12,000 บาท (สสส.)"), a line of its own ("เงินบริจาค", "กองทุนหลักประกันสุขภาพ อบต.วังทอง"), or
a known funder anywhere ("อบต. ช่วยมา" -> อบต.). An amount is never a funding source.

Target group: after กลุ่มเป้าหมาย, else the group the activity was for (ให้/แก่/สำหรับ + group), else
the first group named — so volunteers being trained are อาสาสมัคร even when the training is about
caring for the elderly. Groups who only helped ("อสม. มาช่วย") are not the target.
"""
from __future__ import annotations

import re

from .textnorm import _PART_ALT

_PARTICLE = rf"(?:{_PART_ALT})"
# A funder's name runs until a space, a digit, a bracket, a particle or a verb of giving.
_NAME = r"(?:(?!สนับสนุน|ช่วย|ให้มา|ให้งบ|ได้มา|จ่าย|ออก(?:เงิน|ให้|ค่า)|เอง|ค่ะ|ครับ|คะ(?![ก-ฮ])|ค่า(?![ก-ฮ])|นะ|จ้า)[^\s,;\d()\"'])*"

_FUND_CUE = re.compile(
    r"(?:แหล่ง(?:งบ(?:ประมาณ)?|เงิน|ทุน)(?:จาก)?|งบ(?:ประมาณ)?(?:สนับสนุน)?(?:ได้)?จาก|เงินจาก|ทุนจาก|สนับสนุนโดย"
    r"|ได้รับ(?:การ)?สนับสนุน(?:งบ(?:ประมาณ)?)?(?:จาก)?|ได้รับงบ(?:ประมาณ)?(?:จาก)?|ได้รับบริจาคจาก"
    r"|ได้รับ(?:เงิน|งบ(?:ประมาณ)?|ทุน)?(?:การ)?(?:สนับสนุน|บริจาค)?จาก"
    r"|ได้(?:งบ(?:ประมาณ)?|เงิน|ทุน|ตังค์|ตัง)?จาก|เก็บ(?:เงิน)?จาก|ผู้สนับสนุน|สปอนเซอร์|sponsor(?:ed by)?"
    # a body named right after the amount: 'งบ 60,000 บาท กรมกิจการผู้สูงอายุ'
    r"|(?:(?<=บาท)|(?<=บ\.))[^\S\n]+(?=กรม|สำนักงาน|มูลนิธิ|บริษัท|ธนาคาร|มหาวิทยาลัย|สถาบัน)"
    r"|(?:(?<=บาท)|(?<=บ\.)|(?<=หมื่น)|(?<=แสน)|(?<=ล้าน)|(?<=พัน))\s*จาก|(?:^|\n)[^\S\n]*จาก|(?<=บาท)\s*โดยใช้(?:งบ|เงิน)?(?:จาก)?"
    r"|funded by|funding)\s*[:：]?\s*"
)
_FUND_STOP = re.compile(
    r"\s+(?:มี|ผู้เข้าร่วม|เมื่อ|วันที่|ใช้|จำนวน|กลุ่มเป้าหมาย|ณ|งบ|เป็นเงิน|รวม|ทั้งหมด|โดย|ระหว่าง|ตั้งแต่|และใช้)"
    rf"|\s*(?:สนับสนุน|ช่วยมา|ช่วย|ให้มา|ได้มา|จ่าย|ออก(?:เงิน|ให้|ค่า)|(?:คน|ชุด|หัว|ครอบครัว)ละ|ค่ะ|ครับ|คะ(?![ก-ฮ])|ค่า(?![ก-ฮ])|นะคะ|นะครับ)|[\n,;()]"
    r"|(?<!เขต)(?<!เขต )(?<!หมู่)(?<!หมู่ )\s*\d|$"
)
_FUND_BRACKET = re.compile(r"(?:บาท|บ\.|\.-|หมื่น|พัน|\d)\s*" + _PARTICLE + r"?\s*\(\s*([^()\n\d]{2,60}?)\s*\)")
_FUND_KNOWN = re.compile(
    r"กองทุน" + _NAME + r"|สสส\.?|สปสช\.?|อบ[ตจ]\.?(?:\s?" + _NAME + r")?|เทศบาล" + _NAME + r"|(?:(?<![ก-ฮ])|(?<=งบ))พมจ\.?" + _NAME
    + r"|(?<![ก-ฮ])พม\.|สส[จอ]\.|รพ\.?สต\.?" + _NAME + r"|เงินบริจาค|(?:ทอด)?ผ้าป่า" + _NAME + r"|งบส่วนตัว|เงินส่วนตัว"
    + r"|(?:เงิน|งบ)(?:กองกลาง|ส่วนกลาง)" + _NAME
    + r"|(?:เงิน|งบ)(?:สะสม)?(?:ของ)?(?:ชมรม|มูลนิธิ|สมาคม|องค์กร|กลุ่ม)" + _NAME
    + r"|งบ(?:ประมาณ)?ของ(?:องค์กร|มูลนิธิ|สมาคม|ชมรม)" + _NAME
)
# A line that is nothing but the funder: starts like a funder's name and has no digits.
_FUND_LINE = re.compile(
    r"^(?:กองทุน|เงิน(?!\s*\d)|งบของ|งบส่วนตัว|เทศบาล|อบ[ตจ]|สสส|สปสช|พมจ|พม\.|รพ\.?สต|ผ้าป่า|ทอดผ้าป่า|มูลนิธิ)"
)
# Whoever 'helped' or 'supported': the word before ช่วยมา / สนับสนุน (not 'ได้รับการสนับสนุน').
# Paying counts as giving: 'ผู้ใหญ่บ้านออกเงินให้', 'ตำรวจช่วยออกค่าป้าย', 'ทอดผ้าป่าได้มา', 'สมาชิกลงขัน'.
_FUND_GAVE = re.compile(
    r"(?:^|[\s\n])((?!ได้รับ|การ|โดย|ที่)[^\s\d()]{2,40}?)\s*(?:ให้การ(?=สนับสนุน))?"
    r"(?:ช่วยมา|ช่วยออก(?=\s|$|" + _PARTICLE + r")|สนับสนุน|ให้มา|ให้งบ|ลงขัน|(?:ช่วย)?ออก(?:เงิน|ให้|ค่า)|(?<!ใช้)จ่าย(?:ให้|(?=\s|$|ค่ะ|ครับ|นะ)))"
)
_FUND_TAIL = re.compile(r"(?:\s*(?:สนับสนุน|ช่วยมา|ช่วย|ให้มา|ได้มา|เอง|(?<=\S{4})เรา)|" + r"\s*" + _PARTICLE + r")+\s*$")
# Where it took place, up to the next field's cue or the end of the line.
_PLACE = re.compile(r"(?:(?<=\s)|^)(?:ณ|สถานที่\s*[:：]?)[^\n]*?(?=\s+(?:มี|ใช้|งบ|จำนวน|ผู้|โดย|เวลา|วันที่|เมื่อ)|\n|$)", re.M)
_NOT_FUND = re.compile(r"^(?:(?:บาท|ค่ะ|ครับ|งบ|งบประมาณ|เงิน|-)$|ไม่)")
_DECOR = re.compile(r"^(?:[^\w\u0e00-\u0e7f(\"“]|\d+[.)])+|[^\w\u0e00-\u0e7f.)\"”]+$")

_GROUPS = [
    "ผู้ดูแลผู้สูงอายุ", "ผู้ดูแลคนพิการ", "ผู้ดูแลผู้ป่วยติดเตียง", "เด็กและเยาวชน", "เด็กนักเรียน", "เด็กเล็ก", "เด็ก", "เยาวชน",
    "ผู้สูงอายุ", "คนพิการ", "ผู้พิการ", "สตรี", "ผู้หญิง", "ผู้ด้อยโอกาส", "ผู้ป่วยติดเตียง", "ผู้ป่วย",
    "คนไร้บ้าน", "คนไร้ที่พึ่ง", "ผู้ติดเชื้อ", "แรงงาน", "ผู้ยากไร้", "นักเรียน", "ผู้ดูแล", "อสม.", "อสม",
    "อพม.", "อาสาสมัคร", "จิตอาสา", "แม่อาสา", "ครอบครัว", "ผู้ประสบอุทกภัย", "ผู้ประสบภัย", "ผู้มีรายได้น้อย",
    "คนชรา", "ผู้นำชุมชน", "ผู้ปกครอง", "แม่บ้าน", "เกษตรกร", "ผู้ต้องขัง", "ผู้ติดเตียง",
    "lgbtqi+", "lgbtq+", "lgbt",  # matched in lower-case text; the message's own spelling is returned
]
# อสม without its dot must stand alone: 'ชะลอสมองเสื่อม' holds the letters อสม. Prisoners set free
# ('ผู้ต้องขังที่พ้นโทษ') are a group of their own, not in the list (reports_h).
_NOT_AFTER = {"อสม": "(?![ก-ฮ])", "ผู้ต้องขัง": "(?!ที่พ้นโทษ|พ้นโทษ)"}
_GROUP = "(?:" + "|".join(re.escape(g) + _NOT_AFTER.get(g, "")
                          for g in sorted(_GROUPS, key=len, reverse=True)) + ")"
_TARGET_CUE = re.compile(r"(?:กลุ่มเป้าหมาย|กลุ่มเป้า|เป้าหมาย|target(?: group)?)\s*(?:คือ|เป็น|ได้แก่|[:：])?\s*")
_TARGET_FOR = re.compile(r"(?:ให้(?:กับ|แก่)?|แก่|สำหรับ)\s*(?:กลุ่ม|น้องๆ?|พี่ๆ?)?\s*(" + _GROUP + ")")
# A line naming who reports, not what was done: 'ชื่อองค์กร: …', 'ผู้รายงาน …', or the organization's
# name alone ('ชมรมผู้สูงอายุบ้านนา' — whose ผู้สูงอายุ is not the target group).
ORG_LINE = re.compile(
    r"^(?:ชื่อองค์กร|องค์กร\s*[:：]|ผู้รายงาน|ชื่อผู้รายงาน|รายงานโดย|ผู้ส่ง|จาก\s*[:：])"
    r"|^(?:จาก)?(?:ทาง)?(?:ชมรม|มูลนิธิ|สมาคม|องค์กร|ศูนย์|กลุ่ม(?!เป้า|มี))(?!.*(?:จัด|อบรม|ประชุม|กิจกรรม|โครงการ|เยี่ยม|ดำเนิน))"
    r"|^[A-Za-z][\w .&'-]*\b(?:[Ff]oundation|FOUNDATION|[Aa]ssociation|[Cc]lub)$"  # a page's name
)
# The people trained: 'อบรมอาสาสมัครดูแลผู้สูงอายุ' is for the volunteers.
_TARGET_TRAINED = re.compile(r"(?:ฝึก)?อบรม\s*(?:หลักสูตร|เชิงปฏิบัติการ)?\s*(?:ให้)?\s*(" + _GROUP + ")")
_TARGET_ANY = re.compile(_GROUP)
# A group followed on its line by a count of people: 'อสม. มาช่วย 12 คน'.
_COUNTED = re.compile(r"[^\S\n]*[^\d\n]{0,20}?[^\S\n]*(\d[\d,]*)[^\S\n]*(?:คน|ท่าน|ราย)")


_BREAKDOWN_TOTAL = re.compile(r"รวม|ทั้งหมด")


_PLACE_BEFORE = re.compile(r"(?:ศูนย์(?:พัฒนา)?|สถานสงเคราะห์|บ้านพัก)$")


def _count_value(s: str) -> int:
    return int(s.replace(",", ""))


# A breakdown one group a line, its total on a line below: 'ผู้ป่วยเบาหวาน 52 คน / อสม. 8 คน / รวมทั้งสิ้น 64 คน'.
_TOTAL_LINE = re.compile(r"^[^\S\n]*(?:รวม|ทั้งหมด)\S*[^\S\n]*(\d[\d,]*)[^\S\n]*(?:คน|ท่าน|ราย)", re.M)


def _total_below(t: str, line_end: int, participants: int | None) -> bool:
    if participants is None or line_end < 0:
        return False
    m = _TOTAL_LINE.search(t, line_end + 1)
    return m is not None and _count_value(m.group(1)) == participants
_TARGET_STOP = re.compile(
    r"\s+(?:มี|ผู้เข้าร่วม|เมื่อ|วันที่|ใช้|จำนวน|ณ|งบ|เป็นเงิน|รวม|ทั้งหมด|โดย|ระหว่าง|ตั้งแต่)"
    rf"|(?:\s*(?:{_PART_ALT}))+\s*$|[\n,;]|\s*\d|$"
)


_FUND_VERB = re.compile(r"\s*(?:สนับสนุน|ช่วย|ให้มา|ได้มา|ให้บริการ|ออกให้|ออกเงิน|ออกค่า|(?<!ใช้)จ่าย)")


_TAIL_JUNK = re.compile(rf"(?:\s*(?:{_PART_ALT})|\s*[\U0001F000-\U0001FAFF\u2600-\u27BF\uFE0F])+\s*$")


def _clean_fund(v: str) -> str | None:
    v = _DECOR.sub("", v)
    m = _FUND_VERB.search(v)
    if m:  # 'อบต. ช่วยมาครึ่งนึง อีกครึ่งเงินบริจาค': the funder is who helped
        v = v[: m.start()]
    v = _FUND_TAIL.sub("", _TAIL_JUNK.sub("", v)).strip(" :-–,\"'[]")  # '[กองทุน…]จ้า'
    # '(ใช้งบกองทุนคนพิการ)', '(งบ ทสจ.)': the words for 'budget' before the funder's name
    v = re.sub(r"^ใช้(?=งบ|เงิน)", "", v)
    v = re.sub(r"^(?:งบ(?:ประมาณ)?|เงิน)(?:\s+|(?=กองทุน))(?=\S{2})", "", v)
    if v.startswith("การ") and len(v) > 5:  # 'เงินจากการทอดผ้าป่า'
        v = v[len("การ"):]
    # an amount is never a funder ('12,500 บาท'); a number inside a name is fine ('สปสช. เขต 2')
    if len(v) < 2 or re.match(r"[\d.,\s]", v) or re.search(r"\d\s*(?:บาท|บ\.)", v) or _NOT_FUND.match(v):
        return None
    return v[:300]


def find_funding(n: str, t: str, skip: str | None = None, spent: bool = True) -> str | None:
    """The funding source in normalized text `n` (`t` is its lower-case form, same length); `skip` is the
    title, whose words ('ทอดผ้าป่าเพื่อการศึกษา') are no funder. When nothing was spent (`spent` False) only
    a stated source counts: 'ไม่มีค่าใช้จ่าย (รพ.สต. ให้บริการ)' names a provider, not a funder."""
    m = _FUND_CUE.search(t)
    while m:
        stop = _FUND_STOP.search(t, m.end())
        v = _clean_fund(n[m.end(): stop.start() if stop else len(n)])
        if v:
            return v
        m = _FUND_CUE.search(t, m.end() + 1) if m.end() < len(t) else None
    m = _FUND_BRACKET.search(t)
    if m:
        v = _clean_fund(n[m.start(1): m.end(1)])
        if v:
            return v
    if not spent:
        return None
    # a place is no funder: 'ณ ห้องประชุม อบต.วังทอง'
    masked = _PLACE.sub(lambda p: " " * len(p.group()), t)
    if skip:
        k = skip.lower()
        i = masked.find(k)
        if i >= 0:
            masked = masked[:i] + " " * len(k) + masked[i + len(k):]
    pos = 0
    for line in masked.split("\n"):
        core = _DECOR.sub("", line)
        if core and _FUND_LINE.match(core) and not re.search(r"\d", core):
            off = pos + line.find(core)
            v = _clean_fund(n[off: off + len(core)])
            if v:
                return v
        pos += len(line) + 1
    m = _FUND_KNOWN.search(masked)
    if m:
        return _clean_fund(n[m.start(): m.end()])
    m = _FUND_GAVE.search(masked)  # 'มหาวิทยาลัยช่วยมา'
    if m:
        return _clean_fund(n[m.start(1): m.end(1)])
    return None


def find_target(n: str, t: str, participants: int | None = None, funder: str | None = None) -> str | None:
    """The target group; `participants` tells a group counted as the participants from one counted
    beside them ('ชาวบ้าน 80 คน / อสม. 15 คน': the อสม. helped). The funder's name ('กองทุนพัฒนาบทบาท
    สตรี') and a price per head ('ครอบครัวละ 2 คน') name no group."""
    if funder:
        i = t.find(funder.lower())
        if i >= 0:
            t = t[:i] + " " * len(funder) + t[i + len(funder):]
    m = _TARGET_CUE.search(t)
    if m:
        stop = _TARGET_STOP.search(t, m.end())
        v = _TAIL_JUNK.sub("", n[m.end(): stop.start() if stop else len(n)]).strip(" :-–,")
        if len(v) >= 2:
            return v[:300]
    m = _TARGET_FOR.search(t) or _TARGET_TRAINED.search(t)
    if m:
        return n[m.start(1): m.end(1)]
    for m in _TARGET_ANY.finditer(t):
        line_start = t.rfind("\n", 0, m.start()) + 1
        if line_start == 0 and "\n" in t and ORG_LINE.match(t, line_start):
            continue
        if _PLACE_BEFORE.search(t, max(0, m.start() - 12), m.start()):
            continue  # 'ศูนย์เด็กเล็ก', 'โรงเรียนผู้สูงอายุ' name a place
        # 'ครอบครัวละ 2 คน', 'เยี่ยม 3 ครอบครัว': a unit, not the group. \Z, not $: a number ending the line
        # before ('ณ ศาลาหมู่ 8\nสตรี 28 คน') is not this group's.
        if t.startswith("ละ", m.end()) or re.search(r"\d[^\S\n]*\Z", t[max(0, m.start() - 4): m.start()]):
            continue
        line_end = t.find("\n", m.end())
        if m.group() == "ผู้หญิง" and "ชาย" in t[line_start: len(t) if line_end < 0 else line_end]:
            continue  # 'ผู้ชาย 6 คน ผู้หญิง 19 คน': a head count by sex, not a group served
        c = _COUNTED.match(t, m.end())
        if (c is None or (participants is not None and _count_value(c.group(1)) == participants)
                or _BREAKDOWN_TOTAL.search(t, m.end(), len(t) if line_end < 0 else line_end)
                or _total_below(t, line_end, participants)):
            return n[m.start(): m.end()]
    return None
