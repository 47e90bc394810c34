"""The activity's answers asked one by one when the member's own words did not give them: dates,
participants, budget and where the money came from (each refusing the wrong kind, with a reason)."""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from bot.context import Context
from bot.forms import Invalid
from handlers.fields import parse_text

NO_BUDGET = re.compile(r"ไม่(?:ได้)?(?:ใช้|มี)(?:งบ|ค่าใช้จ่าย)|ไม่เสียค่าใช้จ่าย|no budget|no cost")


def parse_dates(raw: str, ctx: Context) -> list[date]:
    from bot.thai import parse_date_range

    found = parse_date_range(raw, today=ctx.today(), prefer="past")
    if found is None:
        raise Invalid()
    start, end = found
    if end > ctx.today():
        raise Invalid("reports.future_date")
    return [start, end]


def dates_prompt_values(ctx: Context) -> dict[str, object]:
    hint = ctx.data.get("hint_dates")
    return {"hint": ctx.t("reports.dates_doubtful", dates=hint) + "\n" if hint else ""}


def parse_participants(raw: str, ctx: Context) -> int:
    from bot.thai import parse_number, parse_people

    n = parse_people(raw)  # 'ชาย 12 หญิง 30 รวม 42 คน' is 42, 'วิทยากร 2 ท่าน ผู้เข้าอบรม 40 คน' is 40
    if n is None:
        n = parse_number(raw)
    if n is None or n != int(n) or not 0 < n <= 1_000_000:
        raise Invalid()
    return int(n)


def parse_budget(raw: str, ctx: Context) -> Decimal:
    from bot.thai import parse_money, parse_number

    if NO_BUDGET.search(raw):  # "ไม่ได้ใช้งบค่ะ"
        return Decimal(0)
    amount = parse_money(raw)
    if amount is None:
        n = parse_number(raw)
        amount = Decimal(str(n)) if n is not None else None
    if amount is None or amount < 0 or amount > Decimal(1_000_000_000):
        raise Invalid()
    return amount


def parse_funding(raw: str, ctx: Context) -> str:
    """Where the money came from: a name (สสส., อบต. …), never an amount ("12,500 บาท")."""
    from bot.thai import parse_money

    text = parse_text(2, 300)(raw, ctx)
    if parse_money(text) is not None and not re.search(r"[ก-๙A-Za-z]{2,}", re.sub(r"บาท|baht|thb", "", text, flags=re.I)):
        raise Invalid("reports.funding_is_amount")
    return text


def has_budget(values: dict[str, Any]) -> bool:
    return bool(values.get("budget")) or values.get("funding_source") is not None
