"""Reach: who got what the office sent, and who cannot be reached at all.

* Delivered per channel: counted from the outbox (a broadcast's rows; a reminder's rows share a content).
* Opened / clicked on LINE: LINE's per-unit statistics (`GET /v2/bot/insight/message/event/aggregation`)
  of the unit each send carried (bot/reach_units.py). `fetch_statistics` is a scheduled job (never
  part of a conversation turn): it reads the units sent in the last 30 days, calls LINE outside any
  transaction and stores the figures in `reach_stats`. LINE answers nulls when fewer than 20 people
  received a unit: stored as None and shown as "น้อยเกินกว่าจะแสดง" (too few to show).
* Unreachable organizations: none of their consented members is reachable on LINE or Telegram.
  Counted and listed with set-based SQL (one NOT EXISTS), a page at a time.
"""
from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlmodel import Session, col

from bot.clock import db_now
from bot.runtime import Runtime
from storage.models import Member, MemberIdentity, Organization
from storage.models.outbox import DeliveryBatch, OutboxMessage, stored_content
from storage.models.tickets import ReachStat

log = logging.getLogger(__name__)
LINE_TZ = timezone(timedelta(hours=9))  # LINE's statistics dates are UTC+9
WINDOW_DAYS = 30  # LINE keeps per-unit statistics of a period of at most 30 days
REFRESH = timedelta(minutes=50)


# --- LINE statistics (the job) ---------------------------------------------------------------------
def units_to_fetch(session: Session, now: datetime) -> list[tuple[str, datetime]]:
    """(unit, first send) of units sent in the last 30 days whose figures are older than `REFRESH`."""
    first = func.min(DeliveryBatch.created_at)
    stmt = (select(DeliveryBatch.aggregation_unit, first)
            .where(col(DeliveryBatch.aggregation_unit).is_not(None),
                   col(DeliveryBatch.created_at) >= now - timedelta(days=WINDOW_DAYS))
            .group_by(DeliveryBatch.aggregation_unit))
    fresh = set(session.execute(select(ReachStat.unit).where(col(ReachStat.fetched_at) >= now - REFRESH)).scalars())
    return [(u, f) for u, f in session.execute(stmt) if u not in fresh]


def _day(dt: datetime) -> str:
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(LINE_TZ).strftime("%Y%m%d")


def fetch_statistics(runtime: Runtime, *, now: datetime | None = None, client: httpx.Client | None = None) -> int:
    """Fetch and store LINE's figures of every recent unit. Returns how many units were stored."""
    settings = runtime.settings
    if not settings.line_channel_access_token:
        return 0
    now = now or runtime.clock.now()
    with runtime.db.session() as session:
        todo = units_to_fetch(session, now)
    if not todo:
        return 0
    base = settings.line_api_base_url.rstrip("/")
    headers = {"Authorization": f"Bearer {settings.line_channel_access_token.get_secret_value()}"}
    own = client is None
    http = client or httpx.Client(timeout=15.0)
    stored = 0
    try:
        for unit, first in todo:
            start = first if first.tzinfo else first.replace(tzinfo=timezone.utc)
            end = min(now, start + timedelta(days=WINDOW_DAYS))
            try:
                resp = http.get(f"{base}/v2/bot/insight/message/event/aggregation", headers=headers,
                                params={"customAggregationUnit": unit, "from": _day(start), "to": _day(end)})
            except httpx.HTTPError as exc:
                log.warning("LINE statistics of %s failed: %s", unit, exc.__class__.__name__)
                continue
            if resp.status_code != 200:
                log.warning("LINE statistics of %s answered %s", unit, resp.status_code)
                continue
            body = resp.json()
            overview = body.get("overview") or {}
            with runtime.db.session() as session:
                row = session.get(ReachStat, unit) or ReachStat(unit=unit)
                row.opened = overview.get("uniqueImpression")
                row.clicked = overview.get("uniqueClick")
                row.details = {"clicks": [{"url": c.get("url"), "users": c.get("uniqueClick")}
                                          for c in body.get("clicks") or []][:20]}
                row.fetched_at = db_now()
                session.add(row)
            stored += 1
    finally:
        if own:
            http.close()
    return stored


# --- what the console shows -------------------------------------------------------------------------
def delivered_by_reminder(session: Session, digests: list[str], *, province: str | None = None
                          ) -> dict[str, dict[str, dict[str, int]]]:
    """{content hash: {channel: {status: n}}} of a page of reminders, in one grouped query (found through
    the content-hash index: filtering on ``kind`` first meant reading every reminder row once per reminder)."""
    out: dict[str, dict[str, dict[str, int]]] = {d: {} for d in digests}
    if not digests:
        return out
    stmt = (select(OutboxMessage.content_hash, OutboxMessage.channel, OutboxMessage.status, func.count())
            .where(col(OutboxMessage.content_hash).in_(digests), func.coalesce(OutboxMessage.kind, "") == "reminder"))
    if province is not None:
        stmt = stmt.join(Member, col(Member.id) == col(OutboxMessage.member_id)).join(
            Organization, col(Organization.id) == col(Member.organization_id)).where(Organization.province == province)
    for digest, channel, status, n in session.execute(
            stmt.group_by(OutboxMessage.content_hash, OutboxMessage.channel, OutboxMessage.status)):
        out[digest].setdefault(channel, {})[status] = int(n)
    return out


def delivered_by_broadcast(session: Session, broadcast_ids: list[int]) -> dict[int, dict[str, dict[str, int]]]:
    """{broadcast id: {channel: {status: n}}} of a page of broadcasts, in one grouped query."""
    out: dict[int, dict[str, dict[str, int]]] = {b: {} for b in broadcast_ids}
    if not broadcast_ids:
        return out
    stmt = (select(OutboxMessage.broadcast_id, OutboxMessage.channel, OutboxMessage.status, func.count())
            .where(col(OutboxMessage.broadcast_id).in_(broadcast_ids))
            .group_by(OutboxMessage.broadcast_id, OutboxMessage.channel, OutboxMessage.status))
    for broadcast_id, channel, status, n in session.execute(stmt):
        out[broadcast_id].setdefault(channel, {})[status] = int(n)
    return out


def reminder_contents(session: Session, *, province: str | None, offset: int, limit: int) -> list[tuple[str, Any, int]]:
    """(content hash, first row's content, recipients) of recent reminders, newest first."""
    if province is None:
        return _recent_reminders(session, offset=offset, limit=limit)
    stmt = (select(OutboxMessage.content_hash, func.max(OutboxMessage.id).label("last"), func.count())
            .where(OutboxMessage.kind == "reminder"))
    stmt = stmt.join(Member, col(Member.id) == col(OutboxMessage.member_id)).join(
        Organization, col(Organization.id) == col(Member.organization_id)).where(Organization.province == province)
    rows = session.execute(stmt.group_by(OutboxMessage.content_hash).order_by(func.max(OutboxMessage.id).desc())
                           .offset(offset).limit(limit)).all()
    out = []
    for digest, last, n in rows:
        content = session.execute(select(stored_content()).where(OutboxMessage.id == last)).scalar_one()
        out.append((digest, content, int(n)))
    return out


def _recent_reminders(session: Session, *, offset: int, limit: int) -> list[tuple[str, Any, int]]:
    """The whole country's page of reminders. Grouped on the content-hash index alone (its entries carry the
    row id: no row is read), newest group first, and only each group's last row read to see whether it is
    a reminder: filtering on ``kind`` in the grouping read every row of the outbox (0.4 s at 50,000
    organizations, whose event reminders are thousands of different cards)."""
    O = OutboxMessage
    out: list[tuple[str, Any, int]] = []
    skipped, start, step = 0, 0, max(50, 2 * (offset + limit))
    while len(out) < limit:
        groups = session.execute(select(O.content_hash, func.max(O.id), func.count()).group_by(O.content_hash)
                                 .order_by(func.max(O.id).desc()).offset(start).limit(step)).all()
        if not groups:
            break
        last_rows = {r.id: r for r in session.execute(select(O.id, O.kind, stored_content().label("content")).where(
            col(O.id).in_([last for _d, last, _n in groups])))}
        for digest, last, n in groups:
            row = last_rows[last]
            if row.kind != "reminder":
                continue
            if skipped < offset:
                skipped += 1
                continue
            out.append((digest, row.content, int(n)))
            if len(out) == limit:
                break
        start += step
    return out


def stats_for(session: Session, units: list[str]) -> dict[str, ReachStat]:
    if not units:
        return {}
    return {r.unit: r for r in session.execute(select(ReachStat).where(col(ReachStat.unit).in_(units))).scalars()}


# --- organizations nobody can reach ----------------------------------------------------------------
def _reachable_org_ids():  # noqa: ANN202
    """Ids of organizations with a consented member reachable on LINE or Telegram (the database builds the
    set once; a NOT EXISTS per organization probed members and identities 50,000 times)."""
    return (select(Member.organization_id).join(MemberIdentity, col(MemberIdentity.member_id) == col(Member.id))
            .where(col(Member.organization_id).is_not(None), col(Member.consent_at).is_not(None),
                   MemberIdentity.reachable == True,  # noqa: E712
                   col(MemberIdentity.channel).in_(("line", "telegram"))))


def reach_counts(session: Session, *, province: str | None) -> tuple[int, int]:
    """(organizations someone can be reached at, organizations nobody can): all organizations counted, and
    those with a reachable member counted once from the members' side (a join, not a NOT EXISTS per
    organization: 0.2 s → a fraction at 50,000 organizations)."""
    total = select(func.count()).select_from(Organization)
    reachable = _reachable_org_ids().with_only_columns(func.count(func.distinct(Member.organization_id)))
    if province is not None:
        total = total.where(Organization.province == province)
        reachable = reachable.join(Organization, col(Organization.id) == col(Member.organization_id)).where(
            Organization.province == province)
    n_total = int(session.execute(total).scalar_one())
    n_reachable = int(session.execute(reachable).scalar_one())
    return n_reachable, n_total - n_reachable


def unreachable_orgs(session: Session, *, province: str | None, offset: int = 0,
                     limit: int | None = None) -> list[Organization]:
    stmt = select(Organization).where(col(Organization.id).not_in(_reachable_org_ids()))
    if province is not None:
        stmt = stmt.where(Organization.province == province)
    stmt = stmt.order_by(col(Organization.province), col(Organization.name), col(Organization.id)).offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(session.execute(stmt).scalars())


def member_phones(session: Session, org_ids: list[int]) -> dict[int, list[tuple[str, str]]]:
    """(name, phone) of each organization's members who left a phone number."""
    out: dict[int, list[tuple[str, str]]] = {}
    if not org_ids:
        return out
    stmt = (select(Member.organization_id, Member.full_name, Member.phone)
            .where(col(Member.organization_id).in_(org_ids), col(Member.phone).is_not(None))
            .order_by(col(Member.id)))
    for org_id, name, phone in session.execute(stmt):
        out.setdefault(org_id, []).append((name or "-", phone))
    return out


def iter_unreachable_rows(session: Session, *, province: str | None, chunk: int = 500) -> Iterator[dict[str, Any]]:
    """Export rows, a chunk of organizations at a time (keyset on province, name, id would be nicer;
    offsets over one ordered NOT EXISTS are fine at the sizes of a province)."""
    offset = 0
    while True:
        orgs = unreachable_orgs(session, province=province, offset=offset, limit=chunk)
        if not orgs:
            return
        phones = member_phones(session, [o.id for o in orgs])  # type: ignore[misc]
        for org in orgs:
            people = phones.get(org.id, [])  # type: ignore[arg-type]
            yield {"name": org.name, "province": org.province, "district": org.district or "",
                   "contact": org.contact_name or "", "org_phone": org.phone or "",
                   "member_phones": ", ".join(f"{n} {p}" for n, p in people)}
        offset += chunk


