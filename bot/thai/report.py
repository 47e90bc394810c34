"""Pulling activity-report fields out of one free-text message.

"จัดกิจกรรมเยี่ยมบ้านผู้สูงอายุ เมื่อ 25 ต.ค. 61 มีผู้เข้าร่วม 110 คน ใช้งบประมาณ 15,000 บาท" gives
title, dates, participants and budget; the bot then asks only for what is missing and reads the rest
back, so a field left None here is cheap, while a wrong value costs a correction. Hence the cautious
rules: participants must be counted in people (คน/ท่าน/ราย) or follow ผู้เข้าร่วม, so "3 วัน" is a
duration; budget must be marked as money (บาท/฿/งบ...). Which count and which amount: counts.py; funding
and target group: report_words.py; the title is here.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .counts import pick_budget, pick_people
from .dates import find_date_range
from .report_budget import adjust_budget, mask_other_dates
from .report_dates import past_week, prepare_dates
from .numbers import _prepare, find_numbers
from .report_words import ORG_LINE, find_funding, find_target
from .textnorm import _PART_ALT, normalize


@dataclass
class ReportFields:
    title: str | None = None
    start_date: date | None = None
    end_date: date | None = None
    participants: int | None = None
    budget: Decimal | None = None
    funding_source: str | None = None
    target_group: str | None = None


_LABEL_TITLE = re.compile(
    r"(?:ชื่อ)?(?:โครงการ|กิจกรรม|หัวข้อ|เรื่อง|title|activity|event|project)\s*[:：]\s*(?P<v>[^\n]+)|ชื่อ(?:โครงการ|กิจกรรม)\s+(?P<w>[^\n]+)",
    re.IGNORECASE,
)
# 'ชื่อ: …' alone names the activity in a report, unless a person's name follows.
_LABEL_NAME = re.compile(r"(?:^|\n)[^\S\n]*[-•]?[^\S\n]*ชื่อ\s*[:：]\s*(?!นาย|นาง|น\.ส\.|ด\.[ชญ]\.)(?P<v>[^\n]+)")
_QUOTED = re.compile(r"[\"“”«]([^\"“”»\n]{3,120})[\"“”»]")
# Where a title ends: the next field's cue, a separator, a number that is not part of the name.
_TITLE_STOP = re.compile(
    r"\s+(?:เมื่อ|ณ|ที่|มีผู้|ผู้เข้าร่วม|ผู้ร่วม|มี|จำนวน|ใช้|งบ|ค่าใช้จ่าย|โดย|กลุ่มเป้าหมาย|ระหว่าง|ตั้งแต่"
    r"|เป็นเวลา|รวม|วันที่|คาดว่า)"
    r"|\s*(?:เมื่อวัน|วันที่|ณ\s|ทุก(?:วัน|สัปดาห์|เดือน|เย็น|เช้า|คืน)|(?:ครั้ง)?ล่าสุด)|\s+รายงาน|[\n,;:]|$"
)
_NUMBER = re.compile(r"\s*\d")
_LEADING_TIME = re.compile(r"^(?:(?:เวลา|at)\s*)?\d{1,2}[:.]\d{2}\s*(?:[AaPp]\.?[Mm]\.?|น\.?)?\s*(?:[·•|\-–—,]\s*)?")
# '<n> <unit>' after a title: a count of places is skipped over (ลงพื้นที่ 3 ชุมชน ให้ความรู้...); any
# other count ends the title; a number after ครั้งที่/รุ่นที่ is part of the name; a number before any
# other word (ทำบุญ 9 วัด) too.
_PLACE_COUNT = re.compile(r"\s*\d+\s*(?:ชุมชน|หมู่บ้าน|แห่ง|ตำบล|จุด)")
_NAME_NUMBER_BEFORE = re.compile(r"(?:ครั้งที่|รุ่นที่|ครั้ง|รุ่น|ปีที่|ที่|ปี|พ\.ศ\.|ค\.ศ\.)\s*$")
# An address's number too, even before a place word: 'ผู้ป่วยติดเตียงหมู่ 9', 'ซอย 12 ชุมชนริมน้ำ'
# (not a count of 12 ชุมชน).
_ADDRESS_BEFORE = re.compile(r"(?:หมู่(?:ที่)?|ม\.|ซอย|ซ\.|เขต)\s*$")
# …and so does a breakdown's group word: 'ค่ายเยาวชนรักษ์ป่า เด็ก 40 ผู้ปกครอง 12 รวม 52 คน'.
_COUNT_NOUN = re.compile(r"\s+(?:คน|ผู้(?:ฟัง|มา|ร่วม|เข้า)|เด็ก|ผู้ปกครอง|ชาวบ้าน|สมาชิก|(?:ผู้|เพศ)?(?:ชาย|หญิง))\S*\s*$")
_NAME_NUMBER = re.compile(r"\s*\d+(?:/\d+)*")  # ครั้งที่ 11/2569
# A Buddhist-Era year after the name is part of it: 'งานวันเด็กตำบลบ้านใหม่ 2569' (not 2569 of anything).
_BE_YEAR = re.compile(r"\s*25\d\d(?![\d,.])(?!\s*(?:คน|ท่าน|ราย|บาท|บ\.))")
_COUNT_UNIT = re.compile(
    r"\s*\d[\d,.]*\s*(?:กว่า|เศษ)?\s*(?:คน|ท่าน|ราย|รูป|วัน|คืน|หลัง|คัน|ครัวเรือน|ครอบครัว|ชุด|กล่อง|ร้าน|ครั้ง"
    r"|บาท|ชั่วโมง|ชม|ปี|เดือน|สัปดาห์|หมื่น|พัน|แสน|ล้าน|ตัว|ผืน|ถุง|ทุน|%|[^\sก-๛]|$)"
)
_TITLE_VERB = re.compile(
    r"^(?:(?:ทาง)?(?:องค์กร|มูลนิธิ|สมาคม|ชมรม|เรา|กลุ่มเรา)(?:\S*?(?=ได้จัด|ได้ดำเนิน|จัด)|\S*\s+))?(?:ได้|ขอ)?\s*"
    r"(?:รายงาน(?:ผล)?(?:การ)?(?:จัด)?|จัดทำ|จัด|ดำเนินการ|ดำเนินงาน|ดำเนิน(?=กิจกรรม|โครงการ)|ทำ(?=กิจกรรม|โครงการ))\s*"
)
# 'ทางกลุ่มพาเด็กๆ ไป…', 'ทางชมรมฯ ได้จัด…': with ทาง the organization is who did it, whatever the verb.
_ACTOR = re.compile(r"^ทาง(?:องค์กร|มูลนิธิ|สมาคม|ชมรม|กลุ่ม)ฯ?\s*(?=\S)")
# A pasted page's 'วันนี้' when the date was the page's own ('25 พฤศจิกายน เวลา 19:42 น. ·').
_LEADING_DAY = re.compile(r"^(?:วันนี้|เมื่อวาน(?:นี้|ซืน)?)\s*(?=\S)")
# An official letter: 'เรื่อง …' is its subject; 'ตามที่ … นั้น' recalls the grant and names the activity
# only after จัด/ดำเนิน ('ตามที่ พมจ. ได้อนุมัติงบ… ให้สมาคมฯ จัดกิจกรรมกีฬาคนพิการสัมพันธ์ นั้น').
_SUBJECT = re.compile(r"^เรื่อง(?:\s+|\s*[:：]\s*)")
_PREAMBLE = re.compile(r"^(?:ตามที่|อนุสนธิ)")
_PREAMBLE_ACT = re.compile(r"(?:จัด|ดำเนิน(?:การ)?)\s*((?:กิจกรรม|โครงการ)\S.*?)\s*(?:นั้น\S*\s*$|$)")
# The words a greeting line ends on for whom it greets: 'ส่งรายงานค่ะพี่'.
_ADDRESSEE_END = re.compile(r"(?:พี่|น้อง)\s*ๆ?\s*$")
_LEADING_CUE = re.compile(r"^(?:เมื่อ(?:เช้า|เย็น)?|ตั้งแต่|ระหว่าง|ในวัน|ช่วง|วันที่|ณ)(?:\s+|$)")
_THANKS_PREFIX = re.compile(r"^ขอบคุณ.*?(?:ที่มา|ที่)ร่วม(?=\S)")  # 'ขอบคุณทุกท่านที่มาร่วมกิจกรรม…'
_TRAILING_CUE = re.compile(r"\s*(?:ณ|เมื่อ|วันที่|ตั้งแต่|ระหว่าง|ในวัน)\s*$")
# 'กิจกรรม ตรวจสุขภาพ…' with a space: กิจกรรม is a label, as in 'กิจกรรม: …'.
_LABEL_WORD = re.compile(r"^(?:ชื่อ)?(?:กิจกรรม|โครงการ)\s+(?=\S{3})")
# Bullets, arrows and emoji around a line (any symbol that is not a letter, digit, quote or bracket).
_DECOR = re.compile(r"^[^\w\u0e00-\u0e7f\"“(\[]+|[^\w\u0e00-\u0e7f\"”).\]]+$")
_NUMBERING = re.compile(r"^\d{1,2}[.)]\s+")
_EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2190-\u2BFF\uFE0F]")
# A particle does not start after a leading vowel (เจ้า) nor after the ห that leads a น: 'ล่วงหน้า' is no น้า.
_PARTICLES_END = re.compile(rf"(?:\s*(?<![\u0e40-\u0e44])(?!(?<=ห)น)(?:{_PART_ALT}))+\s*$")
# Lines that hold no title: hashtags alone ('#ปลูกป่า #รักษ์ทะเล'), or a question to the officer mixed into
# the report ('พี่คะ รายงานต้องส่งภายในวันไหนคะ', 'แล้วต้องส่งรูปด้วยไหมคะ').
_HASHTAGS = re.compile(r"^[^\w\u0e00-\u0e7f#]*(?:#\S+[^\S\n]*)+$")
_QUESTION = re.compile(
    r"(?:ไหม|มั้ย|มั๊ย|ไม๊|หรือเปล่า|รึเปล่า|หรือยัง|วันไหน|เมื่อไร|เมื่อไหร่|ยังไง|อย่างไร)[^\S\n]*(?:คะ|ครับ|คับ|ค่ะ|จ๊ะ|จ้ะ)"
    r"|\?[^\S\n]*$"
)
# '…25 พฤศจิกายนที่ผ่านมาชมรมได้จัด…': the date's own tail when the date ends where the title starts.
_PAST_TAIL = re.compile(r"^(?:ที่ผ่านมา|ที่แล้ว)\s*")
# 'รายงานนะครับ กิจกรรมสัปดาห์ก่อน': the word alone before the date names nothing; the title is below.
_GENERIC = re.compile(r"^(?:กิจกรรม|โครงการ)$")
# Lines that only greet or announce a report: no title in them.
_HEADER = re.compile(
    r"^(?:(?:สวัสดี|เรียน)\S*\s*)?(?:(?:ค่ะ|ครับ|ค่า)\s*)?(?:ขอ(?:อนุญาต)?)?(?:ส่ง)?(?:รายงาน(?:ผล)?(?:การดำเนินงาน|กิจกรรม"
    r"|การจัดกิจกรรม)?)?(?:นะ)?$|^ตาม(?:โพสต์|ลิงก์|ลิ้งค์|รูป)"
    r"|^(?:(?:สวัสดี|เรียน)\S*\s*)?(?:ขอ(?:อนุญาต)?)?(?:ส่ง)?รายงาน(?:ผล)?(?:การดำเนินงาน|กิจกรรม)?\s*(?:ของ|ประจำ|เดือน)"
    r"|^สรุป(?:ผล)?(?:การดำเนินงาน|กิจกรรม|การจัดกิจกรรม)?$|^แจ้ง(?:ผล)?(?:การดำเนินงาน|กิจกรรม)?$"
    r"|^เรียน(?:\s|$|ท่าน|พี่|เจ้าหน้าที่|คุณ)|ดังนี้$"
    # a letter's number, reference and closing: 'ที่ สคพ. 045/2569', 'อ้างถึง …', 'จึงเรียนมาเพื่อ…'
    r"|^ที่\s*\S+\s*\d+/\d{4}$|^(?:อ้างถึง|สิ่งที่ส่งมาด้วย|จึงเรียน)"
    # who is reporting: 'ชื่อองค์กร: …', 'ผู้รายงาน …', or the organization's name alone on the first line
    r"|" + ORG_LINE.pattern
)
# 'ส่งรายงานค่ะ กิจกรรม…', 'รายงานค่ะ กิจกรรม…' on the title's own line
_HEADER_PREFIX = re.compile(r"^(?:ขอ(?:อนุญาต)?)?(?:ส่ง)?รายงาน(?:กิจกรรม)?\s*(?:" + _PART_ALT + r")*\s+")
# A title cannot be a count's noun: 'วิทยากร 2 ท่าน', 'ชมรมมีสมาชิก 200 คน'.
# Nor a message that only gives another field: 'กลุ่มเป้าหมายเป็นอาสาสมัคร', 'งบได้จากทอดผ้าป่า', 'ไม่ใช่ 19'.
_NOT_TITLE = re.compile(
    r"^(?:\S*มี)?(?:สมาชิก|วิทยากร|เจ้าหน้าที่|ทีมงาน|ผู้เข้าร่วม|จำนวน|ชาย|หญิง)|^(?:กลุ่มเป้า|เป้าหมาย|แหล่ง|งบ|ได้(?:รับ)?(?:งบ|เงิน)?จาก"
    r"|ไม่|ค่ะ|ครับ|แก้)"
)
_FUNDER_ONLY = re.compile(r"^(?:เงินบริจาค|เงินส่วนตัว|อบ[ตจ]|สสส|สปสช|พมจ|พม\.)")


def _title_cut(s: str) -> str:
    """The title at the start of `s`: up to a stop word or a number that is a count."""
    out = ""
    pos = 0
    while True:
        stop = _TITLE_STOP.search(s, pos)
        num = _NUMBER.search(s, pos)
        end = stop.start() if stop else len(s)
        if num is None or num.start() >= end:
            return out + s[pos:end]
        out += s[pos: num.start()]
        address = _ADDRESS_BEFORE.search(s[: num.start()])
        m = None if address else _PLACE_COUNT.match(s, num.start())
        if m:
            out += " "
            pos = m.end()
            continue
        if (address or _NAME_NUMBER_BEFORE.search(s[: num.start()]) or not _COUNT_UNIT.match(s, num.start())
                or _BE_YEAR.match(s, num.start())):
            # part of the name: keep the number and go on
            m2 = _NAME_NUMBER.match(s, num.start())
            out += s[num.start(): m2.end()]
            pos = m2.end()
            continue
        # the count's own noun goes with it: '…ให้ผู้สูงอายุ คนฟัง 35 คน'
        return _COUNT_NOUN.sub("", out)


def _tidy(title: str) -> str:
    title = _DECOR.sub("", title)
    title = _NUMBERING.sub("", title)
    title = _PARTICLES_END.sub("", title)
    title = _EMOJI.sub("", title)
    title = re.sub(r"\s{2,}", " ", title)
    return title.strip(" :-–,!\"'“”")


def _find_title(n: str, ds: int | None, de: int | None) -> str | None:
    # A letter's 'เรื่อง: รายงานผลการจัดกิจกรรม' names no activity: the next label may.
    labels = [m for m in _LABEL_TITLE.finditer(n)
              if not _HEADER.match(_PARTICLES_END.sub("", _tidy(m.group("v") or m.group("w"))))]
    m = (labels[0] if labels else None) or _LABEL_NAME.search(n)
    if m:
        v = _tidy(m.group("v") or m.group("w"))
        return v if len(v) >= 3 else None
    pos = 0
    for line in n.split("\n"):
        lstart, lend = pos, pos + len(line)
        pos = lend + 1
        if _HASHTAGS.match(line) or (_QUESTION.search(line) and not (ds is not None and lstart <= ds < lend + 1)):
            continue
        if ds is not None and lstart <= ds < lend + 1:
            # The date is on this line: the title is what comes before it, or else what follows.
            before = _tidy(_TRAILING_CUE.sub("", _LEADING_CUE.sub("", _HEADER_PREFIX.sub("", _tidy(n[lstart:ds])))))
            if len(before) >= 3 and not _HEADER.match(before) and not _GENERIC.match(before):
                cand = before
            else:  # after the date: a pasted page's time and separator first ('…, 10:30 AM · อบรม…')
                cand = _PAST_TAIL.sub("", _LEADING_TIME.sub("", _tidy(n[min(de, lend):lend])))
        else:
            cand = line
        q = _QUOTED.search(cand)
        if q:
            return _tidy(q.group(1))
        cand = _SUBJECT.sub("", _tidy(cand))
        cand = _THANKS_PREFIX.sub("", _HEADER_PREFIX.sub("", cand))
        cand = _ACTOR.sub("", _LEADING_DAY.sub("", _LEADING_CUE.sub("", cand).strip()))
        if _PREAMBLE.match(cand):
            act = _PREAMBLE_ACT.search(cand)
            if act is None:
                continue
            cand = act.group(1)
        head = _PARTICLES_END.sub("", _ADDRESSEE_END.sub("", _PARTICLES_END.sub("", cand)))
        if not cand or _HEADER.match(head) or not re.search(r"[ก-๛a-zA-Z]{3}", cand):
            continue
        cand = _LABEL_WORD.sub("", _TITLE_VERB.sub("", cand))
        title = _tidy(_title_cut(cand))
        if len(title) < 3 or title.isdigit() or _NOT_TITLE.match(title) or _FUNDER_ONLY.match(title.lower()):
            return None
        return title[:200]
    return None


def extract_report(text: str, *, today: date) -> ReportFields:
    """Report fields found in one message; absent ones are None. Dates without a year are read as
    past (a report describes what happened)."""
    out = ReportFields()
    try:
        n = normalize(text)
        t = n.lower()
        if len(t) != len(n):  # exotic case mapping changed lengths; fall back to the lower text
            n = t
        if not t:
            return out
        dt = prepare_dates(mask_other_dates(t))  # 'ประชุมครั้งหน้า 15 ธ.ค.', 'กำหนดส่งภายใน 30 พ.ย.' are not its date
        r = find_date_range(dt, today, "past", allow_period=False)
        if r is not None and r[0] > today:
            # 'พรุ่งนี้จะประชุมอีกรอบ ครั้งนี้ประชุมเมื่อวาน': a report is about what already happened
            later = find_date_range(dt[r[3]:], today, "past", allow_period=False)
            if later is not None and later[0] <= today:
                r = (later[0], later[1], later[2] + r[3], later[3] + r[3])
        ds = de = None
        if r is not None:
            out.start_date, out.end_date, ds, de = r
        else:  # 'สัปดาห์ก่อน': no day to record, but the words are no title either
            ds, de = past_week(dt, today)
        masked = t if ds is None else t[:ds] + " " * (de - ds) + t[de:]
        tn = _prepare(masked)
        nums = find_numbers(tn)
        out.participants = pick_people(tn, nums)
        out.budget = adjust_budget(tn, nums, pick_budget(tn, nums))
        out.title = _find_title(n, ds, de)
        out.funding_source = find_funding(n, t, out.title, spent=out.budget != 0)
        # dates masked: '1 ธ.ค. 69 ผู้นำชุมชน' is no count of ผู้นำชุมชน
        out.target_group = find_target(n, masked, out.participants, out.funding_source)
        return out
    except Exception:
        return out
