"""How report values read in chat and cards (the member's form and the officers' side share them)."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from bot import i18n
from bot.context import Context
from storage.models.reports import ReportDeadline


def show_dates(value: Any, ctx: Context | None = None, locale: str | None = None) -> str:
    start, end = value
    return i18n.format_date_range(start, end, locale or (ctx.locale if ctx else "th"))


def show_money(value: Any, locale: str) -> str:
    amount = Decimal(value)
    text = f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,.2f}"
    return i18n.t("reports.baht", locale, amount=text)


def deadline_line(d: ReportDeadline, locale: str) -> str:
    return i18n.t("reports.deadline_line", locale, title=d.title, due=i18n.format_date(d.due_date, locale))
