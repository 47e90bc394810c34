"""LINE's monthly quota (`line_quota`).

The outbox's senders are the channel adapters' bulk senders (`bot.channels.line.LineBulkSender`,
`bot.channels.telegram.TelegramBulkSender`): they share each channel's HTTP client and rate limiter with the
replies. Web messages go into `bot.web_inbox` in the drain's own transaction (`bot.delivery`).

Rates, retry and claim sizes are configurable with ``DELIVERY_*`` environment variables
(`bot.config.DeliveryConfig`, the ``delivery`` part of the settings).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import httpx

from bot.config import Settings

log = logging.getLogger(__name__)


# --- LINE monthly quota ---------------------------------------------------------------------------
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
