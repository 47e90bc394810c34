"""Cross-channel pieces (no SDK): account linking, long button values, ordered per-member work, and the
framework-free webhook fast path (`FastWebhooks`). The durable inbox is `bot.channels.inbox`.

**Account linking.** A signed-up member asks for a one-time code in "ข้อมูลของฉัน" (intent
``account.link``, `handlers/linking.py`); on the *other* app they send the code — typed as a
message on LINE or Telegram, or through the Telegram deep link ``t.me/<bot>?start=<CODE>`` — and
that chat account becomes another `MemberIdentity` of the same member. Codes are 8 characters from an
alphabet without look-alikes (no 0/O, 1/I/L), always contain a letter and a digit (so ordinary answers
are never mistaken for one), are shown as ``ABCD-2345``, are valid for 15 minutes and for one use; a
new code replaces the member's previous unused ones.

Channels call `route_code(db, msg, now)` before the engine: a message that is exactly a valid code
becomes the postback ``go:account.redeem:<CODE>`` (an intent open to anyone, so even a brand-new
chat account that has not signed up reaches it).

**Long button values.** `install_callback_store(db)` backs `bot.channels.telegram_format`'s token map
with the ``callback_values`` table. Writes go through one background thread, so converting replies
never opens a second write transaction inside a caller's own (which would wait on SQLite's lock).
"""
from __future__ import annotations

import asyncio
import collections
import logging
import queue
import re
import secrets
import threading
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from bot.messages import Address, IncomingMessage
from storage.db import Database
from storage.models import ConversationState, Member, MemberIdentity
from storage.models.links import CallbackValue, LinkCode

log = logging.getLogger(__name__)

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
CODE_TTL = timedelta(minutes=15)
_CODE_RE = re.compile(rf"^[{ALPHABET}]{{4}}-?[{ALPHABET}]{{4}}$")

# Set by the Telegram channel once it knows its bot (getMe), for deep links in the code message.
telegram_username: str | None = None


def telegram_deep_link(code: str) -> str | None:
    return f"https://t.me/{telegram_username}?start={code}" if telegram_username else None


def format_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def normalize_code(text: str | None) -> str | None:
    """The stored form of a code the member typed (``abcd 2345`` → ``ABCD2345``), or None."""
    if not text:
        return None
    candidate = re.sub(r"[\s\u200b]+", "", text).upper()
    if not _CODE_RE.match(candidate):
        return None
    candidate = candidate.replace("-", "")
    if not (any(c.isdigit() for c in candidate) and any(c.isalpha() for c in candidate)):
        return None
    return candidate


def _aware(dt: datetime) -> datetime:
    from datetime import timezone

    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


def _random_code() -> str:
    while True:
        code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
        if any(c.isdigit() for c in code) and any(c.isalpha() for c in code):
            return code


def new_code(session: Session, *, member_id: int, address: str, now: datetime) -> LinkCode:
    """A fresh one-time code for `member_id`; the member's earlier unused codes stop working."""
    for old in session.exec(select(LinkCode).where(LinkCode.member_id == member_id,
                                                   LinkCode.used_at == None)):  # noqa: E711
        session.delete(old)
    session.flush()
    for _ in range(5):
        code = _random_code()
        if session.get(LinkCode, code) is None:
            break
    link = LinkCode(code=code, member_id=member_id, created_from=address, created_at=now,
                    expires_at=now + CODE_TTL)
    session.add(link)
    session.flush()
    return link


def valid_code(session: Session, code: str, now: datetime) -> LinkCode | None:
    link = session.get(LinkCode, code)
    if link is None or link.used_at is not None or _aware(link.expires_at) <= now:
        return None
    return link


def redeem(session: Session, *, code: str, address: str, now: datetime) -> tuple[str, Member | None]:
    """Link `address` to the member behind `code`.

    Returns (status, member): ``linked`` (new identity), ``already`` (the address already belongs to
    that member), ``taken`` (it belongs to another signed-up member: we never merge two people's
    data silently), ``invalid`` (unknown, used or expired code).
    """
    link = valid_code(session, code, now)
    if link is None:
        return "invalid", None
    member = session.get(Member, link.member_id)
    if member is None:
        return "invalid", None
    identity = session.exec(select(MemberIdentity).where(MemberIdentity.address == address)).first()
    if identity is not None:
        if identity.member_id == member.id:
            return "already", member
        other = session.get(Member, identity.member_id)
        if other is not None and other.consent_at is not None:
            return "taken", None
        session.delete(identity)  # a leftover identity of an unfinished sign-up: replace it
        session.flush()
    addr = Address.parse(address)
    session.add(MemberIdentity(member_id=member.id, address=address, channel=addr.channel))  # type: ignore[arg-type]
    link.used_at = now
    link.used_by = address
    session.add(link)
    state = session.get(ConversationState, address)
    if state is not None:  # a sign-up in progress on this account is moot now
        state.flow, state.data, state.locale = None, {}, None
        session.add(state)
    session.flush()
    return "linked", member


def may_be_code(msg: IncomingMessage) -> bool:
    return msg.postback is None and msg.kind == "message" and normalize_code(msg.text) is not None


def route_code(db: Database, msg: IncomingMessage, now: datetime) -> IncomingMessage:
    """A message that is exactly a valid linking code becomes the redeem postback."""
    code = normalize_code(msg.text) if msg.postback is None and msg.kind == "message" else None
    if code is None:
        return msg
    with db.session() as session:
        if valid_code(session, code, now) is None:
            return msg
    return replace(msg, postback=f"go:account.redeem:{code}", text=None)


# ---------------------------------------------------------------------------------------------------
# callback_values: the database side of telegram_format's token map
# ---------------------------------------------------------------------------------------------------
class _CallbackWriter:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.queue: "queue.Queue[tuple[str, str] | None]" = queue.Queue()
        self.seen: set[str] = set()
        self.thread = threading.Thread(target=self._run, name="callback-values", daemon=True)
        self.thread.start()

    def put(self, token: str, value: str) -> None:
        if token not in self.seen:
            self.seen.add(token)
            self.queue.put((token, value))

    def get(self, token: str) -> str | None:
        try:
            with self.db.session() as session:
                row = session.get(CallbackValue, token)
                return row.value if row else None
        except Exception:  # noqa: BLE001 - a lookup failure is an unknown button, not a crash
            log.exception("callback value lookup failed")
            return None

    def _run(self) -> None:
        while True:
            item = self.queue.get()
            if item is None:
                self.queue.task_done()
                return
            token, value = item
            try:
                with self.db.session() as session:
                    if session.get(CallbackValue, token) is None:
                        session.add(CallbackValue(token=token, value=value))
            except IntegrityError:
                pass  # another process stored the same token (same value: it is a hash)
            except Exception:  # noqa: BLE001
                log.exception("could not store a callback value")
                self.seen.discard(token)
            finally:
                self.queue.task_done()  # after the commit: flush() waits for this, not for an empty queue

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until every value put so far is committed (or failed); False if `timeout` ran out."""
        done = self.queue.all_tasks_done
        with done:
            return done.wait_for(lambda: self.queue.unfinished_tasks == 0, timeout)

    def stop(self) -> None:
        self.queue.put(None)
        self.thread.join(timeout=5)


_writer: _CallbackWriter | None = None


def install_callback_store(db: Database) -> _CallbackWriter:
    """Back long-button tokens with the database (idempotent per database)."""
    global _writer
    from bot.channels import telegram_format

    if _writer is None or _writer.db is not db:
        if _writer is not None:
            _writer.stop()
        _writer = _CallbackWriter(db)
        telegram_format.set_callback_store(_writer.put, _writer.get)
    return _writer


def resolve_postback(data: str) -> str | None:
    from bot.channels.telegram_format import resolve_callback_data

    return resolve_callback_data(data)


# ---------------------------------------------------------------------------------------------------
# Shared by the LINE and Telegram channels: ordered per-member work after a fast 200
# ---------------------------------------------------------------------------------------------------
class KeyedQueue:
    """In-process work queues, one per key (a member's address): items of one key run in order,
    one at a time; different keys run concurrently (each active key has one asyncio task, which ends
    when its queue is empty). `pending` counts submitted items not finished yet; `wait_idle` (from any
    thread) and `drain` (async) wait until it is zero.
    """

    def __init__(self, worker, name: str = "work") -> None:  # noqa: ANN001 - async fn(item) -> None
        self._worker = worker
        self._name = name
        self._queues: dict[str, collections.deque] = {}
        self._tasks: set = set()
        self._cond = threading.Condition()
        self.pending = 0
        self.processed = 0

    def submit(self, key: str, item: object) -> None:
        with self._cond:
            self.pending += 1
        q = self._queues.get(key)
        if q is not None:
            q.append(item)
            return
        q = self._queues[key] = collections.deque([item])
        task = asyncio.get_running_loop().create_task(self._drain_key(key, q), name=f"{self._name}:{key[-6:]}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _drain_key(self, key: str, q: collections.deque) -> None:
        try:
            while q:
                item = q[0]
                try:
                    await self._worker(item)
                except Exception:  # noqa: BLE001 - one bad event must not stop the member's queue
                    log.exception("%s: processing failed", self._name)
                finally:
                    q.popleft()
                    with self._cond:
                        self.pending -= 1
                        self.processed += 1
                        if self.pending == 0:
                            self._cond.notify_all()
        finally:
            if self._queues.get(key) is q:
                del self._queues[key]

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block (in a thread other than the event loop's) until nothing is pending."""
        with self._cond:
            return self._cond.wait_for(lambda: self.pending == 0, timeout=timeout)

    async def drain(self, timeout: float = 10.0) -> bool:
        deadline = asyncio.get_running_loop().time() + timeout
        while self.pending and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.02)
        return self.pending == 0

    def cancel(self) -> None:
        for task in list(self._tasks):
            task.cancel()


# ---------------------------------------------------------------------------------------------------
# The webhook POSTs, without the web framework in between
# ---------------------------------------------------------------------------------------------------
MAX_WEBHOOK_BODY = 4 * 1024 * 1024


class FastWebhooks:
    """Pure ASGI middleware answering ``POST`` on the channels' webhook paths directly.

    A webhook needs only the raw body and two headers; going through FastAPI's middleware stack,
    router (which tries every console route) and Request/Response objects cost more CPU per event
    than our own handling, at 500 events/s a sixth of the event loop. Other methods on those paths,
    and every other path, go on to the app unchanged (the routes stay registered, e.g. for 405s).
    `handler(body, header) -> (status, json or None)`, `header(name)` with lower-case names.
    `khruakhai serve` also wraps the whole application in one (outside uvicorn's proxy-headers and
    Starlette's error middleware), so a webhook POST touches nothing of the framework at all.
    """

    def __init__(self, app, routes: dict) -> None:  # noqa: ANN001
        self.app = app
        self.routes = routes
        self.state = getattr(app, "state", None)  # `khruakhai serve` wraps the whole app in one of these

    async def __call__(self, scope, receive, send) -> None:  # noqa: ANN001
        handler = self.routes.get(scope.get("path")) if scope["type"] == "http" and scope.get("method") == "POST" \
            else None
        if handler is None:
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > MAX_WEBHOOK_BODY:
                await self._respond(send, 413, {"message": "body too large"})
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers") or ()}
        status, payload = await handler(b"".join(chunks), headers.get)
        await self._respond(send, status, payload)

    @staticmethod
    async def _respond(send, status: int, payload: dict | None) -> None:  # noqa: ANN001
        import json

        content = b"" if payload is None else json.dumps(payload, ensure_ascii=False).encode("utf-8")
        headers = [(b"content-length", str(len(content)).encode("ascii"))]
        if payload is not None:
            headers.append((b"content-type", b"application/json"))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": content})


def fast_webhook(app, path: str, handler) -> None:  # noqa: ANN001
    """Serve ``POST path`` with `handler` through `FastWebhooks` (installed once per app)."""
    routes = getattr(app.state, "fast_webhooks", None)
    if routes is None:
        routes = app.state.fast_webhooks = {}
        app.add_middleware(FastWebhooks, routes=routes)
    routes[path] = handler


BUSY_SHED = 64  # turns waiting for the database beyond which busy indicators are skipped


async def cancel_and_wait(task: "asyncio.Task | None") -> None:
    """Cancel a background task (maintenance, polling) and wait until it has ended; how it ended is
    not the caller's concern."""
    if task is None:
        return
    task.cancel()
    try:
        await task
    except (asyncio.CancelledError, Exception):  # noqa: BLE001
        pass


async def with_busy_indicator(work: "asyncio.Future", after: float, show, waiting=None) -> object:  # noqa: ANN001
    """Await `work`; when it takes longer than `after` seconds, start `show()` (LINE's loading
    animation, Telegram's "typing…") once. A timer, cheaper per event than `asyncio.wait_for`.

    `waiting()` (the turns queued for the database): above `BUSY_SHED` the indicator is skipped. It is
    one more API call per message, and a server that far behind would spend on animations the time
    it needs for the replies, falling further behind with every one."""
    loop = asyncio.get_running_loop()
    shown: list[asyncio.Future] = []

    def fire() -> None:
        if waiting is None or waiting() <= BUSY_SHED:
            shown.append(asyncio.ensure_future(show()))

    timer = loop.call_later(after, fire)
    try:
        return await work
    finally:
        timer.cancel()
        if shown:
            await shown[0]
