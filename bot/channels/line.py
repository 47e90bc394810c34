"""The LINE adapter: signed webhook events in, Messaging API out — over one HTTP client and one rate limiter.

* verify: ``X-Line-Signature`` = base64(HMAC-SHA256(channel secret, raw body)), constant time; else 400.
* parse: malformed JSON (nested too deeply included) or no ``{"events": [...]}`` → 400; ``{"events": []}``
  (LINE's "Verify" button) → 200. Events in ``standby`` mode and types we do not handle are acknowledged
  and ignored (`line_format.event_to_job`).
* send: the first chunk (≤ 5 messages) with the reply token while it is younger than 50 s; otherwise, when
  LINE rejects the token, and for further chunks, push with ``X-Line-Retry-Key`` = uuid5(event key, chunk):
  429/5xx/network errors are retried with the same key (409 = LINE already accepted it = sent); still
  failing → "later" (the event stays in the inbox and is recovered with the same keys).
* busy: the loading animation in 1:1 chats. before_turn: the profile (name, language), once per user.
* `LineBulkSender`: the outbox's multicast / push (bot/delivery.py) on the same client and token buckets,
  so replies, pushes and the outbox draw on one LINE limit.
The LINE SDK is used only by the CLI (rich menu setup); the lifecycle is `bot.intake.lifecycle`.
"""
from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import logging
import uuid
from collections import Counter, OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import orjson

from bot.channels.line_format import chunk_messages, event_to_job, to_line_messages
from bot.intake.contract import BadRequest, Header, Job, SendResult
from bot.intake.http import HttpClient, HttpError, HttpResponse, HttpTimeout
from bot.intake.pacing import AsyncTokenBucket, Outcome, ProgressFn, Storm, backoff, error_text
from bot.messages import ContentGone, Reply

log = logging.getLogger(__name__)

REPLY_TOKEN_MAX_AGE = 50.0  # seconds; LINE's tokens live about a minute
LOADING_AFTER = 1.0  # show the loading animation when a turn takes longer than this
LOADING_SECONDS = 20
PUSH_ATTEMPTS = 4
RETRY_NAMESPACE = uuid.UUID("6f1c1f7e-3c0b-4a52-9d0e-6b8f2b1d0c11")
PROFILES_KEPT = 50_000
GONE_STATUSES = (404, 410)  # content past LINE's keeping time


def verify_signature(secret: bytes, body: bytes, signature: str | None) -> bool:
    if not signature:
        return False
    expected = base64.b64encode(hmac.new(secret, body, hashlib.sha256).digest())
    return hmac.compare_digest(expected, signature.strip().encode("ascii", "replace"))


def chunk_retry_key(event_key: str, chunk: int) -> str:
    return str(uuid.uuid5(RETRY_NAMESPACE, f"{event_key}:{chunk}"))


class LineAdapter:
    name = "line"
    path = "/webhooks/line"
    reply_token_max_age = REPLY_TOKEN_MAX_AGE
    busy_in_groups = False
    unavailable = {"message": "temporarily unavailable"}

    def __init__(self, settings: Any, cfg: Any) -> None:
        token = settings.line_channel_access_token
        secret = settings.line_channel_secret
        self.secret = secret.get_secret_value().encode("utf-8") if secret else b""
        self.api = settings.line_api_base_url.rstrip("/")
        self.data = settings.line_data_api_base_url.rstrip("/")
        self.cfg = cfg
        self.busy_after = LOADING_AFTER
        self.http = HttpClient(headers={"Authorization": f"Bearer {token.get_secret_value() if token else ''}",
                                        "User-Agent": "khruakhai"},
                               timeout=cfg.http_timeout, max_connections=cfg.line_concurrency + 32)
        # LINE's limits per endpoint: every call of this process draws on them, replies included
        self.buckets = {"multicast": AsyncTokenBucket(cfg.line_multicast_rate, cfg.line_multicast_burst),
                        "push": AsyncTokenBucket(cfg.line_push_rate, cfg.line_push_burst)}
        self._profiles: OrderedDict[str, tuple[str | None, str | None]] = OrderedDict()
        self.stats = {"replied": 0, "pushed": 0, "failed": 0}

    # --- in ------------------------------------------------------------------------------------------
    def verify(self, body: bytes, header: Header) -> tuple[int, dict[str, Any]] | None:
        if verify_signature(self.secret, body, header("x-line-signature")):
            return None
        return 400, {"message": "invalid signature"}

    def parse(self, body: bytes) -> list[Job]:
        try:
            data = orjson.loads(body)
        except orjson.JSONDecodeError as exc:  # malformed, not UTF-8, or nested deeper than 1,024 levels
            raise BadRequest(400, {"message": "malformed JSON"}) from exc
        if not isinstance(data, dict) or not isinstance(data.get("events"), list):
            raise BadRequest(400, {"message": "not a LINE webhook body"})
        jobs = (event_to_job(e) for e in data["events"] if isinstance(e, dict))
        return [job for job in jobs if job is not None]

    async def before_turn(self, job: Job) -> dict[str, Any]:
        """The sender's display name and language, from the profile API the first time this process sees them."""
        uid = job.user_id
        if uid is None or job.msg.kind not in ("message", "follow"):
            return {}
        if uid not in self._profiles:
            name = language = None
            try:
                resp = await self._call("GET", f"{self.api}/v2/bot/profile/{uid}", None, timeout=3.0)
                if resp.ok:
                    profile = resp.json()
                    name, language = profile.get("displayName"), profile.get("language")
            except (HttpError, ValueError) as exc:  # a name is nice to have, never required
                log.info("LINE profile unavailable: %s", type(exc).__name__)
            self._profiles[uid] = (name, language)
            if len(self._profiles) > PROFILES_KEPT:
                self._profiles.popitem(last=False)
        name, language = self._profiles[uid]
        return {"display_name": name, "locale_hint": language} if name or language else {}

    async def start(self, admit: Callable[[list[Job]], Awaitable[int]]) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def aclose(self) -> None:
        await self.http.aclose()

    # --- out -----------------------------------------------------------------------------------------
    async def _call(self, method: str, url: str, body: Any, *, retry: str | None = None,
                    bucket: str = "push", timeout: float | None = None) -> HttpResponse:
        await self.buckets[bucket].acquire()
        headers = {"X-Line-Retry-Key": retry} if retry else None
        if body is None:
            return await self.http.request(method, url, headers=headers, timeout=timeout)
        return await self.http.post_json(url, body, headers=headers, timeout=timeout)

    async def busy(self, target: str) -> None:
        try:
            await self._call("POST", f"{self.api}/v2/bot/chat/loading/start",
                             {"chatId": target, "loadingSeconds": LOADING_SECONDS})
        except HttpError as exc:
            log.info("LINE loading animation failed: %s", type(exc).__name__)

    async def send(self, target: str, replies: list[Reply], *, reply_token: str | None = None,
                   retry_key: str | None = None) -> SendResult:
        result: SendResult = "sent"
        for i, chunk in enumerate(chunk_messages(to_line_messages(replies))):
            if i == 0 and reply_token:
                try:
                    resp = await self._call("POST", f"{self.api}/v2/bot/message/reply",
                                            {"replyToken": reply_token, "messages": chunk}, timeout=10.0)
                    if resp.ok:
                        self.stats["replied"] += 1
                        continue
                    log.info("LINE reply failed (%s); pushing instead", resp.status)
                except HttpError as exc:
                    log.info("LINE reply failed (%s); pushing instead", type(exc).__name__)
            key = chunk_retry_key(retry_key, i) if retry_key else str(uuid.uuid4())
            pushed = await self.push(target, chunk, key)
            if pushed is None:
                return "later"
            if not pushed:
                result = "refused"
        return result

    async def push(self, to: str, messages: list[dict[str, Any]], key: str) -> bool | None:
        """True: sent (or already sent under `key`); False: refused (4xx); None: still failing after retries."""
        delay = 1.0
        for attempt in range(PUSH_ATTEMPTS):
            try:
                resp = await self._call("POST", f"{self.api}/v2/bot/message/push", {"to": to, "messages": messages},
                                        retry=key, timeout=10.0)
                if resp.ok or resp.status == 409:  # 409: already accepted under this key
                    self.stats["pushed"] += 1
                    return True
                if 400 <= resp.status < 500 and resp.status != 429:
                    log.warning("LINE push refused (%s)", resp.status)
                    self.stats["failed"] += 1
                    return False
            except HttpError:
                pass
            if attempt + 1 < PUSH_ATTEMPTS:
                await asyncio.sleep(delay)
                delay *= 2
        self.stats["failed"] += 1
        return None

    async def fetch_content(self, ref: str) -> bytes:
        """A member's image; `ContentGone` when LINE no longer keeps it (404/410), `HttpError` otherwise."""
        resp = await self._call("GET", f"{self.data}/v2/bot/message/{ref}/content", None)
        if resp.status in GONE_STATUSES:
            raise ContentGone(ref)
        if not resp.ok:
            raise HttpError(f"LINE content {ref}: {error_text(resp)}")
        return resp.body

    def bulk_sender(self, cfg: Any) -> LineBulkSender:
        return LineBulkSender(self, cfg)


class LineBulkSender:
    """The outbox's LINE sender: multicast (same content, ≤ 500 users) and push, every call with the
    ``X-Line-Retry-Key`` stored with its batch (409 = delivered). 429 and 5xx/timeouts back off and retry
    inline; other 4xx fail with LINE's reason; "monthly limit" 429s fail (retrying cannot help)."""

    def __init__(self, adapter: LineAdapter, cfg: Any, *, owned: bool = False) -> None:
        self.adapter, self.cfg, self.owned = adapter, cfg, owned
        self.storm = Storm()
        self.calls: Counter[str] = Counter()  # "multicast 200", "push 409", "multicast timeout"...

    async def aclose(self) -> None:
        if self.owned:  # a shared adapter's client is closed with its channel
            await self.adapter.aclose()

    async def send(self, endpoint: str, recipients: Sequence[str], chunks: Sequence[list[dict[str, Any]]],
                   retry_keys: Sequence[str], start: int = 0, on_progress: ProgressFn = None,
                   unit: str | None = None) -> Outcome:
        """Send chunks[start:] to `recipients`, one call per chunk with its own key; `unit` names LINE's
        statistics unit (`customAggregationUnits`, bot/reach.py)."""
        for i in range(start, len(chunks)):
            outcome = await self._call(endpoint, recipients, chunks[i], retry_keys[i], unit)
            if outcome.status != "delivered":
                outcome.progress = i
                return outcome
            if on_progress is not None:
                await on_progress(i + 1)
        return Outcome("delivered", progress=len(chunks))

    async def _call(self, endpoint: str, recipients: Sequence[str], messages: list[dict[str, Any]],
                    key: str, unit: str | None) -> Outcome:
        to: Any = recipients[0] if endpoint == "push" else list(recipients)
        body: dict[str, Any] = {"to": to, "messages": messages}
        if unit:
            body["customAggregationUnits"] = [unit]
        url = f"{self.adapter.api}/v2/bot/message/{endpoint}"
        cfg, error = self.cfg, "?"
        for attempt in range(cfg.inline_retries + 1):
            if attempt:
                await asyncio.sleep(backoff(attempt - 1, cfg.retry_base_seconds, cfg.retry_cap_seconds))
            try:
                resp = await self.adapter._call("POST", url, body, retry=key, bucket=endpoint)
            except HttpTimeout:
                self.calls[f"{endpoint} timeout"] += 1
                error = "timeout"
                continue
            except HttpError as exc:
                self.calls[f"{endpoint} error"] += 1
                error = f"connection error: {exc}"
                continue
            self.calls[f"{endpoint} {resp.status}"] += 1
            if resp.ok or resp.status == 409:  # 409: this retry key was already accepted
                return Outcome("delivered")
            error = error_text(resp)
            if resp.status == 429:
                if "monthly limit" in error.lower():
                    return Outcome("failed", "LINE monthly message quota used up: " + error)
                if self.storm.hit():
                    self.adapter.buckets[endpoint].pause(backoff(attempt, cfg.retry_base_seconds, cfg.retry_cap_seconds))
                continue
            if resp.status >= 500:
                continue
            return Outcome("failed", error)
        return Outcome("retry", error)
