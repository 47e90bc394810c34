"""One lifecycle for every chat channel: receive → verify → admit → queue per member → turn → send → done.

`Intake` wraps a channel adapter (`bot.intake.contract.ChannelAdapter`: LINE, Telegram) and is the
only place that knows the order of things:

1. **receive** — ``POST <adapter.path>`` reaches `receive(body, header)` through the ASGI fast path
   (`bot.intake.asgi`), before the web framework;
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
import logging
from dataclasses import replace
from typing import Any

from bot import account_links, callback_values
from bot.intake import asgi
from bot.intake.busy import with_busy_indicator
from bot.intake.contract import BadRequest, ChannelAdapter, Header, Job
from bot.intake.inbox import Recovered, SendLater, get_inbox
from bot.intake.queue import KeyedQueue
from bot.intake.turns import get_turns
from bot.messages import IncomingMessage, Reply, replies_from_json

log = logging.getLogger(__name__)


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
        asgi.fast_webhook(app, self.adapter.path, self.receive)
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
        await self.inbox.process(job.event_key, lambda: self._work(job), self.adapter.name)

    async def _work(self, job: Job) -> None:
        if job.result is not None:  # the turn ran before a crash: only the replies are left to send
            await self._send(job, replies_from_json(job.result))
            return
        before = asyncio.ensure_future(self.adapter.before_turn(job))
        msg = job.msg
        if account_links.may_be_code(msg):
            msg = await asyncio.get_running_loop().run_in_executor(
                self.executor, account_links.route_code, self.runtime.db, msg, self.runtime.clock.now())
        fields = await before
        if fields:
            msg = replace(msg, **fields)
        turn = asyncio.ensure_future(self.turns.turn(msg, job.event_key))
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
