from __future__ import annotations

from tests.channels.helpers import TgUser, sign_up


def test_whole_signup_through_telegram_updates(tg_client, fake_telegram) -> None:  # noqa: ANN001
    client, channel = tg_client
    user = TgUser(client, fake_telegram, channel)
    user.say("/start")
    assert user.last, "/start gets a welcome"
    sign_up(user, first="")
    assert len(fake_telegram.callback_answers) >= 4  # every tap was answered (consent, new, kind, confirm)
