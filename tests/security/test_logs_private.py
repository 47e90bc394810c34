"""Logs carry no personal data: a sign-up whose "ยืนยัน" fails in the database leaves neither the name nor
the phone in the log output of any logger (ours, sqlalchemy's statements, the error's traceback)."""
from __future__ import annotations

import io
import logging

import pytest
from sqlalchemy import text

from bot.logs import RedactSecrets
from tests.conversations.helpers import sign_up_new_org
from tests.transcript import Chat

NAME, PHONE = "สมศรี ใจดี", "081-234-5678"


@pytest.fixture
def captured():  # noqa: ANN201
    """Everything logged, by every logger, formatted as `khruakhai serve` formats it (bot/logs.py)."""
    buf = io.StringIO()
    handler = logging.StreamHandler(buf)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets())
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    sa = logging.getLogger("sqlalchemy.engine")
    sa.setLevel(logging.INFO)  # every statement echoed: what a debugging operator would switch on
    yield buf
    sa.setLevel(logging.WARNING)
    root.removeHandler(handler)
    root.setLevel(old_level)


def _refuse_new_members(runtime) -> None:  # noqa: ANN001
    with runtime.db.engine.begin() as conn:
        if runtime.db.is_sqlite:
            conn.execute(text("CREATE TRIGGER refuse_members BEFORE INSERT ON members "
                              "BEGIN SELECT RAISE(ABORT, 'refused for the test'); END"))
        else:  # PostgreSQL quotes the whole failing row in its error
            conn.execute(text("ALTER TABLE members ADD CONSTRAINT refuse_members CHECK (id < 0) NOT VALID"))


def _allow_new_members(runtime) -> None:  # noqa: ANN001
    with runtime.db.engine.begin() as conn:
        conn.execute(text("DROP TRIGGER refuse_members" if runtime.db.is_sqlite
                          else "ALTER TABLE members DROP CONSTRAINT refuse_members"))


def test_a_failed_sign_up_logs_neither_the_name_nor_the_phone(chat: Chat, captured) -> None:  # noqa: ANN001
    _refuse_new_members(chat.runtime)
    try:
        with pytest.raises(AssertionError):  # "ยืนยัน" fails: an apology instead of the welcome
            sign_up_new_org(chat, name=NAME, phone=PHONE)
        assert "ขออภัย" in chat.text or "ขอโทษ" in chat.text
    finally:
        _allow_new_members(chat.runtime)
    log = captured.getvalue()
    assert "handler failed" in log and "Traceback" in log  # the error itself is logged...
    assert "INSERT INTO members" in log  # ...with the statement that failed...
    for personal in (NAME, "สมศรี", "ใจดี", PHONE, "0812345678", "081 234 5678"):
        assert personal not in log, personal  # ...but not what the member typed


def test_redaction_covers_messages_and_tracebacks_of_any_logger() -> None:
    buf = io.StringIO()
    handler = logging.StreamHandler(buf)
    handler.addFilter(RedactSecrets())
    log = logging.getLogger("uvicorn.error")
    log.addHandler(handler)
    try:
        try:
            raise ValueError('duplicate key value violates unique constraint\n'
                             'DETAIL:  Key (address)=(line:U0123456789abcdef0123456789abcdef) already exists.')
        except ValueError:
            log.exception("Exception in ASGI application for telegram:123456789 phone 0812345678")
    finally:
        log.removeHandler(handler)
    out = buf.getvalue()
    assert "ValueError" in out and "Exception in ASGI application" in out
    for personal in ("U0123456789abcdef0123456789abcdef", "123456789", "0812345678"):
        assert personal not in out, personal
