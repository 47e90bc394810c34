"""The Telegram channel: ``POST /webhooks/telegram`` (or long polling) in, Bot API (python-telegram-bot) out.

* Webhook: ``X-Telegram-Bot-Api-Secret-Token`` is compared with ``TELEGRAM_WEBHOOK_SECRET`` in constant
  time; a wrong or missing token → 403 (and when no secret is configured every webhook call is refused:
  set one, or use polling). Malformed JSON → 400. Anything else is stored in the durable inbox
  (`bot.intake.inbox`, key ``telegram:<update_id>``) and then answered 200 (503 if it could not be
  stored: Telegram retries); the work happens after, on the member's ordered queue
  (`queue.KeyedQueue`), like LINE.
* Long polling (``khruakhai serve --telegram-polling`` / ``TELEGRAM_POLLING=true``): the webhook is
  removed at start and ``getUpdates`` feeds the same inbox; the next ``getUpdates`` (which confirms the
  batch to Telegram) is only asked for once the batch is stored.
* ``update_id`` duplicates are dropped by the inbox insert (``ON CONFLICT DO NOTHING``) before any
  processing; Telegram redelivers when a webhook is slow, and polling can overlap restarts. Updates a
  dead process left unfinished are recovered after its lease (docs/channels.md).
* Commands: ``/start`` (a new chat: welcome and sign-up; a member: welcome back), ``/start CODE``
  (deep link ``t.me/<bot>?start=CODE``: links this account with a one-time code), ``/menu``, ``/help``,
  ``/cancel``, ``/lang [th|en]``. ``@botname`` suffixes (groups) are ignored.
* Buttons: choices are inline keyboards (`telegram_format`); a tap (callback query) is answered at once
  (so the client stops its spinner) and its data goes to the engine as a postback.
* Photos → the engine with an `Attachment` (``fetch_ref`` = the largest size's file_id); stickers,
  locations, voice, video, documents → "please type or tap". ``my_chat_member``: blocked → the member is
  marked unreachable (as a LINE unfollow); added to / removed from a group → join / leave.
* Sends: ``RetryAfter`` is honoured (waits and retries), ``Forbidden`` (blocked) marks the member
  unreachable. "typing…" is shown while a slow turn runs.
"""
from __future__ import annotations

import asyncio
import hmac
import json
import logging
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from bot import account_links, callback_values
from bot.intake.inbox import (
    Recovered,
    get_inbox,

)
from bot.intake.inbox_sql import message_from_json, message_to_json
from bot.intake import asgi, busy, queue
from bot.channels.telegram_format import to_ptb_kwargs, to_telegram_messages
from bot.intake.turns import get_turns
from bot.clock import db_now
from bot.messages import Address, Attachment, IncomingMessage, Reply, replies_from_json
from bot.runtime import Runtime

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"]
TYPING_AFTER = 1.0
SEND_ATTEMPTS = 4


@dataclass
class TgJob:
    msg: IncomingMessage
    event_key: str
    chat_id: int
    callback_query_id: str | None = None
    recovered: bool = False  # taken over from the inbox (an earlier process did not finish it)
    result: list[Any] | None = None  # the replies, when the turn already ran

    def to_json(self) -> dict[str, Any]:
        return {"msg": message_to_json(self.msg), "chat_id": self.chat_id}

    @classmethod
    def from_inbox(cls, item: Recovered) -> TgJob:
        p = item.payload
        return cls(message_from_json(p["msg"]), item.key, p["chat_id"], recovered=True,
                   result=item.result if item.status == "turned" else None)


def _command(text: str) -> tuple[str, str] | None:
    if not text.startswith("/"):
        return None
    head, _, arg = text.partition(" ")
    name = head[1:].split("@", 1)[0].lower()
    return name, arg.strip()


def update_to_job(update: Any) -> TgJob | None:  # a telegram.Update
    """One Update as a job, or None for updates we ignore (edits, channel posts, ...)."""
    key = f"telegram:{update.update_id}"
    if update.callback_query is not None:
        cq = update.callback_query
        chat = cq.message.chat if cq.message is not None else None
        user = cq.from_user
        value = callback_values.resolve_postback(cq.data) if cq.data else None
        msg = IncomingMessage(address=Address("telegram", str(user.id)), postback=value if value is not None else "menu",
                              event_id=str(update.update_id), received_at=db_now(),
                              locale_hint=user.language_code, display_name=user.full_name,
                              is_group=chat is not None and chat.type != "private")
        return TgJob(msg, key, chat.id if chat is not None else user.id, callback_query_id=cq.id)
    if update.my_chat_member is not None:
        mcm = update.my_chat_member
        chat, new, old = mcm.chat, mcm.new_chat_member.status, mcm.old_chat_member.status
        if chat.type == "private":
            if new == "kicked":
                return TgJob(IncomingMessage(address=Address("telegram", str(chat.id)), kind="unfollow",
                                             event_id=str(update.update_id), received_at=db_now()), key, chat.id)
            return None
        if new in ("member", "administrator") and old in ("left", "kicked"):
            kind = "join"
        elif new in ("left", "kicked"):
            kind = "leave"
        else:
            return None
        return TgJob(IncomingMessage(address=Address("telegram", str(chat.id)), kind=kind, is_group=True,
                                     event_id=str(update.update_id), received_at=db_now()), key, chat.id)
    message = update.message
    if message is None:
        return None
    chat = message.chat
    user = message.from_user
    who = user.id if user is not None else chat.id
    base: dict[str, Any] = dict(address=Address("telegram", str(who)), event_id=str(update.update_id),
                                received_at=db_now(), is_group=chat.type != "private",
                                locale_hint=user.language_code if user else None,
                                display_name=user.full_name if user else None)
    text = message.text
    if text is not None:
        cmd = _command(text)
        if cmd is not None:
            name, arg = cmd
            if name == "start":
                code = account_links.normalize_code(arg)
                if code is not None:
                    return TgJob(IncomingMessage(postback=f"go:account.redeem:{code}", **base), key, chat.id)
                return TgJob(IncomingMessage(kind="follow", **base), key, chat.id)
            if name in ("menu", "help", "cancel"):
                return TgJob(IncomingMessage(text=f"/{name}", **base), key, chat.id)
            if name in ("lang", "language"):
                target = arg.lower()[:2] if arg.lower()[:2] in ("th", "en") else None
                return TgJob(IncomingMessage(postback="go:language" + (f":{target}" if target else ""), **base),
                             key, chat.id)
        return TgJob(IncomingMessage(text=text, **base), key, chat.id)
    if message.photo:
        largest = max(message.photo, key=lambda p: (p.width or 0) * (p.height or 0))
        att = Attachment("image", fetch_ref=largest.file_id, content_type="image/jpeg")
        return TgJob(IncomingMessage(attachments=(att,), text=message.caption, **base), key, chat.id)
    if message.document is not None and (message.document.mime_type or "").startswith("image/"):
        att = Attachment("image", fetch_ref=message.document.file_id, content_type=message.document.mime_type)
        return TgJob(IncomingMessage(attachments=(att,), text=message.caption, **base), key, chat.id)
    if message.new_chat_members or message.left_chat_member is not None:
        return None  # group membership changes of people: my_chat_member covers the bot itself
    kind = ("sticker" if message.sticker else "location" if message.location else
            "audio" if (message.voice or message.audio) else "video" if message.video else
            "file" if message.document else "other")
    if message.location is not None:
        att = Attachment("location", latitude=message.location.latitude, longitude=message.location.longitude)
    else:
        att = Attachment(kind)  # type: ignore[arg-type]
    return TgJob(IncomingMessage(attachments=(att,), **base), key, chat.id)


class TelegramChannel:
    def __init__(self, runtime: Runtime) -> None:
        s = runtime.settings
        assert s.telegram_bot_token is not None
        self.runtime = runtime
        self.secret = s.telegram_webhook_secret.get_secret_value().encode("utf-8") if s.telegram_webhook_secret else None
        self.bot = make_bot(runtime.settings)
        self.queue = queue.KeyedQueue(self._process, name="telegram")
        self.inbox = get_inbox(runtime)
        self.turns = get_turns(runtime)  # engine turns, batched under load
        # Small database work besides the turns (linking codes, button values, unreachable marks) runs
        # on the turns' threads (SQLite: the process's one database thread, shared with the inbox).
        self.executor = self.turns.executor
        self.inbox.register("telegram", self._recover, lambda: self.queue.pending)
        self.poll_timeout = 25
        self._poller: asyncio.Task | None = None
        self._initialized = False
        self.stats = {"updates": 0, "duplicates": 0, "sent": 0, "failed": 0}

    async def _ensure_initialized(self) -> bool:
        if self._initialized:
            return True
        try:
            await self.bot.initialize()
            self._initialized = True
            account_links.telegram_username = self.bot.username
        except Exception as exc:  # noqa: BLE001
            log.warning("Telegram: getMe failed (%s); will retry on the next update", type(exc).__name__)
        return self._initialized

    async def start(self, runtime: Runtime):  # noqa: ANN201 - a startup hook
        callback_values.install_callback_store(runtime.db)
        await self._ensure_initialized()
        await self.inbox.start()  # recovers updates earlier processes accepted and did not finish
        if runtime.settings.telegram_polling:
            self._poller = asyncio.get_running_loop().create_task(self._poll(), name="telegram-polling")
            log.info("Telegram: long polling")
        return self.stop

    async def stop(self) -> None:
        await queue.cancel_and_wait(self._poller)
        self._poller = None
        await self.queue.drain(timeout=10.0)
        self.queue.cancel()
        await self.inbox.stop()
        if self._initialized:
            try:
                await self.bot.shutdown()
            except Exception:  # noqa: BLE001
                pass
            self._initialized = False

    # --- in --------------------------------------------------------------------------------------
    async def webhook(self, request: Request) -> Response:
        status, payload = await self.receive(await request.body(), request.headers.get)
        return Response(status_code=status) if payload is None else JSONResponse(payload, status_code=status)

    async def receive(self, body: bytes, header) -> tuple[int, dict[str, Any] | None]:  # noqa: ANN001
        """The webhook without a web framework around it (see `bot.intake.asgi.FastWebhooks`): (status, JSON body)."""
        given = header("x-telegram-bot-api-secret-token")
        if self.secret is None or given is None or not hmac.compare_digest(given.encode("utf-8"), self.secret):
            log.warning("Telegram webhook: missing or wrong secret token")
            return 403, {"ok": False, "description": "forbidden"}
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: nested too deeply
            return 400, {"ok": False, "description": "malformed JSON"}
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
            return 400, {"ok": False, "description": "not an Update"}
        try:
            await self.dispatch([data])
        except Exception:  # noqa: BLE001 - not stored: not acknowledged, Telegram retries
            return 503, {"ok": False, "description": "temporarily unavailable"}
        return 200, None

    async def dispatch(self, updates: list[dict[str, Any] | Any]) -> int:
        """Store updates (dicts from the webhook or PTB Updates from polling) in the inbox and queue the
        new ones; returns how many were new. Raises when the inbox could not store them."""
        from telegram import Update

        jobs = []
        for data in updates:
            try:
                update = Update.de_json(data, self.bot) if isinstance(data, dict) else data
                job = update_to_job(update)
            except Exception:  # noqa: BLE001 - an update we cannot read is acknowledged and dropped
                log.exception("Telegram: unreadable update")
                continue
            if job is not None:
                jobs.append(job)
        new, duplicates = await self.inbox.admit("telegram", jobs, self._submit)
        self.stats["updates"] += new
        self.stats["duplicates"] += duplicates
        return new

    def _submit(self, job: TgJob) -> None:
        self.queue.submit(str(job.msg.address), job)

    def _recover(self, item: Recovered) -> None:
        self._submit(TgJob.from_inbox(item))

    async def _poll(self) -> None:
        from telegram.error import Conflict, NetworkError, TimedOut

        await self._ensure_initialized()
        try:
            await self.bot.delete_webhook(drop_pending_updates=False)
        except Exception as exc:  # noqa: BLE001
            log.warning("Telegram: deleteWebhook failed (%s)", type(exc).__name__)
        offset: int | None = None
        while True:
            try:
                updates = await self.bot.get_updates(offset=offset, timeout=self.poll_timeout,
                                                     allowed_updates=ALLOWED_UPDATES,
                                                     read_timeout=self.poll_timeout + 10)
            except asyncio.CancelledError:
                raise
            except Conflict:
                log.warning("Telegram polling: conflict (a webhook or another poller is active)")
                await asyncio.sleep(5)
                continue
            except (TimedOut, NetworkError):
                await asyncio.sleep(1)
                continue
            except Exception:  # noqa: BLE001
                log.exception("Telegram polling failed")
                await asyncio.sleep(5)
                continue
            if not updates:
                continue
            try:  # stored before the next getUpdates confirms them to Telegram
                await self.dispatch(updates)
            except Exception:  # noqa: BLE001
                log.exception("Telegram polling: could not store updates; fetching them again")
                await asyncio.sleep(1)
                continue
            offset = updates[-1].update_id + 1

    # --- work --------------------------------------------------------------------------------------
    async def _process(self, job: TgJob) -> None:
        await self.inbox.process(job.event_key, lambda: self._work(job), "Telegram")

    async def _work(self, job: TgJob) -> None:
        loop = asyncio.get_running_loop()
        if job.callback_query_id and not job.recovered:
            await self._answer_callback(job.callback_query_id)
        if job.result is not None:  # the turn ran before a crash: only the replies are left to send
            replies = replies_from_json(job.result)
            if replies:
                await self.send(job.chat_id, replies, address=job.msg.address)
            return
        msg = job.msg
        if account_links.may_be_code(msg):
            msg = await loop.run_in_executor(self.executor, account_links.route_code, self.runtime.db, msg,
                                             self.runtime.clock.now())
        turn = asyncio.ensure_future(self.turns.turn(msg, job.event_key))
        replies = await busy.with_busy_indicator(turn, TYPING_AFTER, lambda: self._typing(job.chat_id),
                                                    self.turns.waiting)
        if replies:
            await self.send(job.chat_id, replies, address=msg.address)

    async def _answer_callback(self, callback_query_id: str) -> None:
        if not await self._ensure_initialized():
            return
        try:
            await self.bot.answer_callback_query(callback_query_id)
        except Exception as exc:  # noqa: BLE001 - too old to answer, or network: the tap still counts
            log.info("Telegram: answerCallbackQuery failed (%s)", type(exc).__name__)

    async def _typing(self, chat_id: int) -> None:
        try:
            await self.bot.send_chat_action(chat_id=chat_id, action="typing")
        except Exception:  # noqa: BLE001
            pass

    # --- out -------------------------------------------------------------------------------------
    async def send(self, chat_id: int | str, replies: list[Reply], *, address: Address | None = None) -> bool:
        from telegram.error import (
            BadRequest,
            Forbidden,
            NetworkError,
            RetryAfter,
            TimedOut,
        )

        if not await self._ensure_initialized():
            return False
        loop = asyncio.get_running_loop()
        # converting may remember long button values (a database write): keep it off the event loop
        messages = await loop.run_in_executor(self.executor, to_telegram_messages, replies)
        for message in messages:
            kwargs = to_ptb_kwargs(message)
            send = {"sendPhoto": self.bot.send_photo, "sendDocument": self.bot.send_document}.get(
                message.get("method", ""), self.bot.send_message)
            for attempt in range(SEND_ATTEMPTS):
                try:
                    await send(chat_id=chat_id, **kwargs)
                    self.stats["sent"] += 1
                    break
                except RetryAfter as exc:
                    wait = exc.retry_after.total_seconds() if hasattr(exc.retry_after, "total_seconds") \
                        else float(exc.retry_after)
                    await asyncio.sleep(min(wait, 60.0))
                except Forbidden:
                    log.info("Telegram: the member blocked the bot; marking unreachable")
                    if address is not None:
                        await loop.run_in_executor(self.executor, self._unreachable, address)
                    self.stats["failed"] += 1
                    return False
                except BadRequest as exc:
                    log.warning("Telegram refused a message: %s", exc.message)
                    self.stats["failed"] += 1
                    break
                except (TimedOut, NetworkError):
                    await asyncio.sleep(0.5 * (attempt + 1))
            else:
                self.stats["failed"] += 1
                return False
        return True

    def _unreachable(self, address: Address) -> None:
        self.runtime.engine.handle(IncomingMessage(address=address, kind="unfollow"))


def make_bot(settings: Any, *, pool: int = 32):  # noqa: ANN201 - telegram.Bot
    """A PTB `Bot` for our settings (base URL from TELEGRAM_API_BASE_URL, pooled HTTP client)."""
    from telegram import Bot
    from telegram.request import HTTPXRequest

    base = settings.telegram_api_base_url.rstrip("/")
    return Bot(settings.telegram_bot_token.get_secret_value(), base_url=f"{base}/bot",
               base_file_url=f"{base}/file/bot",
               request=HTTPXRequest(connection_pool_size=pool, read_timeout=15, write_timeout=15, connect_timeout=10),
               get_updates_request=HTTPXRequest(connection_pool_size=2, read_timeout=40))


async def fetch_telegram_file(runtime: Runtime, file_id: str) -> bytes:
    """The bytes of a photo or file a member sent (getFile + download)."""
    channel = getattr(runtime, "_telegram_channel", None)
    bot = channel.bot if channel is not None else make_bot(runtime.settings, pool=2)
    async with bot if channel is None else _nullctx():
        f = await bot.get_file(file_id)
        return bytes(await f.download_as_bytearray())


class _nullctx:
    async def __aenter__(self):  # noqa: ANN204
        return None

    async def __aexit__(self, *exc):  # noqa: ANN002, ANN204
        return False


def mount(app: FastAPI, runtime: Runtime) -> bool:
    s = runtime.settings
    if not s.telegram_enabled:
        log.info("Telegram channel off: set TELEGRAM_BOT_TOKEN to enable it")
        return False
    channel = TelegramChannel(runtime)
    runtime._telegram_channel = channel  # type: ignore[attr-defined]
    app.state.telegram_channel = channel
    app.add_route("/webhooks/telegram", channel.webhook, methods=["POST"], include_in_schema=False)
    asgi.fast_webhook(app, "/webhooks/telegram", channel.receive)  # POSTs skip the framework (hot path)
    app.state.startup_hooks.append(channel.start)
    if not s.telegram_webhook_secret and not s.telegram_polling:
        log.warning("Telegram: TELEGRAM_WEBHOOK_SECRET is not set, so the webhook refuses every call; "
                    "set it (then `khruakhai telegram set-webhook URL`) or run with --telegram-polling")
    return True
