from __future__ import annotations

from tests.channels.helpers import TgUser, sign_up


def test_whole_signup_through_telegram_updates(tg_client, fake_telegram) -> None:  # noqa: ANN001
    client, channel = tg_client
    user = TgUser(client, fake_telegram, channel)
    user.say("/start")
    assert "PDPA" in user.text and any("ยินยอม" in b["text"] for _, b in user.buttons), "/start gets a welcome"
    sign_up(user, first="")
    # every tap was answered once (Telegram keeps a spinner on a button whose query is not answered)
    assert len(user.taps) == 4  # consent, a new organization, its kind, confirm
    assert [a["callback_query_id"] for a in fake_telegram.callback_answers] == user.taps
