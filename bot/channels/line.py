"""The LINE channel: ``POST /webhooks/line`` in, Messaging API (line-bot-sdk v3) out.

The webhook answers fast and does the work after:

1. Verify ``X-Line-Signature`` = base64(HMAC-SHA256(channel secret, raw body)) in constant time; a
   missing or wrong signature → 400 and nothing is stored or processed. Malformed JSON (nested too
   deeply included), or a body that is not ``{"events": [...]}`` → 400. ``{"events": []}`` (LINE's
   "Verify" button) → 200.
2. Turn every event into a job and store it in the durable inbox (`bot.intake.inbox`): one
   ``INSERT ... ON CONFLICT DO NOTHING`` of ``line:<webhookEventId>`` with everything needed to process
   it again, group-committed with the other events arriving meanwhile. Only then answer 200 (503 when
   the database cannot take it: LINE may redeliver). A key already stored is a duplicate — a
   redelivery, or the same body posted twice, to this or another server process — and changes nothing.
3. New events go to the member's in-process queue (`KeyedQueue`): one member's events run in order,
   different members in parallel. The engine turn runs on the database thread (SQLite: one thread for
   the process, shared with the inbox, whose writes go first) or a thread of their own (PostgreSQL),
   batched with other members' turns under load (`bot.intake.turns`); the inbox row is marked
   "turned", with the replies, in the turn's own transaction.
4. Send the replies: with the reply token when it is younger than 50 s, otherwise (or when LINE
   rejects it) by push with an ``X-Line-Retry-Key`` derived from the event id, so a retried push is
   never delivered twice. At most 5 messages per request; further chunks are pushed. If the engine
   takes more than ~1 s, the loading animation is shown meanwhile. Then the inbox row is marked done.
   Events a process accepted and did not finish (it died) are recovered by any process once their
   lease runs out; their replies are pushed (same retry keys). See docs/channels.md.

Events: text → the engine; image → the engine with an `Attachment` (``fetch_ref`` = LINE message id;
the conversation decides whether it wanted a photo; bytes via `fetch_line_content`); sticker,
location, audio, video, file → "please type or tap" plus the question the member was answering
(a sticker does not count as a wrong answer); postback → the engine with ``postback`` = data;
follow / unfollow / join / leave → the engine's ``kind``. Events in ``standby`` mode and other event
types (memberJoined, unsend, videoPlayComplete, beacon, accountLink, membership, ...) are acknowledged
with 200 and ignored: LINE treats any non-2xx as a failed delivery and would only retry it.

Display names come from the profile API the first time a user is seen by this process and are
cached in memory (and stored on the member's identity by the engine).

Note on the SDK: typed calls (`AsyncMessagingApi`, `AsyncMessagingApiBlob`) are used everywhere except
reply, push and the loading animation, the hot path, which POST a plain JSON body on the SDK
`AsyncApiClient`'s own aiohttp session with its default headers (host, auth, User-Agent): building and
re-serialising the typed pydantic request models costs ~2.7 ms of CPU per request, and even `call_api`
with a plain body spends more on walking the body than the request costs. The SDK session's
``trust_env`` lookups (a netrc read in a worker thread per request) are switched off when the
environment configures no proxy. ``POST /webhooks/line`` is answered by `bot.intake.asgi.FastWebhooks` before
the web framework (same code, `LineChannel.receive`).
"""
from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import logging
import os
import threading
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from bot import account_links, callback_values
from bot.intake.inbox import (
    Recovered,
    SendLater,
    get_inbox,

)
from bot.intake.inbox_sql import message_from_json, message_to_json
from bot.intake import asgi, busy, queue
from bot.channels.line_format import chunk_messages, to_line_messages
from bot.intake.turns import get_turns
from bot.clock import db_now
from bot.messages import Address, Attachment, IncomingMessage, Reply, replies_from_json
from bot.runtime import Runtime

log = logging.getLogger(__name__)

REPLY_TOKEN_MAX_AGE = 50.0  # seconds; LINE's tokens live about a minute
LOADING_AFTER = 1.0  # show the loading animation when a turn takes longer than this
LOADING_SECONDS = 20
PUSH_ATTEMPTS = 4
RETRY_NAMESPACE = uuid.UUID("6f1c1f7e-3c0b-4a52-9d0e-6b8f2b1d0c11")
PLEASE_TYPE_KINDS = {"sticker", "location", "audio", "video", "file"}


@dataclass
class LineJob:
    msg: IncomingMessage
    event_key: str
    target: str | None  # where a push goes: the user, group or room id
    reply_token: str | None
    event_ms: int
    received: float = field(default_factory=time.monotonic)
    user_id: str | None = None  # a 1:1 chat's user (profile, loading animation)
    recovered: bool = False  # taken over from the inbox (an earlier process did not finish it): push only
    result: list[Any] | None = None  # the replies, when the turn already ran (recovered after the turn)

    def to_json(self) -> dict[str, Any]:
        return {"msg": message_to_json(self.msg), "target": self.target, "event_ms": self.event_ms,
                "user_id": self.user_id}

    @classmethod
    def from_inbox(cls, item: Recovered) -> LineJob:
        p = item.payload
        return cls(msg=message_from_json(p["msg"]), event_key=item.key, target=p.get("target"), reply_token=None,
                   event_ms=int(p.get("event_ms") or 0), user_id=p.get("user_id"), recovered=True,
                   result=item.result if item.status == "turned" else None)


class BadRequest(Exception):
    pass


_PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy", "NETRC")


def _without_env_lookups(client):  # noqa: ANN001, ANN202
    """The SDK's aiohttp session is made with ``trust_env=True``: on every request aiohttp then looks
    for proxy settings and reads ``~/.netrc`` in a worker thread (a thread hop and file reads per reply,
    at 500 events/s a measurable share of the CPU). When no proxy or netrc is configured in the
    environment there is nothing to find, so we switch that off; with one configured, nothing changes."""
    if not any(os.environ.get(v) for v in _PROXY_VARS):
        session = getattr(getattr(client, "rest_client", None), "pool_manager", None)
        if session is not None and hasattr(session, "_trust_env"):
            session._trust_env = False
    return client


def verify_signature(secret: bytes, body: bytes, signature: str | None) -> bool:
    if not signature:
        return False
    expected = base64.b64encode(hmac.new(secret, body, hashlib.sha256).digest())
    return hmac.compare_digest(expected, signature.strip().encode("ascii", "replace"))


def parse_body(body: bytes) -> list[dict[str, Any]]:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest("malformed JSON") from exc
    except RecursionError as exc:  # nested deeper than the parser goes: no LINE body is
        raise BadRequest("JSON nested too deeply") from exc
    if not isinstance(data, dict) or not isinstance(data.get("events"), list):
        raise BadRequest("not a LINE webhook body")
    return [e for e in data["events"] if isinstance(e, dict)]


def event_to_job(event: dict[str, Any]) -> LineJob | None:
    """One webhook event as a job, or None when we ignore it (standby mode, unknown types...)."""
    etype = event.get("type")
    event_id = event.get("webhookEventId")
    src = event.get("source") or {}
    if not isinstance(src, dict) or not isinstance(event_id, str) or not event_id:
        return None
    if event.get("mode", "active") != "active":
        return None  # another module owns the chat: never answer standby events
    user_id = src.get("userId")
    chat_type = src.get("type")
    chat_id = src.get("groupId") if chat_type == "group" else src.get("roomId") if chat_type == "room" else user_id
    is_group = chat_type in ("group", "room")
    who = user_id or chat_id
    if not who:
        return None
    try:
        address = Address("line", who)
    except ValueError:
        return None
    ts = event.get("timestamp")
    event_ms = int(ts) if isinstance(ts, (int, float)) else int(time.time() * 1000)
    token = event.get("replyToken") if isinstance(event.get("replyToken"), str) else None
    base = dict(address=address, event_id=event_id, reply_token=token, received_at=db_now(), is_group=is_group)
    if etype == "message":
        m = event.get("message") or {}
        read_token = m.get("markAsReadToken")
        if isinstance(read_token, str) and 0 < len(read_token) <= 200:
            base["mark_as_read_token"] = read_token
        mtype = m.get("type")
        if mtype == "text":
            msg = IncomingMessage(text=str(m.get("text") or ""), **base)
        elif mtype == "image":
            msg = IncomingMessage(attachments=(Attachment("image", fetch_ref=str(m.get("id")),
                                                          content_type="image/jpeg"),), **base)
        else:
            kind = mtype if mtype in PLEASE_TYPE_KINDS else "other"
            att = Attachment(kind, fetch_ref=str(m.get("id")) if m.get("id") else None,  # type: ignore[arg-type]
                             latitude=m.get("latitude"), longitude=m.get("longitude"))
            msg = IncomingMessage(attachments=(att,), **base)
    elif etype == "postback":
        data = str((event.get("postback") or {}).get("data") or "")
        value = callback_values.resolve_postback(data) if data else None
        msg = IncomingMessage(postback=value if value is not None else "menu", **base)
    elif etype == "follow":
        msg = IncomingMessage(kind="follow", **base)
    elif etype == "unfollow":
        msg = IncomingMessage(kind="unfollow", **base)
    elif etype in ("join", "leave"):
        base["address"] = Address("line", chat_id) if chat_id else address
        msg = IncomingMessage(kind=etype, **base)
    else:
        return None
    return LineJob(msg=msg, event_key=f"line:{event_id}", target=chat_id, reply_token=token, event_ms=event_ms,
                   user_id=user_id if not is_group else None)


class LineChannel:
    def __init__(self, runtime: Runtime) -> None:
        s = runtime.settings
        assert s.line_channel_secret is not None and s.line_channel_access_token is not None
        self.runtime = runtime
        self.secret = s.line_channel_secret.get_secret_value().encode("utf-8")
        self._token = s.line_channel_access_token.get_secret_value()
        self.api_base = s.line_api_base_url.rstrip("/")
        self.data_base = s.line_data_api_base_url.rstrip("/")
        self.queue = queue.KeyedQueue(self._process, name="line")
        self.inbox = get_inbox(runtime)
        self.turns = get_turns(runtime)  # engine turns, batched under load
        # Small database work besides the turns (linking codes, button values, unreachable marks) runs
        # on the turns' threads (SQLite: the process's one database thread, shared with the inbox).
        self.executor = self.turns.executor
        self.inbox.register("line", self._recover, lambda: self.queue.pending)
        self._client = None
        self._data_client = None
        self._api = None  # AsyncMessagingApi on `_client`
        self._profiles: OrderedDict[str, tuple[str | None, str | None]] = OrderedDict()
        self.stats = {"events": 0, "duplicates": 0, "replied": 0, "pushed": 0, "failed": 0}

    # --- SDK clients (created inside the running loop: aiohttp needs it) ---------------------------
    def _configuration(self, host: str):  # noqa: ANN202
        config = line_sdk().Configuration(host=host, access_token=self._token)
        config.connection_pool_maxsize = 64
        return config

    def client(self):  # noqa: ANN201
        if self._client is None:
            self._client = _without_env_lookups(line_sdk().AsyncApiClient(self._configuration(self.api_base)))
        return self._client

    def data_client(self):  # noqa: ANN201
        if self._data_client is None:
            self._data_client = _without_env_lookups(line_sdk().AsyncApiClient(self._configuration(self.data_base)))
        return self._data_client

    async def start(self, runtime: Runtime):  # noqa: ANN201 - a startup hook
        callback_values.install_callback_store(runtime.db)
        # Importing the LINE SDK takes 1-4 s (it loads every API and model module): done on a thread of
        # its own, so the server is ready meanwhile; the client itself is made on first use, in the loop.
        threading.Thread(target=_import_sdk, name="line-sdk-import", daemon=True).start()
        await self.inbox.start()  # recovers events earlier processes accepted and did not finish
        return self.stop

    async def stop(self) -> None:
        await self.queue.drain(timeout=10.0)
        self.queue.cancel()
        await self.inbox.stop()
        for c in (self._client, self._data_client):
            if c is not None:
                await c.close()
        self._client = self._data_client = self._api = None

    # --- webhook -----------------------------------------------------------------------------------
    async def webhook(self, request: Request) -> Response:
        status, payload = await self.receive(await request.body(), request.headers.get)
        return Response(status_code=status) if payload is None else JSONResponse(payload, status_code=status)

    async def receive(self, body: bytes, header) -> tuple[int, dict[str, Any] | None]:  # noqa: ANN001
        """The webhook without a web framework around it (see `bot.intake.asgi.FastWebhooks`): (status, JSON body)."""
        if not verify_signature(self.secret, body, header("x-line-signature")):
            log.warning("LINE webhook: missing or invalid signature (%d bytes)", len(body))
            return 400, {"message": "invalid signature"}
        try:
            events = parse_body(body)
        except BadRequest as exc:
            log.warning("LINE webhook: %s", exc)
            return 400, {"message": str(exc)}
        jobs = [job for job in map(event_to_job, events) if job is not None]
        try:  # durable before the 200: the inbox row is also the de-duplication
            new, duplicates = await self.inbox.admit("line", jobs, self._submit)
        except Exception:  # noqa: BLE001 - not stored: not acknowledged, LINE may redeliver
            return 503, {"message": "temporarily unavailable"}
        self.stats["events"] += new
        self.stats["duplicates"] += duplicates
        return 200, None

    def _submit(self, job: LineJob) -> None:
        self.queue.submit(str(job.msg.address), job)

    def _recover(self, item: Recovered) -> None:
        self._submit(LineJob.from_inbox(item))

    # --- work after the 200 --------------------------------------------------------------------
    async def _process(self, job: LineJob) -> None:
        await self.inbox.process(job.event_key, lambda: self._work(job), "LINE")

    async def _work(self, job: LineJob) -> None:
        loop = asyncio.get_running_loop()
        if job.result is not None:  # the turn ran before a crash: only the replies are left to send
            replies = replies_from_json(job.result)
            if replies:
                await self.send(job, replies)
            return
        need_profile = job.user_id is not None and job.msg.kind in ("message", "follow") \
            and job.user_id not in self._profiles
        profile_task = asyncio.ensure_future(self._profile(job.user_id)) if need_profile else None
        msg = job.msg
        if account_links.may_be_code(msg):
            msg = await loop.run_in_executor(self.executor, account_links.route_code, self.runtime.db, msg,
                                             self.runtime.clock.now())
        if profile_task is not None:
            await profile_task
        name, language = self._profiles.get(job.user_id, (None, None)) if job.user_id else (None, None)
        if name or language:
            from dataclasses import replace

            msg = replace(msg, display_name=name, locale_hint=language)
        turn = asyncio.ensure_future(self.turns.turn(msg, job.event_key))
        if job.user_id:  # the loading animation when the turn is slow
            replies = await busy.with_busy_indicator(turn, LOADING_AFTER, lambda: self._loading(job.user_id),
                                                         self.turns.waiting)
        else:
            replies = await turn
        if replies:
            await self.send(job, replies)

    async def _profile(self, user_id: str | None) -> None:
        if not user_id:
            return
        name = language = None
        try:
            if self._api is None:  # built once: the SDK builds pydantic validators per API object (~ms)
                self._api = line_sdk().AsyncMessagingApi(self.client())
            profile = await asyncio.wait_for(self._api.get_profile(user_id), 3.0)
            name, language = profile.display_name, getattr(profile, "language", None)
        except Exception as exc:  # noqa: BLE001 - a name is nice to have, never required
            log.info("LINE profile unavailable: %s", type(exc).__name__)
        self._profiles[user_id] = (name, language)
        if len(self._profiles) > 50_000:
            self._profiles.popitem(last=False)

    async def _loading(self, user_id: str) -> None:
        try:  # POST /v2/bot/chat/loading/start (the lean path, see `_post`)
            await self._post("/v2/bot/chat/loading/start", {"chatId": user_id, "loadingSeconds": LOADING_SECONDS})
        except Exception as exc:  # noqa: BLE001
            log.info("LINE loading animation failed: %s", type(exc).__name__)

    # --- sending -------------------------------------------------------------------------------
    def token_usable(self, job: LineJob) -> bool:
        if not job.reply_token or job.recovered:
            return False
        age_event = time.time() - job.event_ms / 1000.0
        age_local = time.monotonic() - job.received
        return max(age_event, age_local) < REPLY_TOKEN_MAX_AGE

    async def _post(self, path: str, body: dict[str, Any], retry_key: str | None = None) -> None:
        """POST a JSON body on the SDK client's connection pool, with its default headers (auth,
        User-Agent). This is what `AsyncApiClient.call_api` does, minus its per-call walk over the
        body (`sanitize_for_serialization`) and response handling, which on the hot path cost more
        than the request itself. A non-2xx answer raises the SDK's `ApiException` (``.status``)."""
        import aiohttp
        ApiException = line_sdk().ApiException  # noqa: N806 - the SDK's class

        client = self.client()
        headers = dict(client.default_headers)
        headers["Content-Type"] = "application/json"
        headers["Accept"] = "application/json"
        if retry_key:
            headers["X-Line-Retry-Key"] = retry_key
        async with client.rest_client.pool_manager.post(
                self.api_base + path, data=json.dumps(body).encode("utf-8"), headers=headers,
                timeout=aiohttp.ClientTimeout(total=10)) as resp:
            data = await resp.read()
            if not 200 <= resp.status <= 299:
                exc = ApiException(status=resp.status, reason=resp.reason)
                exc.body = data.decode("utf-8", "replace")
                exc.headers = resp.headers
                raise exc

    async def send(self, job: LineJob, replies: list[Reply]) -> None:
        chunks = chunk_messages(to_line_messages(replies))
        use_token = self.token_usable(job)
        for i, chunk in enumerate(chunks):
            if i == 0 and use_token:
                try:
                    await self._post("/v2/bot/message/reply", {"replyToken": job.reply_token, "messages": chunk})
                    self.stats["replied"] += 1
                    continue
                except Exception as exc:  # noqa: BLE001
                    status = getattr(exc, "status", None)
                    log.info("LINE reply failed (%s); pushing instead", status or type(exc).__name__)
            ok = await self.push(job.target, chunk, retry_key=str(uuid.uuid5(RETRY_NAMESPACE, f"{job.event_key}:{i}")))
            if ok is None:  # LINE unreachable for now: the event stays in the inbox and is tried again
                raise SendLater(job.event_key)

    async def push(self, to: str | None, messages: list[dict[str, Any]], *,
                   retry_key: str | None = None) -> bool | None:
        """Push with a retry key: 429/5xx/network errors are retried with the same key (LINE answers
        409 to a key it already accepted, so nothing is sent twice). True: sent (or already sent);
        False: refused (a 4xx: sending again would not help); None: still failing after the retries."""
        if not to:
            return False
        retry_key = retry_key or str(uuid.uuid4())
        delay = 1.0
        for attempt in range(PUSH_ATTEMPTS):
            try:
                await self._post("/v2/bot/message/push", {"to": to, "messages": messages}, retry_key)
                self.stats["pushed"] += 1
                return True
            except Exception as exc:  # noqa: BLE001
                status = getattr(exc, "status", None)
                if status == 409:  # already accepted under this key
                    return True
                if status is not None and 400 <= status < 500 and status != 429:
                    log.warning("LINE push refused (%s)", status)
                    self.stats["failed"] += 1
                    return False
                if attempt + 1 < PUSH_ATTEMPTS:
                    await asyncio.sleep(delay)
                    delay *= 2
        self.stats["failed"] += 1
        return None

    async def send_to(self, address: Address | str, replies: list[Reply]) -> bool:
        """Push replies to a member (no reply token). Used by tools and tests; the outbox has its own sender."""
        addr = Address.parse(str(address))
        ok = True
        for i, chunk in enumerate(chunk_messages(to_line_messages(replies))):
            ok = bool(await self.push(addr.user_id, chunk)) and ok
        return ok

    async def fetch_content(self, message_id: str) -> bytes:
        data = await line_sdk().AsyncMessagingApiBlob(self.data_client()).get_message_content(message_id)
        return bytes(data)


# ---------------------------------------------------------------------------------------------------
# Every import of the LINE SDK goes through this lock: the start-up import runs on a thread of its own,
# and a second thread importing the same package at that moment can get Python's import _DeadlockError.
_SDK_LOCK = threading.Lock()


def _import_sdk() -> None:
    try:
        line_sdk()
    except Exception:  # noqa: BLE001 - the first use imports it again and reports the error there
        log.exception("LINE SDK import failed")


def line_sdk():  # noqa: ANN201 - the module linebot.v3.messaging
    """The LINE SDK's messaging module, imported once (waits for the start-up import when it is running)."""
    with _SDK_LOCK:
        import linebot.v3.messaging as messaging

    return messaging


def _channel(runtime: Runtime) -> LineChannel | None:
    return getattr(runtime, "_line_channel", None)


async def fetch_line_content(runtime: Runtime, message_id: str) -> bytes:
    """The bytes of an image (or other content) a member sent, from the LINE data API."""
    channel = _channel(runtime)
    if channel is not None:
        try:
            return await channel.fetch_content(message_id)
        except RuntimeError:
            pass  # the channel's client belongs to another event loop: use a short-lived one
    sdk = line_sdk()
    AsyncApiClient, AsyncMessagingApiBlob, Configuration = (  # noqa: N806 - the SDK's classes
        sdk.AsyncApiClient, sdk.AsyncMessagingApiBlob, sdk.Configuration)

    s = runtime.settings
    assert s.line_channel_access_token is not None
    config = Configuration(host=s.line_data_api_base_url, access_token=s.line_channel_access_token.get_secret_value())
    async with AsyncApiClient(config) as client:
        return bytes(await AsyncMessagingApiBlob(client).get_message_content(message_id))


def fetch_line_content_sync(runtime: Runtime, message_id: str) -> bytes:
    """Same, for synchronous code (conversation handlers run in worker threads)."""
    sdk = line_sdk()
    ApiClient, Configuration, MessagingApiBlob = sdk.ApiClient, sdk.Configuration, sdk.MessagingApiBlob  # noqa: N806

    s = runtime.settings
    assert s.line_channel_access_token is not None
    config = Configuration(host=s.line_data_api_base_url, access_token=s.line_channel_access_token.get_secret_value())
    with ApiClient(config) as client:
        return bytes(MessagingApiBlob(client).get_message_content(message_id))


def mount(app: FastAPI, runtime: Runtime) -> bool:
    if not runtime.settings.line_enabled:
        log.info("LINE channel off: set LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN to enable it")
        return False
    channel = LineChannel(runtime)
    runtime._line_channel = channel  # type: ignore[attr-defined]
    app.state.line_channel = channel
    app.add_route("/webhooks/line", channel.webhook, methods=["POST"], include_in_schema=False)
    asgi.fast_webhook(app, "/webhooks/line", channel.receive)  # POSTs skip the framework (hot path)
    app.state.startup_hooks.append(channel.start)
    return True
