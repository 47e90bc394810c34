"""Telegram: secret token, malformed bodies, duplicates, commands, callbacks, groups, blocking, polling."""
from __future__ import annotations

import time

from sqlmodel import select

from bot.channels import telegram_format
from bot.messages import Choice, Reply
from storage.models import MemberIdentity, ProcessedEvent
from storage.repositories import members as members_repo
from tests.channels.helpers import TgUser
from tests.fakes import line_webhook as lw


def _member(runtime, chat_id: int) -> None:  # noqa: ANN001
    with runtime.db.session() as s:
        members_repo.create(s, address=f"telegram:{chat_id}", organization_id=None, full_name="สมชาย ใจดี",
                            position="เลขา", phone="0812345678")


def test_wrong_or_missing_secret_is_403(tg_client, fake_telegram) -> None:  # noqa: ANN001
    client, channel = tg_client
    user = TgUser(client, fake_telegram, channel)
    assert user.post(lw.tg_text_update(user.chat_id, "/start"), secret="wrong") == 403
    assert user.post(lw.tg_text_update(user.chat_id, "/start"), secret=None) == 403
    assert fake_telegram.messages_to(user.chat_id) == []
    with channel.runtime.db.session() as s:
        assert s.exec(select(ProcessedEvent)).all() == []


def test_malformed_bodies_are_400(tg_client, fake_telegram) -> None:  # noqa: ANN001
    client, channel = tg_client
    headers = {"X-Telegram-Bot-Api-Secret-Token": "tg-webhook-secret_0123456789", "Content-Type": "application/json"}
    assert client.post("/webhooks/telegram", content=b"{oops", headers=headers).status_code == 400
    assert client.post("/webhooks/telegram", content=b"[1]", headers=headers).status_code == 400
    assert client.post("/webhooks/telegram", content=b'{"message": {}}', headers=headers).status_code == 400
    # an update kind we do not use is acknowledged
    assert client.post("/webhooks/telegram", json={"update_id": 5, "poll": {}}, headers=headers).status_code == 200


def test_duplicate_update_ids_are_dropped(tg_client, fake_telegram) -> None:  # noqa: ANN001
    client, channel = tg_client
    user = TgUser(client, fake_telegram, channel)
    update = lw.tg_text_update(user.chat_id, "/start")
    user.send(update)
    count = len(fake_telegram.messages_to(user.chat_id))
    assert count
    assert user.post(update) == 200
    channel.inbox.recent.clear()  # as after a restart
    assert user.post(update) == 200
    assert len(fake_telegram.messages_to(user.chat_id)) == count


def test_commands_lang_help_cancel_menu(tg_client, fake_telegram) -> None:  # noqa: ANN001
    client, channel = tg_client
    user = TgUser(client, fake_telegram, channel)
    _member(channel.runtime, user.chat_id)
    user.say("/menu")
    assert "เมนูหลัก" in user.text and user.buttons
    user.say("/lang en")
    assert user.text.startswith("Switched to English.")
    user.say("/help@khruakhai_test_bot")  # the bot's name after a command (as in groups) is ignored
    assert user.text.startswith("How to use me:")
    user.say("/cancel")
    assert user.text.startswith("There's nothing in progress.")
    user.say("/lang")  # toggles back
    assert user.text.startswith("เปลี่ยนเป็นภาษาไทยแล้วค่ะ")


def test_callback_queries_are_answered_and_long_values_survive_a_restart(tg_client, fake_telegram) -> None:  # noqa: ANN001
    client, channel = tg_client
    long_value = "go:directory:" + "มูลนิธิรักษ์น้ำน่าน" * 3
    [message] = telegram_format.to_telegram_messages([Reply(text="เลือก", choices=(Choice("ค้นหา", long_value),))])
    data = message["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    assert len(data.encode()) <= 64 and data.startswith(telegram_format.TOKEN_PREFIX)
    from bot import callback_values

    assert callback_values.install_callback_store(channel.runtime.db).flush()  # committed
    telegram_format._memory.clear()  # another process, or after a restart
    assert telegram_format.resolve_callback_data(data) == long_value
    user = TgUser(client, fake_telegram, channel)
    _member(channel.runtime, user.chat_id)
    tap = lw.tg_callback_update(user.chat_id, data)  # the long button, tapped after the restart
    user.send(tap)
    assert [a["callback_query_id"] for a in fake_telegram.callback_answers] == [tap["callback_query"]["id"]]
    assert user.text.startswith("ค้นหาองค์กรในเครือข่าย")  # the long value was understood: the directory


def test_group_join_and_private_only(tg_client, fake_telegram) -> None:  # noqa: ANN001
    client, channel = tg_client
    group = -100123456789
    update = {"update_id": 900000001, "my_chat_member": {
        "chat": {"id": group, "type": "supergroup", "title": "กลุ่ม"},
        "from": lw.tg_user(42), "date": int(time.time()),
        "old_chat_member": {"status": "left", "user": {"id": 123456789, "is_bot": True, "first_name": "Bot"}},
        "new_chat_member": {"status": "member", "user": {"id": 123456789, "is_bot": True, "first_name": "Bot"}}}}
    user = TgUser(client, fake_telegram, channel, chat_id=group)
    user.send(update)
    assert "แชตส่วนตัว" in user.text
    user.send(lw.tg_text_update(group, "/start", user_id=42))
    assert "แชตส่วนตัว" in user.text


def test_blocked_bot_marks_unreachable(tg_client, fake_telegram) -> None:  # noqa: ANN001
    client, channel = tg_client
    user = TgUser(client, fake_telegram, channel)
    _member(channel.runtime, user.chat_id)
    fake_telegram.block(user.chat_id)
    user.post(lw.tg_text_update(user.chat_id, "/menu"))

    def reachable() -> bool:
        with channel.runtime.db.session() as s:
            return s.exec(select(MemberIdentity).where(
                MemberIdentity.address == f"telegram:{user.chat_id}")).one().reachable

    assert reachable() is False
    fake_telegram.unblock(user.chat_id)
    user.say("/menu")  # they wrote again: reachable again
    assert "เมนูหลัก" in user.text and reachable() is True
    kicked = {"update_id": 900000002, "my_chat_member": {
        "chat": {"id": user.chat_id, "type": "private", "first_name": "x"}, "from": lw.tg_user(user.chat_id),
        "date": int(time.time()),
        "old_chat_member": {"status": "member", "user": {"id": 123456789, "is_bot": True, "first_name": "Bot"}},
        "new_chat_member": {"status": "kicked", "until_date": 0,
                            "user": {"id": 123456789, "is_bot": True, "first_name": "Bot"}}}}
    assert user.post(kicked) == 200  # stopping the bot in Telegram's menu: unreachable, and nothing sent
    assert reachable() is False
    assert len(fake_telegram.messages_to(user.chat_id)) == user._seen


def test_sticker_gets_please_type(tg_client, fake_telegram) -> None:  # noqa: ANN001
    client, channel = tg_client
    user = TgUser(client, fake_telegram, channel)

    def sticker() -> dict:
        update = lw.tg_text_update(user.chat_id, "x")
        del update["message"]["text"]
        update["message"]["sticker"] = {"file_id": "CAAC1", "file_unique_id": "u1", "type": "regular",
                                        "width": 512, "height": 512, "is_animated": False, "is_video": False}
        return update

    user.send(sticker())
    assert "PDPA" in user.text  # a stranger's first sticker is a hello: welcome and consent
    user.send(sticker())
    assert "กรุณาพิมพ์" in user.text and "ยินยอมไหม" in user.text  # mid-form: not an answer, asked again


def test_long_polling(channel_settings, clock, fake_telegram, monkeypatch) -> None:  # noqa: ANN001
    import bot.server
    from fastapi.testclient import TestClient

    from bot.wiring import build
    from bot.server import create_app

    real_optional = bot.server._optional
    monkeypatch.setattr(bot.server, "_optional", lambda n: None if n == "bot.console" else real_optional(n))
    settings = channel_settings.model_copy(update={"telegram_polling": True, "line_channel_secret": None})
    runtime = build(settings, clock=clock)
    chat_id = 777000111
    with TestClient(create_app(runtime=runtime, start_scheduler=False)) as client:
        channel = client.app.state.telegram_channel
        fake_telegram.queue_update(lw.tg_text_update(chat_id, "/start"))
        deadline = time.monotonic() + 10
        while not fake_telegram.messages_to(chat_id) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert fake_telegram.messages_to(chat_id)
        assert channel.queue.wait_idle(5)
    assert fake_telegram.calls_to("deleteWebhook")
    runtime.db.dispose()
