"""Forged buttons: an answer-button's value is accepted only if the bot offered it in that conversation,
on every channel (the engine decides, once)."""
from __future__ import annotations

from fastapi.testclient import TestClient

from bot import i18n, outbox
from bot.messages import Choice, Reply
from bot.server import create_app
from tests.channels.helpers import LineUser, TgUser
from tests.conversations.helpers import seed_org
from tests.fakes import line_webhook as lw
from tests.transcript import Chat

OFFERED = "มูลนิธิพัฒนาเด็กพิษณุโลก"
NEVER = "สมาคมผู้สูงอายุตราด"
NOT_OFFERED = i18n.t("engine.button_not_offered", "th")
SEARCH = "พัฒนาเด็กพิศณุโลก"  # misspelt and like two names, so the bot offers a list (not one proposal)


def _orgs(runtime) -> tuple[int, int]:  # noqa: ANN001
    seed_org(runtime, "มูลนิธิพัฒนาเด็กพิจิตร", province="พิจิตร")  # also like SEARCH: a list, not one proposal
    return seed_org(runtime, OFFERED), seed_org(runtime, NEVER, province="ตราด")


def test_web_refuses_an_organization_never_offered(runtime) -> None:  # noqa: ANN001
    offered, never = _orgs(runtime)
    runtime.settings.web_chat_enabled = True
    with TestClient(create_app(runtime=runtime, start_scheduler=False)) as client:
        def send(**body: str) -> tuple[str, list[str]]:
            replies = client.post("/chat/api/messages", json=body).json()["replies"]
            return "\n".join(r["text"] or "" for r in replies), [c["value"] for r in replies for c in r["choices"]]

        send(text="สวัสดีค่ะ")
        send(postback="yes")
        _, values = send(text=SEARCH)
        assert f"org:{offered}" in values and f"org:{never}" not in values
        text, values = send(postback=f"org:{never}")
        assert NOT_OFFERED in text and NEVER not in text
        assert f"org:{offered}" in values  # the question again, with the buttons that are valid
        text, _ = send(text=f"org:{never}")  # typed, it is judged the same
        assert NOT_OFFERED in text and NEVER not in text
        text, _ = send(postback=f"org:{offered}")  # the offered one is taken
        assert NOT_OFFERED not in text


def test_line_refuses_an_organization_never_offered(line_client, fake_line, runtime) -> None:  # noqa: ANN001
    client, channel = line_client
    offered, never = _orgs(runtime)
    user = LineUser(client, fake_line, channel)
    user.say("สวัสดีค่ะ")
    user.tap("ยินยอม")
    user.say(SEARCH)
    assert f"org:{offered}" in [a.get("data") for a in user.actions]
    user.send(lw.postback_event(user.user_id, f"org:{never}", reply_token=user.token()))
    assert NOT_OFFERED in user.text and NEVER not in user.text
    user.tap(OFFERED)
    assert NOT_OFFERED not in user.text


def test_telegram_refuses_an_organization_never_offered(tg_client, fake_telegram, runtime) -> None:  # noqa: ANN001
    client, channel = tg_client
    offered, never = _orgs(runtime)
    user = TgUser(client, fake_telegram, channel)
    user.say("สวัสดีค่ะ")
    user.tap("ยินยอม")
    user.say(SEARCH)
    message_id = user.last[-1]["message_id"]
    user.send(lw.tg_callback_update(user.chat_id, f"org:{never}", message_id=message_id))
    assert NOT_OFFERED in user.text and NEVER not in user.text
    user.tap(OFFERED)
    assert NOT_OFFERED not in user.text


def test_a_button_a_proactive_message_offered_is_accepted(chat: Chat) -> None:
    offered, never = _orgs(chat.runtime)
    chat.say("สวัสดีค่ะ")
    chat.tap("ยินยอม")
    chat.say(SEARCH)
    chat.postback(f"org:{never}")
    assert NOT_OFFERED in chat.text
    with chat.runtime.db.session() as session:  # the outbox carried that button to this member
        outbox.enqueue(session, key="test:offer", address=chat.address, kind="notice",
                       replies=[Reply(text="เลือกองค์กร", choices=(Choice(NEVER, f"org:{never}"),))])
    chat.postback(f"org:{never}")
    assert NOT_OFFERED not in chat.text
