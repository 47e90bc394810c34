"""Exports for Excel: CSV in UTF-8 with a BOM (Excel then reads Thai correctly) or XLSX with Thai headers.

Every export (organizations, registrations, reports; console downloads and CLI files) writes its cells
through `safe_cell`, so nothing a member typed can run as a formula in Excel or LibreOffice, and one odd
character in one name never breaks a whole file.
"""
from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

# A cell whose text starts with one of these is read as a formula (or a DDE call) by spreadsheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """One export cell made harmless: text that a spreadsheet would run as a formula is prefixed with
    ``'`` (shown as text), and characters XML cannot carry (NUL and other C0 controls) are removed.
    Numbers, dates and booleans pass unchanged (a negative number is a number, not a formula).
    Every CSV and XLSX writer calls this per cell, so streaming writers can call it too."""
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


@dataclass(frozen=True)
class Column:
    key: str  # CSV header and row key
    thai: str  # XLSX header
    thai_value: Any = None  # optional function value -> display value for XLSX (e.g. BE dates)


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return value


def write_csv(fh: Any, columns: Sequence[Column], rows: Iterable[dict[str, Any]]) -> None:
    writer = csv.writer(fh)
    writer.writerow([safe_cell(c.key) for c in columns])
    for row in rows:
        writer.writerow([safe_cell(_csv_value(row.get(c.key))) for c in columns])


def write_xlsx(fh: BinaryIO | str | Path, columns: Sequence[Column], rows: Iterable[dict[str, Any]],
               title: str = "export") -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    ws.append([safe_cell(c.thai) for c in columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        values = []
        for c in columns:
            v = row.get(c.key)
            if c.thai_value is not None and v is not None:
                v = c.thai_value(v)
            elif isinstance(v, bool):
                v = "ใช่" if v else "ไม่"
            elif isinstance(v, datetime) and v.tzinfo is not None:
                v = v.replace(tzinfo=None)  # Excel has no time zones
            values.append(safe_cell(v))
        ws.append(values)
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text is always a string cell, never a formula
    for idx, c in enumerate(columns, 1):
        ws.column_dimensions[ws.cell(row=1, column=idx).column_letter].width = max(12, min(40, len(c.thai) * 2))
    ws.freeze_panes = "A2"
    wb.save(fh)


def write_table(out: str | Path, fmt: str, columns: Sequence[Column], rows: Iterable[dict[str, Any]],
                title: str = "export") -> None:
    path = Path(out)
    if fmt == "csv":
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            write_csv(fh, columns, rows)
    elif fmt == "xlsx":
        write_xlsx(path, columns, rows, title=title)
    else:
        raise ValueError(f"unknown format {fmt!r}: use csv or xlsx")


def thai_date_value(value: date | datetime) -> str:
    from bot.i18n import format_date, format_datetime

    return format_datetime(value, "th") if isinstance(value, datetime) else format_date(value, "th")
