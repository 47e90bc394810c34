"""Shared pieces of the fakes: token buckets, fault injection, JSON responses."""

from __future__ import annotations

import json
import random
import threading
import time
from typing import Any

from starlette.responses import Response


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(body, ensure_ascii=False).encode("utf-8"), status_code=status,
                    headers=headers, media_type="application/json")


class TokenBucket:
    """Classic token bucket; ``take()`` returns 0 when allowed, else seconds until a token is free."""

    def __init__(self, rate: float, burst: float):
        self.rate = float(rate)
        self.burst = float(burst)
        self.tokens = float(burst)
        self.t = time.monotonic()
        self._lock = threading.Lock()

    def take(self) -> float:
        with self._lock:
            now = time.monotonic()
            self.tokens = min(self.burst, self.tokens + (now - self.t) * self.rate)
            self.t = now
            if self.tokens >= 1.0:
                self.tokens -= 1.0
                return 0.0
            return (1.0 - self.tokens) / self.rate


class Faults:
    """Deterministic fault injection: each eligible call draws once from a seeded RNG."""

    def __init__(self, fail_429: float = 0.0, fail_500: float = 0.0, accept_then_500: float = 0.0,
                 seed: int = 0):
        self.fail_429 = fail_429
        self.fail_500 = fail_500
        self.accept_then_500 = accept_then_500
        self.seed = seed
        self.rng = random.Random(seed)

    def reset(self) -> None:
        self.rng = random.Random(self.seed)

    def draw(self) -> str | None:
        """None, "429", "500" (nothing delivered) or "accept500" (delivered, then answered 500)."""
        if not (self.fail_429 or self.fail_500 or self.accept_then_500):
            return None
        x = self.rng.random()
        if x < self.fail_429:
            return "429"
        x -= self.fail_429
        if x < self.fail_500:
            return "500"
        x -= self.fail_500
        if x < self.accept_then_500:
            return "accept500"
        return None
