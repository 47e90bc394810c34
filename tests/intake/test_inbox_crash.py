"""The durable inbox with real processes: events acknowledged by a server that is then killed (SIGKILL)
are processed after a restart — each exactly once, replies by push, conversation state right — and on
PostgreSQL two processes recovering at the same time never take the same event.

A gate in front of the fake LINE server holds replies, pushes, profile and loading calls while closed,
so work is in flight when the process dies; a held request whose client died is dropped (it never
reached "LINE"), as when a process dies before its request is sent.
"""
from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from storage.db import Database
from tests.channels.helpers import LINE_SECRET, LINE_TOKEN
from tests.serve_process import ServeProcess
from tests.fakes import line_webhook as lw
from tests.fakes.line_api import FakeLine
from tests.fakes.server import ThreadedServer

HELD_PATHS = ("/v2/bot/message/reply", "/v2/bot/message/push", "/v2/bot/chat/loading/start")


class Gate:
    """ASGI wrapper: while closed, holds the calls that would make LINE send something (and the
    profile calls of `slow_profiles`); a held call whose client disconnected is dropped."""

    def __init__(self, app) -> None:
        self.app = app
        self.opened = threading.Event()
        self.opened.set()
        self.slow_profiles: set[str] = set()
        self.held = 0
        self.dropped = 0

    def _holds(self, path: str) -> bool:
        if path in HELD_PATHS:
            return True
        return path.startswith("/v2/bot/profile/") and path.rsplit("/", 1)[-1] in self.slow_profiles

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or self.opened.is_set() or not self._holds(scope["path"]):
            await self.app(scope, receive, send)
            return
        messages = []
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            messages.append(message)
            if not message.get("more_body"):
                break
        self.held += 1
        gone = asyncio.ensure_future(receive())  # resolves with http.disconnect when the client dies
        while not self.opened.is_set() and not gone.done():
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.05)
        if gone.done():
            self.dropped += 1
            return
        gone.cancel()
        pending = list(messages)

        async def replay():
            return pending.pop(0) if pending else await receive()

        await self.app(scope, replay, send)


class GatedLine:
    def __init__(self) -> None:
        self.fake = FakeLine(access_token=LINE_TOKEN)
        self.gate = Gate(self.fake.app)
        self.app = self.gate
        self.url = ""


class Server(ServeProcess):
    def __init__(self, url: str, schema: str | None, fake_url: str, log: Path, lease: float = 2.0) -> None:
        super().__init__(log, dict(DATABASE_URL=url, LINE_CHANNEL_SECRET=LINE_SECRET,
                                   LINE_CHANNEL_ACCESS_TOKEN=LINE_TOKEN, LINE_API_BASE_URL=fake_url,
                                   LINE_DATA_API_BASE_URL=fake_url + "/__data", INBOX_LEASE_SECONDS=str(lease),
                                   INBOX_RECOVER_BATCH="4"), database_schema=schema)


@pytest.fixture
def gated_line():
    gated = GatedLine()
    srv = ThreadedServer(gated).start()
    gated.fake.url = srv.url
    try:
        yield gated
    finally:
        gated.gate.opened.set()
        srv.stop()


def _post(server: Server, events: list[dict]) -> int:
    body, headers = lw.signed_request(events, LINE_SECRET)
    return httpx.post(server.url + "/webhooks/line", content=body, headers=headers, timeout=10).status_code


def _rows(db: Database) -> dict[str, int]:
    with db.engine.connect() as conn:
        return dict(conn.execute(text("SELECT status, count(*) FROM processed_events GROUP BY status")).all())


def _wait(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _check_exactly_once(fake: FakeLine, users: list[str], db: Database) -> None:
    """Every user: two answers, by push, in order: the consent question, then the organization question;
    no push was ever repeated (not even one LINE refused with 409: nothing was processed twice)."""
    pushes = [c for c in fake.calls if c["operation"] == "pushMessage"]
    keys = [c["retry_key"] for c in pushes]
    assert len(keys) == len(set(keys)), "a push was sent twice (the same event processed twice)"
    assert all(c["status"] == 200 for c in pushes), [c["status"] for c in pushes if c["status"] != 200]
    assert [c for c in fake.calls if c["operation"] == "replyMessage" and c["status"] == 200] == []
    for uid in users:
        texts = fake.texts_to(uid)
        assert len(fake.messages_to(uid)) >= 2, (uid, texts)
        delivered = [c for c in pushes if (c.get("body") or {}).get("to") == uid]
        assert len(delivered) == 2, (uid, texts)
        first = " ".join(m.get("text", "") for m in delivered[0]["body"]["messages"])
        second = " ".join(m.get("text", "") for m in delivered[1]["body"]["messages"])
        assert "ยินยอม" in str(delivered[0]["body"]), first  # the consent question (its button)
        assert "องค์กร" in second, second  # consent given: asked for the organization
    with db.engine.connect() as conn:
        flows = dict(conn.execute(text("SELECT address, flow FROM conversation_states")).all())
    assert all(flows.get(f"line:{u}") == "signup" for u in users), flows
    assert set(_rows(db)) == {"done"}, _rows(db)


def _send_conversations(server: Server, fake: FakeLine, users: list[str]) -> None:
    for uid in users:
        assert _post(server, [lw.text_event(uid, "สวัสดีค่ะ", reply_token=fake.issue_reply_token(uid))]) == 200
    for uid in users:
        assert _post(server, [lw.text_event(uid, "ยินยอม", reply_token=fake.issue_reply_token(uid))]) == 200


def test_killed_after_the_200_nothing_lost_nothing_twice(gated_line, settings, tmp_path) -> None:
    fake, gate = gated_line.fake, gated_line.gate
    db = Database(settings.database_url, schema=settings.database_schema)
    users = [lw.new_user_id() for _ in range(8)]
    gate.slow_profiles = set(users[:4])  # these stay 'pending' (the turn waits for the profile)
    gate.opened.clear()
    first = Server(settings.database_url, settings.database_schema, fake.url, tmp_path / "serve.log")
    try:
        first.wait_ready()
        _send_conversations(first, fake, users)
        # every event acknowledged; the turns of the fast users ran, their replies are held at "LINE"
        _wait(lambda: _rows(db).get("turned", 0) >= 4, 20, "turns of the users whose profile answered")
        _wait(lambda: gate.held >= 8, 20, "replies and profile calls in flight")
        counts = _rows(db)
        assert counts.get("pending", 0) + counts.get("turned", 0) == 16, counts
        first.kill()
    finally:
        first.stop()
    assert not any(c["operation"] in ("pushMessage", "replyMessage") for c in fake.calls)
    gate.opened.set()
    second = Server(settings.database_url, settings.database_schema, fake.url, tmp_path / "serve.log")
    try:
        second.wait_ready()
        _wait(lambda: set(_rows(db)) == {"done"}, 60, "recovery of every event")
        _check_exactly_once(fake, users, db)
        # a redelivery of an event the dead process had acknowledged changes nothing
        dup = lw.text_event(users[0], "ยินยอม", redelivery=True, reply_token=None)
        assert _post(second, [dup]) == 200
    finally:
        second.stop()
        db.dispose()


def test_two_processes_recover_at_once_without_double_processing(gated_line, settings, tmp_path) -> None:
    if settings.database_url.startswith("sqlite"):
        pytest.skip("several server processes share a database on PostgreSQL")
    fake, gate = gated_line.fake, gated_line.gate
    db = Database(settings.database_url, schema=settings.database_schema)
    users = [lw.new_user_id() for _ in range(30)]
    gate.slow_profiles = set(users[::2])
    gate.opened.clear()
    first = Server(settings.database_url, settings.database_schema, fake.url, tmp_path / "serve.log")
    try:
        first.wait_ready()
        _send_conversations(first, fake, users)
        _wait(lambda: gate.held >= 20, 20, "work in flight")
        first.kill()
    finally:
        first.stop()
    gate.opened.set()
    others = [Server(settings.database_url, settings.database_schema, fake.url, tmp_path / "serve.log")
              for _ in range(2)]
    try:
        for s in others:
            s.wait_ready()
        _wait(lambda: set(_rows(db)) == {"done"}, 60, "recovery of every event")
        _check_exactly_once(fake, users, db)
        with db.engine.connect() as conn:
            claimers = {r[0].rsplit(":", 2)[1] for r in conn.execute(text(
                "SELECT claimed_by FROM processed_events WHERE claimed_by IS NOT NULL"))}
        assert len(claimers) >= 2, "the recovery was shared by the processes"  # the dead one + at least one
    finally:
        for s in others:
            s.stop()
        db.dispose()
