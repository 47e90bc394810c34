"""Reach: for each broadcast and reminder, delivered per channel and (LINE) opened / clicked; and the
organizations nobody can reach on LINE or Telegram, with their phone numbers (page and export).

Figures come from the outbox and from `reach_stats`, which a scheduled job fills from LINE's per-unit
statistics (bot/reach.py); this page never calls LINE.
"""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import func
from sqlmodel import col, select

from bot import i18n
from bot import reach
from bot.console import render
from bot.console.auth import Officer, current_officer
from bot.console.common import PAGE_SIZE, export_response, page_of
from bot.export import Column, safe_cell
from bot.reach_units import aggregation_unit
from storage.models import Broadcast

router = APIRouter()
REMINDERS_SHOWN = 20


def _figure(stat: Any, field: str, locale: str) -> str | None:
    """A LINE figure, or None when LINE has none (too few recipients, or not fetched yet)."""
    if stat is None:
        return None
    value = getattr(stat, field)
    return i18n.format_number(value) if value is not None else i18n.t("console.reach.too_few", locale)


def _text_of(content: list[dict[str, Any]]) -> str:
    for part in content or []:
        text = part.get("text") or (part.get("card") or {}).get("title")
        if text:
            return str(text)
    return "-"


@router.get("/reach")
def reach_page(request: Request, page: str | None = None, officer: Officer = Depends(current_officer)) -> Response:
    console = request.app.state.console
    n = page_of(page)
    with console.runtime.db.session() as session:
        stmt = select(Broadcast).where(col(Broadcast.status).in_(("sending", "done")))
        total_stmt = select(func.count()).select_from(Broadcast).where(col(Broadcast.status).in_(("sending", "done")))
        if not officer.national:
            stmt = stmt.where(Broadcast.scope_province == officer.province)
            total_stmt = total_stmt.where(Broadcast.scope_province == officer.province)
        broadcasts = list(session.exec(stmt.order_by(col(Broadcast.created_at).desc(), col(Broadcast.id).desc())
                                       .offset((n - 1) * PAGE_SIZE).limit(PAGE_SIZE)))
        total = session.exec(total_stmt).one()
        reminders = reach.reminder_contents(session, province=officer.province, offset=0, limit=REMINDERS_SHOWN)
        units = [aggregation_unit("broadcast", b.id, None) for b in broadcasts] + \
                [aggregation_unit("reminder", None, d) for d, _, _ in reminders]
        stats = reach.stats_for(session, [u for u in units if u])
        delivered = reach.delivered_by_broadcast(session, [b.id for b in broadcasts])  # type: ignore[misc]
        rows = []
        for b in broadcasts:
            unit = aggregation_unit("broadcast", b.id, None)
            rows.append({"kind": "broadcast", "id": b.id, "text": b.text, "when": b.scheduled_at,
                         "by": delivered[b.id], "stat": stats.get(unit)})  # type: ignore[arg-type, index]
        reminder_rows = []
        by_reminder = reach.delivered_by_reminder(session, [d for d, _, _ in reminders], province=officer.province)
        for digest, content, _n in reminders:
            unit = aggregation_unit("reminder", None, digest)
            reminder_rows.append({"kind": "reminder", "text": _text_of(content), "stat": stats.get(unit),  # type: ignore[arg-type]
                                  "by": by_reminder[digest]})
        reachable, unreachable = reach.reach_counts(session, province=officer.province)
    for row in rows + reminder_rows:
        row["opened"] = _figure(row["stat"], "opened", officer.locale)
        row["clicked"] = _figure(row["stat"], "clicked", officer.locale)
    return render(request, "reach.html", officer, active="reach", rows=rows, reminders=reminder_rows, page=n,
                  pages=max(1, -(-total // PAGE_SIZE)), reachable=reachable, unreachable=unreachable)


def _columns(locale: str) -> list[Column]:
    return [Column(key, i18n.t(f"console.unreachable.col.{key}", locale))
            for key in ("name", "province", "district", "contact", "org_phone", "member_phones")]


@router.get("/reach/unreachable")
def unreachable(request: Request, page: str | None = None, format: str | None = None,  # noqa: A002
                officer: Officer = Depends(current_officer)) -> Response:
    console = request.app.state.console
    if format in ("csv", "xlsx"):
        with console.runtime.db.session() as session:
            rows = [{k: safe_cell(v) for k, v in row.items()}
                    for row in reach.iter_unreachable_rows(session, province=officer.province)]
        return export_response(format, _columns(officer.locale), rows, "unreachable-organizations")
    n = page_of(page)
    with console.runtime.db.session() as session:
        reachable, total = reach.reach_counts(session, province=officer.province)
        orgs = reach.unreachable_orgs(session, province=officer.province, offset=(n - 1) * PAGE_SIZE, limit=PAGE_SIZE)
        phones = reach.member_phones(session, [o.id for o in orgs])  # type: ignore[misc]
    return render(request, "unreachable.html", officer, active="reach", orgs=orgs, phones=phones, page=n,
                  pages=max(1, -(-total // PAGE_SIZE)), total=total, reachable=reachable)
