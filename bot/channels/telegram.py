"""The Telegram adapter: webhook updates (or long polling) in, Bot API out — over one HTTP client and one
rate limiter (`TelegramBulkSender`, the outbox's sender, draws on the same bucket as the replies).

* verify: ``X-Telegram-Bot-Api-Secret-Token`` equals ``TELEGRAM_WEBHOOK_SECRET`` (constant time); a wrong or
  missing token → 403, and with no secret configured every webhook call is refused (set one, or poll).
* parse: malformed JSON or no ``update_id`` → 400; the update itself is read by `telegram_format.update_to_job`.
* Long polling (``khruakhai serve --telegram-polling``): the webhook is removed at start and ``getUpdates``
  feeds the same intake; the next ``getUpdates`` (which confirms the batch to Telegram) is only asked for
  once the batch is stored.
* before_turn: a button tap is answered at once (the client stops its spinner). busy: "typing…".
* send: ``retry_after`` (429) is waited for and the message sent again, 403 (blocked) → the member is
  marked unreachable, other 4xx skip that message, network errors and 5xx are retried.
"""
from __future__ import annotations

import asyncio
import hmac
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import orjson

from bot import account_links
from bot.channels.telegram_format import to_telegram_messages, updates_to_jobs
from bot.intake.contract import BadRequest, Header, Job, SendResult
from bot.intake.http import HttpClient, HttpError, HttpResponse, HttpTimeout
from bot.intake.pacing import AsyncTokenBucket, ChatPacer, Outcome, ProgressFn, Storm, backoff, error_text
from bot.messages import ContentGone, Reply

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"]
TYPING_AFTER = 1.0
SEND_ATTEMPTS = 4
POLL_TIMEOUT = 25


class TelegramAdapter:
    name = "telegram"
    path = "/webhooks/telegram"
    reply_token_max_age = 0.0
    busy_after = TYPING_AFTER
    busy_in_groups = True
    unavailable = {"ok": False, "description": "temporarily unavailable"}

    def __init__(self, settings: Any, cfg: Any) -> None:
        token = settings.telegram_bot_token.get_secret_value() if settings.telegram_bot_token else ""
        secret = settings.telegram_webhook_secret
        self.secret = secret.get_secret_value().encode("utf-8") if secret else None
        base = settings.telegram_api_base_url.rstrip("/")
        self.url, self.file_url = f"{base}/bot{token}", f"{base}/file/bot{token}"
        self.polling = bool(settings.telegram_polling)
        self.cfg = cfg
        self.http = HttpClient(timeout=cfg.http_timeout, max_connections=cfg.telegram_concurrency + 32)
        self.bucket = AsyncTokenBucket(cfg.telegram_rate, cfg.telegram_burst)  # the bot's overall rate
        self._poller: asyncio.Task | None = None
        self.stats = {"sent": 0, "failed": 0}

    # --- in ------------------------------------------------------------------------------------------
    def verify(self, body: bytes, header: Header) -> tuple[int, dict[str, Any]] | None:
        given = header("x-telegram-bot-api-secret-token")
        if self.secret is None or given is None or not hmac.compare_digest(given.encode("utf-8"), self.secret):
            return 403, {"ok": False, "description": "forbidden"}
        return None

    def parse(self, body: bytes) -> list[Job]:
        try:
            data = orjson.loads(body)
        except orjson.JSONDecodeError as exc:  # malformed, not UTF-8, or nested deeper than 1,024 levels
            raise BadRequest(400, {"ok": False, "description": "malformed JSON"}) from exc
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
            raise BadRequest(400, {"ok": False, "description": "not an Update"})
        return updates_to_jobs([data])

    async def _know_username(self) -> None:
        """The bot's @username (getMe), for the deep links in account-link codes."""
        if account_links.telegram_username is not None:
            return
        try:
            resp = await self.call("getMe", {})
            if resp.ok:
                account_links.telegram_username = resp.json()["result"].get("username")
        except (HttpError, ValueError, KeyError) as exc:
            log.warning("Telegram: getMe failed (%s); will retry on the next update", type(exc).__name__)

    async def before_turn(self, job: Job) -> dict[str, Any]:
        await self._know_username()
        if job.callback_query_id and not job.recovered:
            try:  # too old to answer, or network: the tap still counts
                await self.call("answerCallbackQuery", {"callback_query_id": job.callback_query_id})
            except HttpError as exc:
                log.info("Telegram: answerCallbackQuery failed (%s)", type(exc).__name__)
        return {}

    async def start(self, admit: Callable[[list[Job]], Awaitable[int]]) -> None:
        await self._know_username()
        if self.polling:
            self._poller = asyncio.get_running_loop().create_task(self._poll(admit), name="telegram-polling")
            log.info("Telegram: long polling")

    async def stop(self) -> None:
        if self._poller is not None:
            self._poller.cancel()
            await asyncio.gather(self._poller, return_exceptions=True)
            self._poller = None

    async def aclose(self) -> None:
        await self.http.aclose()

    async def _poll(self, admit: Callable[[list[Job]], Awaitable[int]]) -> None:
        try:
            await self.call("deleteWebhook", {"drop_pending_updates": False})
        except HttpError as exc:
            log.warning("Telegram: deleteWebhook failed (%s)", type(exc).__name__)
        offset: int | None = None
        while True:
            try:
                resp = await self.call("getUpdates", {"offset": offset, "timeout": POLL_TIMEOUT,
                                                      "allowed_updates": ALLOWED_UPDATES}, timeout=POLL_TIMEOUT + 10)
                if resp.status == 409:
                    log.warning("Telegram polling: conflict (a webhook or another poller is active)")
                    await asyncio.sleep(5)
                    continue
                updates = resp.json().get("result") or [] if resp.ok else []
            except (HttpError, ValueError):
                await asyncio.sleep(1)
                continue
            if not updates:
                continue
            try:  # stored before the next getUpdates confirms them to Telegram
                await admit(updates_to_jobs(updates))
            except Exception:  # noqa: BLE001
                log.exception("Telegram polling: could not store updates; fetching them again")
                await asyncio.sleep(1)
                continue
            offset = updates[-1]["update_id"] + 1

    # --- out -----------------------------------------------------------------------------------------
    async def call(self, method: str, params: dict[str, Any], *, timeout: float | None = None) -> HttpResponse:
        body = {k: v for k, v in params.items() if v is not None}
        return await self.http.post_json(f"{self.url}/{method}", body, timeout=timeout)

    async def busy(self, target: str) -> None:
        try:
            await self.call("sendChatAction", {"chat_id": target, "action": "typing"})
        except HttpError:
            pass

    async def send(self, target: str, replies: list[Reply], *, reply_token: str | None = None,
                   retry_key: str | None = None) -> SendResult:
        for message in to_telegram_messages(replies):
            payload = dict(message)
            method = payload.pop("method", "sendMessage")
            for attempt in range(SEND_ATTEMPTS):
                await self.bucket.acquire()
                try:
                    resp = await self.call(method, {"chat_id": target, **payload})
                except HttpError:
                    await asyncio.sleep(0.5 * (attempt + 1))
                    continue
                if resp.ok:
                    self.stats["sent"] += 1
                    break
                if resp.status == 429:
                    await asyncio.sleep(min(_retry_after(resp), 60.0))
                elif resp.status == 403:
                    self.stats["failed"] += 1
                    return "unreachable"
                elif resp.status < 500:
                    log.warning("Telegram refused a message: %s", error_text(resp))
                    self.stats["failed"] += 1
                    break
                else:
                    await asyncio.sleep(0.5 * (attempt + 1))
            else:
                self.stats["failed"] += 1
                return "refused"
        return "sent"

    async def fetch_content(self, ref: str) -> bytes:
        """The bytes of a photo or file a member sent (getFile, then the download); `ContentGone` when
        Telegram no longer knows the file."""
        resp = await self.call("getFile", {"file_id": ref})
        if resp.status == 400 and "file" in error_text(resp).lower():  # "invalid file_id": Telegram forgot it
            raise ContentGone(ref)
        if not resp.ok:
            raise HttpError(f"Telegram getFile: {error_text(resp)}")
        data = await self.http.get(f"{self.file_url}/{resp.json()['result']['file_path']}")
        if data.status == 404:
            raise ContentGone(ref)
        if not data.ok:
            raise HttpError(f"Telegram file download: HTTP {data.status}")
        return data.body

    def bulk_sender(self, cfg: Any) -> TelegramBulkSender:
        return TelegramBulkSender(self, cfg)


def _retry_after(resp: HttpResponse) -> float:
    try:
        return float(resp.json().get("parameters", {}).get("retry_after", 1))
    except (ValueError, AttributeError):
        return 1.0


class TelegramBulkSender:
    """The outbox's Telegram sender: ≤ `telegram_rate` messages/s overall (the adapter's bucket) and ≤ 1/s per
    chat; a 429 waits ``retry_after`` (for that chat; for everyone when several arrive at once); 403 = the
    member blocked the bot = ``unreachable``."""

    def __init__(self, adapter: TelegramAdapter, cfg: Any, *, owned: bool = False) -> None:
        self.adapter, self.cfg, self.owned = adapter, cfg, owned
        # sent and not yet committed (see `send`): at most this many can be repeated by a crash
        self.in_flight = asyncio.Semaphore(max(1, cfg.telegram_in_flight))
        self.chats = ChatPacer(cfg.telegram_chat_interval, adapter.bucket)
        self.storm = Storm()
        self.calls: Counter[str] = Counter()

    async def aclose(self) -> None:
        if self.owned:
            await self.adapter.aclose()

    async def send(self, chat_id: int | str, payloads: Sequence[dict[str, Any]], start: int = 0,
                   on_progress: ProgressFn = None) -> Outcome:
        """Send payloads[start:] one call each. `on_progress(n)` is awaited after each part Telegram accepted,
        *while that part still counts as in flight*: the caller commits it there, so a crash can repeat at
        most `telegram_in_flight` messages (those sent and not yet committed)."""
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
        cfg, error = self.cfg, "?"
        for attempt in range(cfg.inline_retries + 1):
            await self.chats.slot(chat_id)
            resp: HttpResponse | None = None
            async with self.in_flight:  # until the answer is committed the message is ambiguous after a crash
                try:
                    resp = await self.adapter.call(method, body)
                except HttpTimeout:  # no idempotency key: it may have arrived; we prefer at-least-once
                    self.calls["sendMessage timeout"] += 1
                    error = "timeout"
                except HttpError as exc:
                    self.calls["sendMessage error"] += 1
                    error = f"connection error: {exc}"
                if resp is not None:
                    self.chats.answered(chat_id)
                    self.calls[f"sendMessage {resp.status}"] += 1
                    if resp.status == 200:
                        if on_delivered is not None:
                            await on_delivered()
                        return Outcome("delivered")
            if resp is None or resp.status >= 500:
                error = error if resp is None else error_text(resp)
                await asyncio.sleep(backoff(attempt, cfg.retry_base_seconds, cfg.retry_cap_seconds))
                continue
            error = error_text(resp)
            if resp.status == 429:
                wait = _retry_after(resp)
                if self.storm.hit():
                    self.adapter.bucket.pause(wait)
                if wait > cfg.telegram_max_inline_wait:
                    return Outcome("retry", error, retry_after=wait)
                self.chats.hold(chat_id, wait)
                continue
            if resp.status == 403:
                return Outcome("unreachable", error)
            return Outcome("failed", error)
        return Outcome("retry", error)
