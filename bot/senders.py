"""Senders used by the outbox drain: LINE (multicast / push), Telegram (sendMessage) and the web inbox.

Each sender paces itself with token buckets and retries what is worth retrying *inline* (a few tries
with capped exponential backoff and full jitter); what still fails comes back as ``retry`` and the
drain reschedules it in the database (`bot.delivery`).

* LINE: multicast for the same content to ≤500 users, push for one. Every call carries the
  ``X-Line-Retry-Key`` decided (and stored with its batch) before the first try, so a retry after a
  timeout or a 5xx cannot send twice: 409 means LINE already accepted it = delivered. 429 (no
  Retry-After on LINE) and 5xx/timeouts back off and retry; any other 4xx is ``failed`` with LINE's
  reason and never retried; "monthly limit" 429s are failed too (retrying cannot help).
* Telegram: ≤30 messages/s overall and ≤1/s per chat; a 429 waits ``parameters.retry_after`` (for that
  chat; for everyone when several arrive at once); 403 = the member blocked the bot = ``unreachable``.
* Web: the message goes into `bot.web_inbox` in the drain's own transaction (exactly once for free).

Rates, retry and claim sizes are configurable with ``DELIVERY_*`` environment variables
(`bot.config.DeliveryConfig`, the ``delivery`` part of the settings).
"""
from __future__ import annotations

import asyncio
import logging
import random
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
from bot.config import DeliveryConfig, Settings

log = logging.getLogger(__name__)


def backoff(attempt: int, base: float, cap: float) -> float:
    """Capped exponential backoff with full jitter: uniform(0, min(cap, base·2^attempt)), at least base/4."""
    return max(base / 4, random.uniform(0, min(cap, base * (2 ** attempt))))


class AsyncTokenBucket:
    """A token bucket for one event loop: `await acquire()` waits for a token."""

    def __init__(self, rate: float, burst: float) -> None:
        self.rate = float(rate)
        self.burst = max(1.0, float(burst))
        self.tokens = self.burst
        self.t = time.monotonic()
        self.paused_until = 0.0

    def pause(self, seconds: float) -> None:
        self.paused_until = max(self.paused_until, time.monotonic() + seconds)
        self.tokens = 0.0

    async def acquire(self) -> None:
        while True:
            now = time.monotonic()
            if now < self.paused_until:
                await asyncio.sleep(self.paused_until - now)
                continue
            self.tokens = min(self.burst, self.tokens + (now - self.t) * self.rate)
            self.t = now
            if self.tokens >= 1.0:
                self.tokens -= 1.0
                return
            await asyncio.sleep((1.0 - self.tokens) / self.rate)


class _Storm:
    """Notices several 429s in a short window (a real rate limit, not one unlucky call)."""

    def __init__(self, threshold: int = 3, window: float = 1.0) -> None:
        self.threshold = threshold
        self.window = window
        self.times: deque[float] = deque()

    def hit(self) -> bool:
        now = time.monotonic()
        self.times.append(now)
        while self.times and now - self.times[0] > self.window:
            self.times.popleft()
        return len(self.times) >= self.threshold


@dataclass
class Outcome:
    status: str  # delivered | retry | failed | unreachable
    error: str | None = None
    progress: int = 0  # chunks (LINE) / parts (Telegram) done
    retry_after: float | None = None


ProgressFn = Callable[[int], Awaitable[None]] | None


def _error_text(resp: httpx.Response) -> str:
    try:
        body = resp.json()
    except ValueError:
        return f"HTTP {resp.status_code}"
    if isinstance(body, dict):
        msg = body.get("message") or body.get("description") or ""
        details = body.get("details") or []
        if details:
            msg += " (" + "; ".join(f"{d.get('property', '')}: {d.get('message', '')}" for d in details[:3]) + ")"
        return f"HTTP {resp.status_code}: {msg}"[:480]
    return f"HTTP {resp.status_code}"


class LineSender:
    def __init__(self, settings: Settings, cfg: DeliveryConfig, client: httpx.AsyncClient | None = None) -> None:
        token = settings.line_channel_access_token
        self.token = token.get_secret_value() if token else ""
        self.base = settings.line_api_base_url.rstrip("/")
        self.cfg = cfg
        self.client = client or httpx.AsyncClient(timeout=cfg.http_timeout,
                                                  limits=httpx.Limits(max_connections=cfg.line_concurrency + 8))
        self.buckets = {"multicast": AsyncTokenBucket(cfg.line_multicast_rate, cfg.line_multicast_burst),
                        "push": AsyncTokenBucket(cfg.line_push_rate, cfg.line_push_burst)}
        self.storm = _Storm()
        self.calls: Counter[str] = Counter()  # "multicast 200", "push 409", "multicast timeout"...

    async def aclose(self) -> None:
        await self.client.aclose()

    async def send(self, endpoint: str, recipients: Sequence[str], chunks: Sequence[list[dict[str, Any]]],
                   retry_keys: Sequence[str], start: int = 0, on_progress: ProgressFn = None,
                   unit: str | None = None) -> Outcome:
        """Send chunks[start:] (each ≤5 messages) to `recipients`, one call per chunk with its own key;
        `unit` names LINE's statistics unit (`customAggregationUnits`, bot/reach.py)."""
        for i in range(start, len(chunks)):
            outcome = await self._call(endpoint, recipients, chunks[i], retry_keys[i], unit)
            if outcome.status != "delivered":
                outcome.progress = i
                return outcome
            if on_progress is not None:
                await on_progress(i + 1)
        return Outcome("delivered", progress=len(chunks))

    async def _call(self, endpoint: str, recipients: Sequence[str], messages: list[dict[str, Any]],
                    retry_key: str, unit: str | None = None) -> Outcome:
        if endpoint == "push":
            url, body = f"{self.base}/v2/bot/message/push", {"to": recipients[0], "messages": messages}
        else:
            url, body = f"{self.base}/v2/bot/message/multicast", {"to": list(recipients), "messages": messages}
        if unit:
            body["customAggregationUnits"] = [unit]
        headers = {"Authorization": f"Bearer {self.token}", "X-Line-Retry-Key": retry_key}
        bucket = self.buckets[endpoint]
        error = "?"
        for attempt in range(self.cfg.inline_retries + 1):
            if attempt:
                await asyncio.sleep(backoff(attempt - 1, self.cfg.retry_base_seconds, self.cfg.retry_cap_seconds))
            await bucket.acquire()
            try:
                resp = await self.client.post(url, json=body, headers=headers)
            except httpx.TimeoutException:
                self.calls[f"{endpoint} timeout"] += 1
                error = "timeout"
                continue
            except httpx.TransportError as exc:
                self.calls[f"{endpoint} error"] += 1
                error = f"connection error: {exc.__class__.__name__}"
                continue
            self.calls[f"{endpoint} {resp.status_code}"] += 1
            status = resp.status_code
            if 200 <= status < 300 or status == 409:  # 409: this retry key was already accepted
                return Outcome("delivered")
            error = _error_text(resp)
            if status == 429:
                if "monthly limit" in error.lower():
                    return Outcome("failed", "LINE monthly message quota used up: " + error)
                if self.storm.hit():
                    bucket.pause(backoff(attempt, self.cfg.retry_base_seconds, self.cfg.retry_cap_seconds))
                continue
            if status >= 500:
                continue
            return Outcome("failed", error)
        return Outcome("retry", error)


class TelegramSender:
    def __init__(self, settings: Settings, cfg: DeliveryConfig, client: httpx.AsyncClient | None = None) -> None:
        token = settings.telegram_bot_token
        self.url = f"{settings.telegram_api_base_url.rstrip('/')}/bot{token.get_secret_value() if token else ''}"
        self.cfg = cfg
        self.client = client or httpx.AsyncClient(
            timeout=cfg.http_timeout, limits=httpx.Limits(max_connections=cfg.telegram_concurrency + 8))
        self.bucket = AsyncTokenBucket(cfg.telegram_rate, cfg.telegram_burst)
        # sent and not yet committed (see `send`): at most this many can be repeated by a crash
        self.in_flight = asyncio.Semaphore(max(1, cfg.telegram_in_flight))
        self.next_for_chat: dict[Any, float] = {}  # monotonic time a chat may get its next message
        self.chat_locks: dict[Any, asyncio.Lock] = {}
        self.storm = _Storm()
        self.calls: Counter[str] = Counter()

    async def aclose(self) -> None:
        await self.client.aclose()

    async def _slot(self, chat_id: Any) -> None:
        """Wait until this chat may get a message (≥ chat_interval after the last one actually sent to
        it), then for the global rate. Messages to one chat queue on that chat's lock."""
        lock = self.chat_locks.get(chat_id)
        if lock is None:
            lock = self.chat_locks[chat_id] = asyncio.Lock()
        async with lock:
            wait = self.next_for_chat.get(chat_id, 0.0) - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            await self.bucket.acquire()
            self.next_for_chat[chat_id] = time.monotonic() + self.cfg.telegram_chat_interval
        if len(self.next_for_chat) > 50_000:  # forget chats whose gap has long passed
            cutoff = time.monotonic() - 5
            for k in [k for k, v in self.next_for_chat.items() if v < cutoff and not self.chat_locks[k].locked()]:
                del self.next_for_chat[k]
                del self.chat_locks[k]

    async def send(self, chat_id: int | str, payloads: Sequence[dict[str, Any]], start: int = 0,
                   on_progress: ProgressFn = None) -> Outcome:
        """Send payloads[start:] one ``sendMessage`` each. `on_progress(n)` is awaited after each part
        Telegram accepted, *while that part still counts as in flight*: the caller commits it there,
        so a crash can repeat at most `telegram_in_flight` messages (those sent and not yet committed)."""
        for i in range(start, len(payloads)):
            n = i + 1
            outcome = await self._call(chat_id, payloads[i],
                                       on_delivered=(lambda n=n: on_progress(n)) if on_progress else None)
            if outcome.status != "delivered":
                outcome.progress = i
                return outcome
        return Outcome("delivered", progress=len(payloads))

    async def _call(self, chat_id: int | str, payload: dict[str, Any],
                    on_delivered: Callable[[], Awaitable[None]] | None = None) -> Outcome:
        body = {"chat_id": chat_id, **payload}
        method = body.pop("method", "sendMessage")  # sendPhoto / sendDocument for media
        error = "?"
        for attempt in range(self.cfg.inline_retries + 1):
            await self._slot(chat_id)
            # From the request until the caller committed the answer the message is ambiguous (a crash
            # then cannot tell whether it arrived); only `in_flight` messages may be in that state.
            async with self.in_flight:
                try:
                    resp = await self.client.post(f"{self.url}/{method}", json=body)
                except httpx.TimeoutException:
                    resp = None
                    # Telegram has no idempotency key: a timed-out send may have arrived. Retrying risks a
                    # duplicate, not retrying risks a loss; like most senders we prefer at-least-once.
                    self.calls["sendMessage timeout"] += 1
                    error = "timeout"
                except httpx.TransportError as exc:
                    resp = None
                    self.calls["sendMessage error"] += 1
                    error = f"connection error: {exc.__class__.__name__}"
                if resp is not None:
                    # Telegram times the chat's gap by when messages arrive: count the next gap from the
                    # answer (after this one arrived), not from when it left, so a slow request followed
                    # by a fast one never lands two messages closer than the interval.
                    self.next_for_chat[chat_id] = max(self.next_for_chat.get(chat_id, 0.0),
                                                      time.monotonic() + self.cfg.telegram_chat_interval)
                    self.calls[f"sendMessage {resp.status_code}"] += 1
                    if resp.status_code == 200:
                        if on_delivered is not None:
                            await on_delivered()
                        return Outcome("delivered")
            if resp is None:
                await asyncio.sleep(backoff(attempt, self.cfg.retry_base_seconds, self.cfg.retry_cap_seconds))
                continue
            status = resp.status_code
            error = _error_text(resp)
            if status == 429:
                try:
                    wait = float(resp.json().get("parameters", {}).get("retry_after", 1))
                except (ValueError, AttributeError):
                    wait = 1.0
                if self.storm.hit():
                    self.bucket.pause(wait)
                if wait > self.cfg.telegram_max_inline_wait:
                    return Outcome("retry", error, retry_after=wait)
                self.next_for_chat[chat_id] = max(self.next_for_chat.get(chat_id, 0.0), time.monotonic() + wait)
                continue
            if status == 403:
                return Outcome("unreachable", error)
            if status >= 500:
                await asyncio.sleep(backoff(attempt, self.cfg.retry_base_seconds, self.cfg.retry_cap_seconds))
                continue
            return Outcome("failed", error)
        return Outcome("retry", error)


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
