"""The amount spent when a report names more than one sum of money, and dates that are not the activity's.

counts.pick_budget reads the common shapes (a total, an amount after งบ, expense items). Reports pasted
from forms and letters add three more, settled here so counts.py stays about single answers:

- an amount granted beside the amount used: 'ได้อนุมัติงบประมาณ 20,000 บาท … ใช้งบประมาณไปจริง 19,400 บาท',
  'งบประมาณที่ได้รับ: 10,000 / งบประมาณที่ใช้: 8,750' — what was used is the budget;
- a labelled bare figure: 'งบประมาณที่ใช้: 12500';
- a budget split between funders without a total: 'งบ อบต. 5,000 + สมทบจากชมรม 2,000' is 7,000.
"""
from __future__ import annotations

import re
from decimal import Decimal

from .counts import _PER_UNIT, _whole  # an amount per unit ('ชุดละ 250') is no sum; 19,400.00 is 19400

# What was used beats what was granted ('ค่าใช้จ่าย' counts as used).
_SPENT = re.compile(r"ใช้(?:งบ(?:ประมาณ)?|เงิน)?(?:ไป)?(?:จริง)?|จ่ายจริง")
_GRANTED = re.compile(r"อนุมัติ|ได้รับ|จัดสรร|ตั้งไว้|ขอ(?:งบ|ทุน)")
# An amount: marked as money, or a bare figure ending its line after a label ('งบประมาณที่ใช้: 12500').
_MONEY_END = re.compile(r"[^\S\n]*(?:บาท|บ\.|฿|thb|\.-)|[^\S\n]*(?:\n|$)")
# A sum split between funders: the line speaks of money and its amounts are joined by '+', with no total
# (a total, '= 7,000' or 'รวม', is read by counts.pick_budget).
_SPLIT_LINE = re.compile(r"งบ|สมทบ|เงิน|ทุน")
_TOTAL = re.compile(r"=|รวม|ทั้งหมด|ทั้งสิ้น")

# The dates of other things, from their cue to the end of the line: the next meeting, a deadline, a letter
# cited ('อ้างถึง หนังสือ … ลงวันที่ 1 ตุลาคม 2569').
_OTHER_DATE = re.compile(
    r"(?:(?:นัด(?:ประชุม)?|ประชุม)[^\S\n]*)?(?:ครั้ง|รอบ)(?:ต่อไป|หน้า)|กำหนดส่ง|ส่ง(?:รายงาน)?ภายใน|ภายในวันที่"
    r"|ลงวันที่|^[^\S\n]*อ้างถึง|deadline|next\s+(?:event|meeting)",
    re.MULTILINE,
)
_OTHER_DATE_LINE = re.compile(r"(?:" + _OTHER_DATE.pattern + r")[^\n]*", re.MULTILINE)


def mask_other_dates(t: str) -> str:
    """`t` with the dates of other things blanked (same length, so positions still hold)."""
    return _OTHER_DATE_LINE.sub(lambda m: " " * len(m.group()), t)


def _line(t: str, s: int) -> str:
    end = t.find("\n", s)
    return t[t.rfind("\n", 0, s) + 1: len(t) if end < 0 else end]


def adjust_budget(t: str, nums, picked: Decimal | None) -> Decimal | None:  # noqa: ANN001
    """The budget in prepared text `t` (numbers `nums` from numbers.find_numbers) given what
    counts.pick_budget `picked`; see the module docstring."""
    spent: list[Decimal] = []
    granted: list[Decimal] = []
    chains: list[list[Decimal]] = []
    chain: list[Decimal] = []
    prev = 0
    for s, e, v in nums:
        seg = t[max(prev, t.rfind("\n", 0, s) + 1): s]  # the words since the previous number on the line
        prev = e
        if v < 0 or _PER_UNIT.search(seg):
            chain = []
            continue
        if chain and seg.strip().startswith("+"):
            chain.append(v)
        else:
            line = _line(t, s)
            chain = [v] if _SPLIT_LINE.search(line) and not _TOTAL.search(line) else []
            chains.append(chain)
        if _MONEY_END.match(t, e):
            if _GRANTED.search(seg):
                granted.append(v)
            elif _SPENT.search(seg):
                spent.append(v)
    if spent and (picked is None or picked in granted):
        return _whole(spent[0])
    split = next((c for c in chains if len(c) >= 2), None)
    if picked is None and split:
        return _whole(sum(split, Decimal(0)))
    return picked
