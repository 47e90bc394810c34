"""One lifecycle for every chat channel: receive → verify → admit → queue per member → turn → send → done.

`Intake` wraps a channel adapter (`bot.intake.contract.ChannelAdapter`: LINE, Telegram) and is the
only place that knows the order of things:

1. **receive** — ``POST <adapter.path>`` reaches `receive(body, header)` through the ASGI fast path
   (`FastWebhooks`, the route itself), before the web framework;
2. **verify** — the adapter checks the signature / secret token (refused: nothing is stored);
3. **admit** — the adapter parses the body into jobs; the inbox stores them (`Inbox.admit`: the insert is
   the de-duplication) and only then is the webhook answered 200 (503 when it could not store them);
4. **queue per member** — new jobs go to the member's queue (`KeyedQueue`): one member's events in order;
5. **turn** — a linking code becomes its redeem postback, the adapter does its part before the turn
   (profile, button tap), and the engine turn runs in a batch (`bot.intake.turns`), marked "turned" in
   the inbox in its own transaction; a slow turn shows the adapter's busy indicator;
6. **send** — the adapter sends the replies (reply token while it is fresh, otherwise push with retry keys);
7. **done** — the inbox row is marked done; when the platform could not be reached the event stays and is
   recovered after its lease (its stored replies are sent again, with the same retry keys).
"""
from __future__ import annotations

import asyncio
import collections
import json
import logging
import threading
from dataclasses import replace
from collections.abc import Awaitable
from typing import Any

from bot import account_links, callback_values
from bot.intake.contract import BadRequest, ChannelAdapter, Header, Job
from bot.intake.inbox import LeaseLost, Recovered, SendLater, get_inbox
from bot.intake.turns import get_turns
from bot.messages import IncomingMessage, Reply, replies_from_json

log = logging.getLogger(__name__)


# --- receive: the webhook POSTs, without the web framework in between ------------------------------------
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


# --- queue per member ---------------------------------------------------------------------------------
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


# --- the busy indicator --------------------------------------------------------------------------------
BUSY_SHED = 64  # turns waiting for the database beyond which busy indicators are skipped


async def with_busy_indicator(work: Awaitable[Any], after: float, show, waiting=None) -> Any:  # noqa: ANN001
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


# --- the lifecycle -------------------------------------------------------------------------------------


class Intake:
    def __init__(self, runtime: Any, adapter: ChannelAdapter) -> None:
        self.runtime = runtime
        self.adapter = adapter
        self.inbox = get_inbox(runtime)
        self.turns = get_turns(runtime)  # engine turns, batched under load
        # Small database work besides the turns (linking codes, unreachable marks) runs on the turns'
        # threads (SQLite: the process's one database thread, shared with the inbox).
        self.executor = self.turns.executor
        self.queue = KeyedQueue(self._process, name=adapter.name)
        self.inbox.register(adapter.name, self._recover, lambda: self.queue.pending)
        self.stats = {"events": 0, "duplicates": 0}

    def mount(self, app: Any) -> None:
        """Serve the adapter's webhook route (the fast path is the route) and start with the app."""
        fast_webhook(app, self.adapter.path, self.receive)
        app.state.startup_hooks.append(self.start)
        setattr(app.state, f"{self.adapter.name}_channel", self)

    async def start(self, runtime: Any = None):  # noqa: ANN201 - a startup hook: returns `stop`
        callback_values.install_callback_store(self.runtime.db)
        await self.adapter.start(self.admit)
        await self.inbox.start()  # recovers events earlier processes accepted and did not finish
        return self.stop

    async def stop(self) -> None:
        await self.adapter.stop()
        await self.queue.drain(timeout=10.0)
        self.queue.cancel()
        await self.inbox.stop()
        await self.adapter.aclose()

    # --- receive, verify, admit ------------------------------------------------------------------------
    async def receive(self, body: bytes, header: Header) -> tuple[int, dict[str, Any] | None]:
        """The webhook: (status, JSON body or None)."""
        refusal = self.adapter.verify(body, header)
        if refusal is not None:
            log.warning("%s webhook refused: %s (%d bytes)", self.adapter.name, refusal[1], len(body))
            return refusal
        try:
            jobs = self.adapter.parse(body)
        except BadRequest as exc:
            log.warning("%s webhook: %s", self.adapter.name, exc.payload)
            return exc.status, exc.payload
        try:  # durable before the 200: the inbox row is also the de-duplication
            await self.admit(jobs)
        except Exception:  # noqa: BLE001 - not stored: not acknowledged, the platform redelivers
            return 503, self.adapter.unavailable
        return 200, None

    async def admit(self, jobs: list[Job]) -> int:
        """Store `jobs` in the inbox and queue the new ones; how many were new. Raises when not stored."""
        new, duplicates = await self.inbox.admit(self.adapter.name, jobs, self._submit)
        self.stats["events"] += new
        self.stats["duplicates"] += duplicates
        return new

    def _submit(self, job: Job) -> None:
        self.queue.submit(str(job.msg.address), job)

    def _recover(self, item: Recovered) -> None:
        self._submit(Job.from_inbox(item))

    # --- turn, send, done (on the member's queue) ------------------------------------------------------
    async def _process(self, job: Job) -> None:
        """Turn and send, then mark the event done; one that could not finish is left to be recovered
        after its lease (its stored replies are then sent again, with the same retry keys)."""
        try:
            await self._work(job)
        except LeaseLost:
            log.warning("%s: %s was taken over by another process", self.adapter.name, job.event_key)
            self.inbox.release(job.event_key)
            return
        except SendLater:
            log.warning("%s: could not send the replies of %s; they will be tried again", self.adapter.name,
                        job.event_key)
            self.inbox.release(job.event_key)
            return
        except BaseException:
            self.inbox.release(job.event_key)
            raise
        self.inbox.finish(job.event_key)

    async def _work(self, job: Job) -> None:
        if job.result is not None:  # the turn ran before a crash: only the replies are left to send
            await self._send(job, replies_from_json(job.result))
            return
        msg = job.msg
        if account_links.may_be_code(msg):  # the code's lookup and the adapter's part at once
            before = asyncio.ensure_future(self.adapter.before_turn(job))
            msg = await asyncio.get_running_loop().run_in_executor(
                self.executor, account_links.route_code, self.runtime.db, msg, self.runtime.clock.now())
            fields = await before
        else:
            fields = await self.adapter.before_turn(job)
        if fields:
            msg = replace(msg, **fields)
        turn = self.turns.turn(msg, job.event_key)
        if job.target and (self.adapter.busy_in_groups or not msg.is_group):
            target = job.target
            replies = await with_busy_indicator(turn, self.adapter.busy_after, lambda: self.adapter.busy(target),
                                                self.turns.waiting)
        else:
            replies = await turn
        await self._send(job, replies)

    async def _send(self, job: Job, replies: list[Reply]) -> None:
        if not replies or not job.target:
            return
        fresh = not job.recovered and job.age() < self.adapter.reply_token_max_age
        result = await self.adapter.send(job.target, replies, reply_token=job.reply_token if fresh else None,
                                         retry_key=job.event_key)
        if result == "later":  # the platform cannot be reached now: the event stays in the inbox
            raise SendLater(job.event_key)
        if result == "unreachable":  # the member blocked the bot: as an unfollow
            log.info("%s: the member blocked the bot; marking unreachable", self.adapter.name)
            unfollow = IncomingMessage(address=job.msg.address, kind="unfollow")
            await asyncio.get_running_loop().run_in_executor(self.executor, self.runtime.engine.handle, unfollow)
