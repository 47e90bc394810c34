"""Which number in a message is the number of participants, and which is the amount spent.

Members type breakdowns and other counts around the one asked for: "ชาย 12 หญิง 30 รวม 42 คน",
"สมาชิกชมรม 120 คน มาร่วม 45 คน", "วิทยากร 2 ท่าน", "แจกชุดละ 250 บาท รวม 5,000 บาท",
"ค่าอาหาร 1,500 ค่าเดินทาง 900". Each number is classified by the words between it and the previous
number on its line (its *segment*): a total (รวม, ทั้งหมด), a participant cue (ผู้เข้าร่วม, มาร่วม), a
count of organizers or members (วิทยากร, สมาชิก), a price per unit (ชุดละ), money received rather than
spent (ยอดเงินทำบุญ), an item of expense (ค่าอาหาร). The total wins; then what the cue points at.
"""
from __future__ import annotations

import re
from decimal import Decimal

from .numbers import _MONEY_AFTER, _MONEY_BEFORE, _prepare, find_numbers
from .textnorm import prep

PEOPLE_UNIT = re.compile(r"[^\S\n]*(?:กว่า|เศษ|ๆ)?[^\S\n]*(?:คน|ท่าน|ราย|รูป|people|persons|pax)(?!ไข้|พิการ|ไร้)")
_TOTAL = re.compile(r"(?<!ไม่)(?:รวม|ทั้งหมด|ทั้งสิ้น|total)|=")
_PEOPLE_CUE = re.compile(
    r"ผู้เข้าร่วม|เข้าร่วม|ผู้ร่วม|ร่วมงาน|ผู้เข้าอบรม|เข้าอบรม|เข้าประชุม|ผู้ได้รับประโยชน์|ผู้รับบริการ|มาร่วม|มาประชุม"
    r"|ผู้มา|ที่มา|มาจริง|participants?|จำนวน"
)
# People counted who are not the participants: organizers, speakers, and all the members of a club
# (as opposed to those who came).
_STAFF = re.compile(r"วิทยากร|เจ้าหน้าที่|ทีม|พี่เลี้ยง|ครู|สมาชิก|ช่าง|ช่วยงาน|มาช่วย")
_NEVER_PARTICIPANTS = re.compile(r"วิทยากร")
# After a cue without a unit the number must end there: 'ผู้เข้าร่วม 45' but not 'จำนวน 20 ครอบครัว'.
_BARE_END = re.compile(r"\s*(?:$|\n|[,;()]|(?:ค่ะ|ครับ|คะ|ค่า|นะ|และ|หญิง|ชาย|รวม|จาก)|[^\sก-๛])")
# 'เข้าประชุม 13 จาก 15 คน': the number after จาก is how many there could have been.
_OUT_OF = re.compile(r"^\s*(?:จาก|จากทั้งหมด|ใน)\s*$")
_BREAKDOWN = re.compile(
    r"(?:ชาย|ผู้ชาย)\s*(?P<a>\d+)\s*(?:คน|ท่าน)?\s*(?:,|และ|/)?\s*(?:หญิง|ผู้หญิง)\s*(?P<b>\d+)"
    r"|(?:หญิง|ผู้หญิง)\s*(?P<c>\d+)\s*(?:คน|ท่าน)?\s*(?:,|และ|/)?\s*(?:ชาย|ผู้ชาย)\s*(?P<d>\d+)"
)

# A correction 'X เป็น Y' ('5,000 เป็น 5,500', '45 คน เป็น 54 คน'): only a unit, a particle or an edit verb
# between the two numbers, so X is the old value and is dropped.
_REPLACED = re.compile(r"^\s*(?:คน|ท่าน|บาท)?\s*(?:ค่ะ|คะ|ครับ|นะ)?\s*(?:แก้|เปลี่ยน|แก้ไข)?\s*เป็น\s*$")
# 'ประมาณ 40-50 คน': a range of people; the lower, sure number is kept (as 'กว่า' keeps 30 in '30 กว่าคน').
_RANGE_TO = re.compile(r"[^\S\n]*(?:-|–|~|ถึง)[^\S\n]*$")

_PER_UNIT = re.compile(r"\S*ละ\s*$")
_INCOME = re.compile(r"ยอด(?:เงิน)?(?:ทำบุญ|บริจาค|ผ้าป่า|กฐิน)|รายได้|ได้เงิน|เงินทำบุญ")
_BUDGET_CUE = re.compile(r"งบ|ใช้เงิน|ใช้ไป|ค่าใช้จ่าย|ใช้จ่าย|เป็นเงิน")
_ITEM = re.compile(r"ค่า(?!ใช้จ่าย)[ก-๛]+|วัสดุ|ของขวัญ|อาหาร")
# An expense item's amount is not followed by a unit of something else ('ค่าอาหาร 60 ชุด').
_ITEM_END = re.compile(
    r"(?![^\S\n]*(?:คน|ท่าน|ราย|รูป|ชุด|กล่อง|ครั้ง|วัน|คืน|หลัง|คัน|ตัว|ผืน|ถุง|ครอบครัว|ครัวเรือน|%|กิโล|กก|ลิตร"
    r"|ชั่วโมง|ชม|ปี|เดือน|แห่ง|ที่|x|×|\*))"
)
_NO_SPENDING = re.compile(
    r"ไม่(?:ได้)?(?:ใช้|มี|เสีย)?\s*(?:งบ(?:ประมาณ)?|เงิน|ค่าใช้จ่าย)|ไม่(?:ได้)?ใช้จ่าย|ไม่มีงบ|ฟรี(?!ให้)"
    r"|(?:งบ(?:ประมาณ)?|ค่าใช้จ่าย)\s*[:：]?\s*(?:ไม่มี|ไม่ใช้)"
)


def _segments(t: str, nums):  # noqa: ANN001, ANN202
    """(start, end, value, segment) for each number: segment is the text since the previous number
    on the same line."""
    prev = 0
    for s, e, v in nums:
        line_start = t.rfind("\n", 0, s) + 1
        yield s, e, v, t[max(prev, line_start): s]
        prev = e


def drop_replaced(t: str, nums):  # noqa: ANN001, ANN201
    """The numbers without those corrected by the next one ('แก้ 40 เป็น 44 คน')."""
    return [x for i, x in enumerate(nums) if not (i + 1 < len(nums) and _REPLACED.match(t[x[1]: nums[i + 1][0]]))]


def pick_people(t: str, nums=None) -> int | None:  # noqa: ANN001
    """The participant count in prepared text `t` (see the module docstring), or None."""
    if nums is None:
        nums = find_numbers(t)
    totals, cued, cued_bare, plain, staff = [], [], [], [], []
    upper = None  # the end of a range whose start was kept
    for s, e, v, seg in _segments(t, nums):
        if v != v.to_integral_value() or not 0 < v <= 10_000_000 or s == upper:
            continue
        n = int(v)
        unit = PEOPLE_UNIT.match(t, e) is not None
        if not unit:
            nxt = next((x for x in nums if x[0] >= e), None)
            if nxt is not None and nxt[2] > v and _RANGE_TO.match(t[e: nxt[0]]) and PEOPLE_UNIT.match(t, nxt[1]):
                unit, upper = True, nxt[0]
        cue = _PEOPLE_CUE.search(seg) is not None
        if not unit and not (cue and _BARE_END.match(t, e)):
            continue
        if _OUT_OF.match(seg):
            continue
        is_staff = _STAFF.search(seg) is not None
        if is_staff and not cue:
            if not _NEVER_PARTICIPANTS.search(seg):
                staff.append(n)
            continue
        if _TOTAL.search(seg):
            totals.append(n)
        elif cue and unit:
            cued.append(n)
        elif cue:
            cued_bare.append(n)
        else:
            plain.append(n)
    if totals:
        return totals[-1]
    if cued:
        return cued[0]
    m = _BREAKDOWN.search(t)
    if m:
        a, b = (m.group("a"), m.group("b")) if m.group("a") else (m.group("c"), m.group("d"))
        return int(a) + int(b)
    for group in (cued_bare, plain, staff):
        if group:
            return group[0]
    return None


def pick_budget(t: str, nums=None) -> Decimal | None:  # noqa: ANN001
    """The amount spent in prepared text `t`: a total, else the amount after งบ/ใช้เงิน, else the sum of
    two or more expense items (ค่าอาหาร 1,500 ค่าเดินทาง 900), else the first amount marked as money;
    0 for 'ไม่ได้ใช้งบ'; None when nothing says."""
    if nums is None:
        nums = find_numbers(t)
    totals, cued, items, plain = [], [], [], []
    for s, e, v, seg in _segments(t, nums):
        if v < 0:
            continue
        money = bool(_MONEY_AFTER.match(t, e)) or bool(_MONEY_BEFORE.search(t[max(0, s - 24): s]))
        item = _ITEM.search(seg) is not None and _ITEM_END.match(t, e) is not None
        if not (money or item) or PEOPLE_UNIT.match(t, e):
            continue
        if _PER_UNIT.search(seg) or _INCOME.search(seg):
            continue
        if _TOTAL.search(seg):
            totals.append(v)
        elif _BUDGET_CUE.search(seg):
            cued.append(v)
        elif item:
            items.append(v)
        else:
            plain.append(v)
    if totals:
        return _whole(totals[-1])
    if cued:
        return _whole(cued[0])
    if len(items) >= 2:
        return _whole(sum(items, Decimal(0)))
    if items or plain:
        return _whole((items or plain)[0])
    if _NO_SPENDING.search(t):
        return Decimal(0)
    return None


def _whole(v: Decimal) -> Decimal:
    return Decimal(int(v)) if v == v.to_integral_value() else v


def parse_people(text: str) -> int | None:
    """How many took part, from an answer such as 'ชาย 12 หญิง 30 รวม 42 คน' (42), 'สมาชิก 120 คน มาร่วม
    45 คน' (45), 'วิทยากร 2 ท่าน ผู้เข้าอบรม 40 คน' (40) or a bare '45'. None when no count is given."""
    try:
        t = _prepare(prep(text))
        nums = drop_replaced(t, find_numbers(t))
        n = pick_people(t, nums)
        if n is not None:
            return n
        for _s, e, v in nums:  # the question asked for people: a bare number is the answer
            if v == v.to_integral_value() and 0 < v <= 10_000_000 and _BARE_END.match(t, e):
                return int(v)
        return None
    except Exception:
        return None


def parse_money(text: str) -> Decimal | None:
    """An amount in baht: '15,000 บาท', '฿1,500', 'THB 2000', 'หมื่นห้าพันบาท', '1.5 หมื่น', '15k'.

    A total wins over its parts ('ชุดละ 250 บาท รวม 5,000 บาท' is 5000, 'ค่าอาหาร 1,500 ค่าเดินทาง 900' is
    2400); otherwise the first amount marked as money (บาท, ฿, THB, baht, or after งบ/ค่าใช้จ่าย/ราคา);
    without any marker the first quantity is taken, since the question already asked for an amount.
    'ไม่ได้ใช้งบ' / 'ไม่มีค่าใช้จ่าย' is 0.
    """
    try:
        t = _prepare(prep(text))
        nums = drop_replaced(t, find_numbers(t))
        picked = pick_budget(t, nums)
        if picked is not None:
            return picked
        for s, _e, v in nums:
            if v >= 0 and not _PER_UNIT.search(t[max(0, s - 12): s]):
                return _whole(v)
        return None
    except Exception:
        return None
