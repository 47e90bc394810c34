"""Webhook input: a signed LINE body nested too deeply is a bad request (400), not a server error; the
same for Telegram. Nothing is stored."""
from __future__ import annotations

from sqlmodel import select

from storage.models import ProcessedEvent
from tests.channels.helpers import LINE_SECRET, TG_SECRET
from tests.fakes import line_webhook as lw

DEEP = 100_000


def test_a_signed_line_body_nested_too_deeply_gets_400(line_client, runtime) -> None:  # noqa: ANN001
    client, _ = line_client
    body = b'{"destination":"U' + b"0" * 32 + b'","events":[' + b"[" * DEEP + b"]" * DEEP + b"]}"
    res = client.post("/webhooks/line", content=body,
                      headers={"Content-Type": "application/json", "X-Line-Signature": lw.sign(body, LINE_SECRET)})
    assert res.status_code == 400
    with runtime.db.session() as session:
        assert session.exec(select(ProcessedEvent)).all() == []


def test_a_telegram_update_nested_too_deeply_gets_400(tg_client) -> None:  # noqa: ANN001
    client, _ = tg_client
    body = b'{"update_id":1,"message":' + b'{"a":' * DEEP + b"1" + b"}" * DEEP + b"}"
    res = client.post("/webhooks/telegram", content=body,
                      headers={"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": TG_SECRET})
    assert res.status_code == 400
