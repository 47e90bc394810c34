"""One membership, two apps: a one-time code from "ข้อมูลของฉัน" links LINE and Telegram accounts."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlmodel import select

from bot import account_links, callback_values
from storage.models import MemberIdentity
from storage.repositories import members as members_repo
from tests.channels.helpers import LineUser, TgUser


def _member(runtime, address: str, name: str = "สมศรี ใจดี") -> int:  # noqa: ANN001
    with runtime.db.session() as s:
        return members_repo.create(s, address=address, organization_id=None, full_name=name,
                                   position="ประธาน", phone="0812345678").id


def _code(text: str) -> str:
    found = re.search(r"\b([A-Z2-9]{4}-[A-Z2-9]{4})\b", text)
    assert found, text
    return found.group(1)


def test_link_telegram_to_a_line_member_with_a_deep_link_code(app_client, fake_line, fake_telegram) -> None:  # noqa: ANN001
    client, app = app_client
    runtime = app.state.line_channel.runtime
    line = LineUser(client, fake_line, app.state.line_channel)
    member_id = _member(runtime, f"line:{line.user_id}")
    line.say("ข้อมูลของฉัน")
    line.tap("เชื่อมบัญชีอื่น")
    code = _code(line.text)
    tg = TgUser(client, fake_telegram, app.state.telegram_channel)
    tg.say(f"/start {code.replace('-', '')}")
    assert "เชื่อมบัญชีเรียบร้อยแล้ว" in tg.text
    with runtime.db.session() as s:
        addresses = set(s.exec(select(MemberIdentity.address).where(MemberIdentity.member_id == member_id)))
    assert addresses == {f"line:{line.user_id}", f"telegram:{tg.chat_id}"}
    tg.say("/menu")
    assert any("ข้อมูลของฉัน" in b["text"] for _, b in tg.buttons)
    # single use
    other = TgUser(client, fake_telegram, app.state.telegram_channel)
    other.say(f"/start {code.replace('-', '')}")
    assert "ใช้ไม่ได้" in other.text


def test_link_line_to_a_telegram_member_by_typing_the_code(app_client, fake_line, fake_telegram) -> None:  # noqa: ANN001
    client, app = app_client
    runtime = app.state.telegram_channel.runtime
    tg = TgUser(client, fake_telegram, app.state.telegram_channel)
    _member(runtime, f"telegram:{tg.chat_id}", name="สมชาย รักดี")
    tg.say("เชื่อมบัญชี")
    code = _code(tg.text)
    line = LineUser(client, fake_line, app.state.line_channel)
    line.follow()  # a new friend: the sign-up starts...
    assert "ยินยอม" in line.text
    line.say(code.lower().replace("-", " "))  # ...but a typed code links instead
    assert "เชื่อมบัญชีเรียบร้อยแล้ว" in line.text and "สมชาย" in line.text


def test_codes_expire_and_a_registered_account_is_not_taken_over(app_client, fake_line, fake_telegram, clock) -> None:  # noqa: ANN001
    client, app = app_client
    runtime = app.state.line_channel.runtime
    line = LineUser(client, fake_line, app.state.line_channel)
    _member(runtime, f"line:{line.user_id}")
    line.say("เชื่อมบัญชี")
    code = _code(line.text)
    tg = TgUser(client, fake_telegram, app.state.telegram_channel)
    _member(runtime, f"telegram:{tg.chat_id}", name="คนอื่น")
    tg.say(f"/start {code.replace('-', '')}")
    assert "ลงทะเบียนเป็นสมาชิกอีกคน" in tg.text
    clock.set(clock.now() + timedelta(minutes=16))
    newcomer = TgUser(client, fake_telegram, app.state.telegram_channel)
    newcomer.say(f"/start {code.replace('-', '')}")
    assert "ใช้ไม่ได้" in newcomer.text


def test_code_format() -> None:
    assert account_links.normalize_code("abcd-2345") == "ABCD2345"
    assert account_links.normalize_code(" ABCD 2345 ") == "ABCD2345"
    assert account_links.normalize_code("ABCDEFGH") is None  # no digit: an ordinary word
    assert account_links.normalize_code("12345678") is None  # digits only: a phone or a number
    assert account_links.normalize_code("ABCD-O123") is None  # O is not in the alphabet
    assert account_links.normalize_code("สวัสดีค่ะ") is None


def test_long_button_values_are_committed_when_flush_returns(runtime) -> None:  # noqa: ANN001
    """Another server process resolves a button from the database: once `flush()` returns, every value
    put before is there (it used to return when the queue was empty, before the last commit: this failed
    on PostgreSQL, where the last value was not committed yet)."""
    import threading
    import time

    from sqlalchemy import event

    from storage.models.links import CallbackValue

    def slow_commit(conn) -> None:  # noqa: ANN001 - the writer's commits take a while (a busy database)
        if threading.current_thread().name == "callback-values":
            time.sleep(0.05)

    event.listen(runtime.db.engine, "commit", slow_commit)
    writer = callback_values.install_callback_store(runtime.db)
    for i in range(10):
        writer.put(f"tok-{i}", f"go:directory:{i}")
    assert writer.flush(timeout=30)
    with runtime.db.session() as s:
        assert len(s.exec(select(CallbackValue)).all()) == 10
    event.remove(runtime.db.engine, "commit", slow_commit)
