"""Exports for Excel: CSV in UTF-8 with a BOM (Excel then reads Thai correctly) or XLSX with Thai headers.

Every export (organizations, registrations, reports; console downloads and CLI files) writes its cells
through `safe_cell`, so nothing a member typed can run as a formula in Excel or LibreOffice, and one odd
character in one name never breaks a whole file.

`write_csv` and `write_xlsx` take rows as an iterable and write them one at a time (XLSX in openpyxl's
write-only mode), so memory stays flat whether there are 50 rows or 50,000.
"""
from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from itertools import chain, islice
from pathlib import Path
from typing import Any, BinaryIO


# The C0 controls XML 1.0 cannot carry (openpyxl's own ILLEGAL_CHARACTERS_RE; importing openpyxl for it
# cost the server's start-up ~0.1 s).
ILLEGAL_CHARACTERS_RE = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")

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


Progress = Callable[[int], None]  # called with the number of rows written so far
PROGRESS_EVERY = 1000


@dataclass(frozen=True)
class Column:
    key: str  # CSV header and row key
    thai: str  # XLSX header
    thai_value: Any = None  # optional function value -> display value in the Thai layout (e.g. BE dates)


def _csv_value(value: Any) -> Any:  # noqa: ANN401
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return value


def thai_cell(column: Column, value: Any) -> Any:  # noqa: ANN401
    """A cell in the Thai layout (the console's downloads, `--thai`): the column's own Thai wording when it
    has one, yes/no in Thai, times in Bangkok and dates with Buddhist-Era years, nothing for a missing value."""
    from bot.i18n import format_date, format_datetime

    if value is None or value == "":
        return ""
    if column.thai_value is not None:
        return column.thai_value(value)
    if isinstance(value, bool):
        return "ใช่" if value else "ไม่"
    if isinstance(value, datetime):
        return format_datetime(value, "th")
    if isinstance(value, date):
        return format_date(value, "th")
    if isinstance(value, Decimal):
        return float(value)
    return value


def write_csv(fh: Any, columns: Sequence[Column], rows: Iterable[dict[str, Any]],  # noqa: ANN401
              progress: Progress | None = None, *, thai: bool = False) -> int:
    """Write the header and each row as it comes; returns the number of rows. By default the documented
    machine-readable layout (keys, ISO times in UTC, true/false) scripts read; `thai` for people."""
    writer = csv.writer(fh)
    writer.writerow([safe_cell(c.thai if thai else c.key) for c in columns])
    n = 0
    for n, row in enumerate(rows, 1):
        writer.writerow([safe_cell(thai_cell(c, row.get(c.key)) if thai else _csv_value(row.get(c.key)))
                         for c in columns])
        if progress is not None and n % PROGRESS_EVERY == 0:
            progress(n)
    if progress is not None:
        progress(n)
    return n


SIZE_SAMPLE = 200  # rows looked at to size the columns (the writers stream; widths come first)


def _display_width(value: Any) -> int:  # noqa: ANN401
    """Roughly how many characters wide a cell shows: Thai vowel and tone marks take no width."""
    import unicodedata

    return sum(1 for ch in str(value) if not unicodedata.combining(ch) and unicodedata.category(ch) != "Mn")


def column_widths(columns: Sequence[Column], sample: Sequence[Sequence[Any]]) -> list[int]:
    """Each column as wide as its header or its longest value in the sample, within 8–60 characters."""
    widths = []
    for idx, c in enumerate(columns):
        longest = max([_display_width(c.thai)] + [_display_width(r[idx]) for r in sample if r[idx] not in (None, "")])
        widths.append(max(8, min(60, longest + 2)))
    return widths


def write_xlsx(fh: BinaryIO | str | Path, columns: Sequence[Column], rows: Iterable[dict[str, Any]],
               title: str = "export", progress: Progress | None = None) -> int:
    """An XLSX written in openpyxl's write-only mode (rows go to a temporary file as they come, not into a
    worksheet in memory); bold Thai headers, frozen header row. Returns the number of rows."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title[:31])
    cells = ([safe_cell(thai_cell(c, row.get(c.key))) for c in columns] for row in rows)
    sample = list(islice(cells, SIZE_SAMPLE))
    for idx, width in enumerate(column_widths(columns, sample), 1):
        ws.column_dimensions[get_column_letter(idx)].width = width
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    # Text cells start with no formula character once through `safe_cell`, so openpyxl writes them as text.
    header = []
    for c in columns:
        cell = WriteOnlyCell(ws, value=safe_cell(c.thai))
        cell.font = bold
        header.append(cell)
    ws.append(header)
    n = 0
    for n, values in enumerate(chain(sample, cells), 1):
        ws.append(values)
        if progress is not None and n % PROGRESS_EVERY == 0:
            progress(n)
    if progress is not None:
        progress(n)
    wb.save(fh)
    return n


def write_table(out: str | Path, fmt: str, columns: Sequence[Column], rows: Iterable[dict[str, Any]],
                title: str = "export", progress: Progress | None = None, *, thai: bool = False) -> int:
    """Write `rows` to the file `out` as CSV (machine layout, or `thai`) or XLSX (Thai); returns the row count."""
    path = Path(out)
    if fmt == "csv":
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            return write_csv(fh, columns, rows, progress, thai=thai)
    if fmt == "xlsx":
        return write_xlsx(path, columns, rows, title=title, progress=progress)
    raise ValueError(f"unknown format {fmt!r}: use csv or xlsx")


def thai_date_value(value: date | datetime) -> str:
    from bot.i18n import format_date, format_datetime

    return format_datetime(value, "th") if isinstance(value, datetime) else format_date(value, "th")
