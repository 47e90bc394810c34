"""LINE's monthly message quota, read by the scheduler and stored, so that a chat turn never calls LINE.

The ``line-quota`` job (bot/scheduler.py, every `DeliveryConfig.quota_refresh_seconds`) reads
`GET /v2/bot/message/quota` and `…/quota/consumption` outside any transaction and stores the figures
(`storage.models.outbox.LineQuota`); the officer's broadcast conversation reads the stored figure
(`stored_line_quota`, one primary-key read) to warn before a broadcast that would exceed what is left.
A figure older than `DeliveryConfig.quota_max_age_seconds`, or none at all, counts as unknown and the
check is skipped, as it is when LINE cannot be asked. The CLI (`khruakhai broadcast`) asks LINE directly:
it holds no turn.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
from sqlmodel import Session

from bot.clock import Clock
from bot.config import Settings
from storage.db import Database
from storage.models.outbox import LineQuota

log = logging.getLogger(__name__)

ROW_ID = 1


@dataclass
class Quota:
    limit: int | None  # None: no limit on this plan
    used: int
    known: bool = True  # False when LINE could not be asked (the check is then skipped)
    error: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def remaining(self) -> int | None:
        return None if self.limit is None else max(0, self.limit - self.used)

    def allows(self, needed: int) -> bool:
        return not self.known or self.limit is None or needed <= (self.remaining or 0)


def line_quota(settings: Settings) -> Quota:
    """`GET /v2/bot/message/quota` and `…/quota/consumption` (pushes and multicasts count against it)."""
    cfg = settings.delivery
    token = settings.line_channel_access_token
    if not token:
        return Quota(limit=None, used=0, known=False, error="LINE is not configured")
    base = settings.line_api_base_url.rstrip("/")
    headers = {"Authorization": f"Bearer {token.get_secret_value()}"}
    try:
        with httpx.Client(timeout=min(cfg.http_timeout, 10.0)) as client:
            q = client.get(f"{base}/v2/bot/message/quota", headers=headers)
            c = client.get(f"{base}/v2/bot/message/quota/consumption", headers=headers)
        q.raise_for_status()
        c.raise_for_status()
        quota, used = q.json(), int(c.json().get("totalUsage", 0))
    except (httpx.HTTPError, ValueError) as exc:
        log.warning("could not read the LINE quota: %s", exc)
        return Quota(limit=None, used=0, known=False, error=str(exc))
    limit = int(quota["value"]) if quota.get("type") == "limited" else None
    return Quota(limit=limit, used=used)


def refresh_line_quota(settings: Settings, db: Database, clock: Clock) -> Quota:
    """Ask LINE (no transaction open meanwhile) and store what it said; an unreadable quota is not stored
    (the last figure stays until it is too old to trust)."""
    quota = line_quota(settings)
    if quota.known:
        with db.session() as session:
            row = session.get(LineQuota, ROW_ID) or LineQuota(id=ROW_ID)
            row.monthly_limit, row.used, row.fetched_at = quota.limit, quota.used, clock.now()
            session.add(row)
    return quota


def stored_line_quota(session: Session, settings: Settings, now: datetime) -> Quota:
    """The quota as last read from LINE, or an unknown one when none was read lately."""
    row = session.get(LineQuota, ROW_ID)
    if row is None:
        return Quota(limit=None, used=0, known=False, error="not read from LINE yet")
    fetched = row.fetched_at if row.fetched_at.tzinfo else row.fetched_at.replace(tzinfo=timezone.utc)
    if now - fetched > timedelta(seconds=settings.delivery.quota_max_age_seconds):
        return Quota(limit=None, used=0, known=False, error=f"last read from LINE at {fetched.isoformat()}")
    return Quota(limit=row.monthly_limit, used=row.used)
