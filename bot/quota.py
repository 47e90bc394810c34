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

from datetime import datetime, timedelta, timezone

from sqlmodel import Session

from bot.clock import Clock
from bot.config import Settings
from bot.senders import Quota, line_quota
from storage.db import Database
from storage.models.outbox import LineQuota

ROW_ID = 1


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
