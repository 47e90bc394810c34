"""Small helpers shared by the console pages: exports, kinds, province filter, paging."""
from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

from fastapi.responses import Response
from sqlmodel import Session, select

from bot.clock import clock
from bot.export import Column, write_csv, write_xlsx
from storage.models import Organization

PAGE_SIZE = 50


def export_response(fmt: str, columns: Sequence[Column], rows: Iterable[dict[str, Any]], name: str) -> Response:
    """A download through bot/export.py in the Thai layout: CSV in UTF-8 with a BOM (Excel reads Thai) or XLSX."""
    stamp = clock.today().isoformat()
    if fmt == "xlsx":
        buf = io.BytesIO()
        write_xlsx(buf, columns, rows, title=name)
        body, media = buf.getvalue(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        text = io.StringIO(newline="")
        write_csv(text, columns, rows, thai=True)  # the console downloads are for people: Thai layout
        body, media, fmt = ("\ufeff" + text.getvalue()).encode("utf-8"), "text/csv; charset=utf-8", "csv"
    return Response(body, media_type=media, headers={
        "Content-Disposition": f'attachment; filename="{name}-{stamp}.{fmt}"', "Cache-Control": "no-store"})


def provinces(session: Session) -> list[str]:
    """Provinces that have organizations (the national administrator's filter)."""
    return sorted(p for p in session.exec(select(Organization.province).distinct()) if p)


def page_of(value: str | None) -> int:
    try:
        return max(1, int(value or 1))
    except ValueError:
        return 1


def clean(value: str | None, max_len: int = 200) -> str | None:
    """A form value trimmed; empty becomes None."""
    if value is None:
        return None
    value = " ".join(value.split())[:max_len]
    return value or None
