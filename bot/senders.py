"""The delivery engine's knobs (`DeliveryConfig`) and LINE's monthly quota (`line_quota`).

The outbox's senders are the channel adapters' bulk senders (`bot.channels.line.LineBulkSender`,
`bot.channels.telegram.TelegramBulkSender`): they share each channel's HTTP client and rate limiter with the
replies. Web messages go into `bot.web_inbox` in the drain's own transaction (`bot.delivery`).

Rates, retry and claim sizes are configurable with ``DELIVERY_*`` environment variables (`DeliveryConfig`).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import httpx
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.config import Settings

log = logging.getLogger(__name__)


class DeliveryConfig(BaseSettings):
    """Knobs of the delivery engine (env ``DELIVERY_<NAME>``)."""

    model_config = SettingsConfigDict(env_prefix="DELIVERY_", env_file=".env", env_file_encoding="utf-8",
                                      extra="ignore")

    # LINE token buckets per endpoint (requests/s, burst); LINE documents 200/s multicast, 2,000/s push.
    line_multicast_rate: float = 200.0
    line_multicast_burst: float = 5.0  # small: LINE counts per second and does not document a burst
    line_push_rate: float = 2000.0
    line_push_burst: float = 100.0
    line_multicast_size: int = 500  # user ids per multicast call (LINE's maximum is 500)
    line_concurrency: int = 32  # LINE calls in flight
    line_lookahead: int = 40  # batches planned (claimed, keys committed) ahead of the senders
    line_record_group: int = 20  # LINE batches whose outcomes are written in one transaction
    line_record_max_delay: float = 2.0  # s an outcome may wait while the planner still claims rows
    # Telegram: messages/s overall (bot-wide) and the minimum gap between two messages to one chat.
    telegram_rate: float = 30.0
    telegram_burst: float = 3.0  # lets the bucket make up for timer overshoot; still 30/s on average
    telegram_chat_interval: float = 1.05  # 1/s per chat, with a margin for network jitter
    telegram_concurrency: int = 32
    # Telegram messages "in flight": sent (or being sent) and their answer not yet committed. This is
    # the most a crash can send twice (the Bot API has no idempotency key); 8 carries 30/s up to a
    # round trip + commit of ~250 ms.
    telegram_in_flight: int = 8
    http_timeout: float = 15.0
    # Inline retries (inside one drain pass) for 429 / 5xx / timeouts.
    inline_retries: int = 4
    retry_base_seconds: float = 0.2  # first retry after 0.05–0.2 s, doubling up to the cap
    retry_cap_seconds: float = 8.0
    telegram_max_inline_wait: float = 30.0  # a longer retry_after goes back to the database
    # Rescheduling in the database after inline retries are used up; then failed for good.
    reschedule_base_seconds: float = 30.0
    reschedule_cap_seconds: float = 3600.0
    max_attempts: int = 8
    # Claims: a claimed row is reclaimable by another worker after the lease (a crashed process).
    lease_seconds: float = 120.0
    claim_line: int = 5000
    claim_telegram: int = 300
    claim_web: int = 500
    drain_interval_seconds: float = 3.0
    reminder_scan_seconds: float = 60.0
    broadcast_check_seconds: float = 15.0
    # Check the LINE monthly quota before a broadcast to at least this many LINE recipients.
    quota_check_min: int = 100


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


def line_quota(settings: Settings, cfg: DeliveryConfig | None = None) -> Quota:
    """`GET /v2/bot/message/quota` and `…/quota/consumption` (pushes and multicasts count against it)."""
    cfg = cfg or DeliveryConfig()
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
