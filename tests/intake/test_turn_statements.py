"""The SQL a signed-up member's plain text turn costs, statement by statement.

A webhook's turn runs on the database thread that also acknowledges the next webhooks (SQLite), so every
statement in it is paid by every member's message. These tests pin the exact statements of the common
turns, counted where SQLAlchemy hands them to the driver (``before_cursor_execute``): a change that adds
one — a lookup split again, a state written back although nothing changed — fails here and has to say
why. The COMMIT is the driver's ``commit()`` call, not a statement, so it is not in the lists.
"""
from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import event, text

from bot import i18n
from bot.intake.inbox import Inbox, InboxItem
from bot.intake.inbox_sql import message_to_json
from bot.messages import IncomingMessage
from tests.conversations.helpers import sign_up_new_org
from tests.transcript import Chat

# What a turn of a signed-up member who asks for the menu again (nothing in their conversation changes)
# sends to the database, whether it runs alone or in a batch with other members' turns:
NOTHING_CHANGED = {
    "sqlite": [
        "BEGIN",  # BEGIN IMMEDIATE: the write lock, taken up front (storage/db.py)
        "SELECT conversation_states+member_identities+members",  # state, identity and member in one lookup
        "UPDATE processed_events",  # the inbox event "turned", its replies stored (one executemany for a batch)
    ],
    "postgresql": [
        "SELECT pg_advisory_xact_lock",  # the members' turn lock across server processes (bot/member_lock.py)
        "SELECT conversation_states+member_identities+members",
        "UPDATE processed_events",
    ],
}


def _label(sql: str) -> str:
    """A statement in a few words: its verb and the tables it reads or writes."""
    words = sql.split()
    verb = words[0].upper()
    if verb in ("UPDATE", "INSERT", "DELETE"):
        return f"{verb} {words[2] if verb != 'UPDATE' else words[1]}"
    if verb == "SELECT":
        if "pg_advisory_xact_lock" in sql:
            return "SELECT pg_advisory_xact_lock"
        tables = sorted(set(re.findall(r"\b(?:FROM|JOIN)\s+([a-z_]+)", sql)) - {"json_each", "unnest"})
        return "SELECT " + "+".join(tables)
    return verb


@contextmanager
def _statements(runtime) -> Iterator[list[str]]:  # noqa: ANN001
    seen: list[str] = []

    def record(_conn, _cursor, statement, _params, _context, _many) -> None:  # noqa: ANN001
        seen.append(_label(statement))

    event.listen(runtime.db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(runtime.db.engine, "before_cursor_execute", record)


def _members(runtime, n: int) -> list[Chat]:  # noqa: ANN001
    """`n` LINE members, signed up, who have seen the menu once."""
    chats = []
    for i in range(n):
        chat = Chat(runtime, f"U{uuid.uuid4().hex}", channel="line")
        sign_up_new_org(chat, org=f"มูลนิธิรักษ์น้ำสาย {i + 1}")
        chat.say("เมนู")
        chats.append(chat)
    return chats


def _accept(inbox: Inbox, msgs: list[IncomingMessage]) -> list[str]:
    """The webhook's part before the turn: the events stored in the inbox (keys to mark "turned")."""
    items = [InboxItem(f"line:{uuid.uuid4().hex}", "line", str(m.address), {"msg": message_to_json(m)}) for m in msgs]
    assert asyncio.run(inbox.accept(items)) == {it.key for it in items}
    return [it.key for it in items]


def _turned(runtime, keys: list[str]) -> dict[str, str]:  # noqa: ANN001
    with runtime.db.engine.connect() as conn:
        rows = conn.execute(text("SELECT event_key, status FROM processed_events")).all()
    return {k: s for k, s in rows if k in keys}


def test_a_menu_asked_again_costs_three_statements(runtime) -> None:  # noqa: ANN001
    chat, = _members(runtime, 1)
    menu = chat.labels
    inbox = Inbox(runtime.db, lease_seconds=30)
    try:
        msg = IncomingMessage(address=chat.address, text="เมนู")
        key, = _accept(inbox, [msg])
        with _statements(runtime) as seen:
            replies = runtime.engine.handle(msg, on_turn=lambda s, r: inbox.mark_turned(s, [(key, r)]))
        assert [c.label for r in replies for c in r.choices] == menu  # the member sees their menu again
        assert _turned(runtime, [key]) == {key: "turned"}
        assert seen == NOTHING_CHANGED[runtime.db.engine.dialect.name]
    finally:
        inbox.executor.shutdown()


def test_a_batch_of_turns_costs_what_one_turn_costs(runtime) -> None:  # noqa: ANN001
    chats = _members(runtime, 4)
    inbox = Inbox(runtime.db, lease_seconds=30)
    try:
        msgs = [IncomingMessage(address=c.address, text="เมนู") for c in chats]
        keys = _accept(inbox, msgs)
        with _statements(runtime) as seen:
            outs = runtime.engine.handle_many(msgs, on_turns=lambda s, idx, outs: inbox.mark_turned(
                s, [(keys[i], outs[j]) for j, i in enumerate(idx)]))
        assert [[c.label for r in out for c in r.choices] for out in outs] == [c.labels for c in chats]
        assert _turned(runtime, keys) == {k: "turned" for k in keys}
        assert seen == NOTHING_CHANGED[runtime.db.engine.dialect.name]
    finally:
        inbox.executor.shutdown()


def test_a_turn_that_changes_the_conversation_writes_it(runtime) -> None:  # noqa: ANN001
    """The state is written when it changed (here the language, of the member and of the chat), and the
    next turn answers in that language."""
    chat, = _members(runtime, 1)
    with _statements(runtime) as seen:
        chat.say("english")
    assert chat.text == i18n.t("engine.language_set", "en")
    assert seen == NOTHING_CHANGED[runtime.db.engine.dialect.name][:2] + ["UPDATE conversation_states",
                                                                         "UPDATE members"]
    chat.say("เมนู")
    assert chat.text == i18n.t("menu.title", "en")


def test_a_conversation_the_member_keeps_coming_back_to_does_not_expire(runtime, clock) -> None:  # noqa: ANN001
    """A turn that changes nothing in a running conversation (help asked in the middle of sign-up) still
    writes the time of the member's last message: conversations expire counted from it."""
    chat = Chat(runtime, f"U{uuid.uuid4().hex}", channel="line")
    chat.say("สวัสดีค่ะ")
    consent = chat.labels
    expired = i18n.t("engine.expired", "th")
    ttl = timedelta(hours=runtime.settings.conversation_ttl_hours)
    for _ in range(2):
        clock.set(clock.now() + ttl - timedelta(hours=1))
        with _statements(runtime) as seen:
            chat.say("ช่วยเหลือ")
        assert expired not in chat.text and chat.labels == consent  # still asked for consent
        assert "UPDATE conversation_states" in seen
    clock.set(clock.now() + ttl + timedelta(hours=1))  # left alone longer than that: it does expire
    chat.say("ช่วยเหลือ")
    assert expired in chat.text
