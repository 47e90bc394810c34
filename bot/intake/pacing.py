"""Pacing and retrying calls to a platform: token buckets, 429 storms, capped exponential backoff, and the
outcome of one delivery. Each channel adapter owns one set of buckets, which its replies, pushes and the
outbox's bulk sends all draw on."""
from __future__ import annotations

import asyncio
import random
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bot.intake.http import HttpResponse


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


class Storm:
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


def error_text(resp: HttpResponse) -> str:
    """LINE's or Telegram's reason for a refusal, short enough for a log line or a database column."""
    try:
        body = resp.json()
    except ValueError:
        return f"HTTP {resp.status}"
    if isinstance(body, dict):
        msg = body.get("message") or body.get("description") or ""
        details = body.get("details") or []
        if details:
            msg += " (" + "; ".join(f"{d.get('property', '')}: {d.get('message', '')}" for d in details[:3]) + ")"
        return f"HTTP {resp.status}: {msg}"[:480]
    return f"HTTP {resp.status}"


class ChatPacer:
    """At most one message per `interval` to each chat (Telegram: 1/s), then the overall bucket. Messages
    to one chat queue on that chat's lock; the gap counts from the platform's answer (`answered`), so a
    slow request followed by a fast one never lands two messages closer than the interval."""

    def __init__(self, interval: float, bucket: AsyncTokenBucket) -> None:
        self.interval = interval
        self.bucket = bucket
        self.next_for_chat: dict[Any, float] = {}  # monotonic time a chat may get its next message
        self.locks: dict[Any, asyncio.Lock] = {}

    async def slot(self, chat: Any) -> None:
        lock = self.locks.get(chat)
        if lock is None:
            lock = self.locks[chat] = asyncio.Lock()
        async with lock:
            wait = self.next_for_chat.get(chat, 0.0) - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            await self.bucket.acquire()
            self.next_for_chat[chat] = time.monotonic() + self.interval
        if len(self.next_for_chat) > 50_000:  # forget chats whose gap has long passed
            cutoff = time.monotonic() - 5
            for k in [k for k, v in self.next_for_chat.items() if v < cutoff and not self.locks[k].locked()]:
                del self.next_for_chat[k]
                del self.locks[k]

    def answered(self, chat: Any) -> None:
        self.hold(chat, self.interval)

    def hold(self, chat: Any, seconds: float) -> None:
        """No message to `chat` for `seconds` from now (a 429's retry_after)."""
        self.next_for_chat[chat] = max(self.next_for_chat.get(chat, 0.0), time.monotonic() + seconds)
