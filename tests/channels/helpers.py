"""Drive the bot like LINE and Telegram do: signed webhooks / updates in, fake platform servers out."""
from __future__ import annotations

import asyncio
import time
from typing import Any, Callable

from fastapi.testclient import TestClient

from tests.fakes import line_webhook as lw

LINE_SECRET = "test-line-channel-secret"
LINE_TOKEN = "test-line-access-token"
TG_TOKEN = "123456789:TEST-khruakhai-fake-token"
TG_SECRET = "tg-webhook-secret_0123456789"


def eventually(predicate: Callable[[], bool], what: str, timeout: float = 15.0) -> None:
    """Wait for something another thread does (a deadline for a hang, not a measure of speed)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


async def eventually_async(predicate: Callable[[], bool], what: str, timeout: float = 15.0) -> None:
    """`eventually` inside an event loop (the loop keeps running the work waited for)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)


def line_actions(message: dict) -> list[dict]:
    """Every tappable action of one LINE message object (quick reply items and Flex buttons)."""
    out = [item["action"] for item in (message.get("quickReply") or {}).get("items", [])]

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "button" and "action" in node:
                out.append(node["action"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    if message.get("type") == "flex":
        walk(message["contents"])
    return out


def line_text(message: dict) -> str:
    if message.get("type") == "text":
        return message["text"]
    parts: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "text" and "text" in node:
                parts.append(node["text"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(message.get("contents"))
    return "\n".join(parts)


class LineUser:
    """One LINE user chatting with the bot through signed webhooks; replies read back from the fake."""

    def __init__(self, client: TestClient, fake, channel, user_id: str | None = None) -> None:  # noqa: ANN001
        self.client = client
        self.fake = fake
        self.channel = channel
        self.user_id = user_id or lw.new_user_id()
        self._seen = 0
        self.last: list[dict] = []

    def post(self, events: list[dict], *, secret: str = LINE_SECRET) -> int:
        body, headers = lw.signed_request(events, secret)
        res = self.client.post("/webhooks/line", content=body, headers=headers)
        assert self.channel.queue.wait_idle(15), "LINE jobs did not finish"
        return res.status_code

    def send(self, event: dict) -> list[dict]:
        assert self.post([event]) == 200
        messages = self.fake.messages_to(self.user_id)
        self.last = messages[self._seen:]
        self._seen = len(messages)
        return self.last

    def token(self) -> str:
        return self.fake.issue_reply_token(self.user_id)

    def say(self, text: str) -> list[dict]:
        return self.send(lw.text_event(self.user_id, text, reply_token=self.token()))

    def follow(self) -> list[dict]:
        return self.send(lw.follow_event(self.user_id, reply_token=self.token()))

    @property
    def actions(self) -> list[dict]:
        return [a for m in self.last for a in line_actions(m)]

    @property
    def text(self) -> str:
        return "\n".join(line_text(m) for m in self.last)

    def tap(self, label: str) -> list[dict]:
        for action in self.actions:
            if label in action.get("label", "") or label in action.get("displayText", ""):
                return self.send(lw.postback_event(self.user_id, action["data"], reply_token=self.token()))
        raise AssertionError(f"no button {label!r} in {[a.get('label') for a in self.actions]}")


def sign_up(user, *, org: str = "มูลนิธิรักษ์น้ำน่าน", province: str = "น่าน", name: str = "สมศรี ใจดี",  # noqa: ANN001
            phone: str = "081-234-5678", first: str = "สวัสดีค่ะ") -> None:
    """The same answers as tests/conversations/helpers.py `sign_up_new_org`, on any channel user."""
    if first:
        user.say(first)
    user.tap("ยินยอม")
    user.say(org)
    user.tap("ลงทะเบียนองค์กรใหม่")
    user.tap("องค์กรสาธารณประโยชน์")
    user.say(province)
    user.say("อ.เมือง")
    user.say(name)
    user.say("ประธาน")
    user.say(phone)
    assert "สรุปข้อมูลการสมัคร" in user.text
    user.tap("ยืนยัน")
    assert "ลงทะเบียนเรียบร้อยแล้ว" in user.text


class TgUser:
    """One Telegram user chatting with the bot through webhook updates; replies read from the fake."""

    def __init__(self, client: TestClient, fake, channel, chat_id: int | None = None) -> None:  # noqa: ANN001
        import random

        self.client = client
        self.fake = fake
        self.channel = channel
        self.chat_id = chat_id or random.randint(10**8, 10**9)
        self.taps: list[str] = []  # callback query ids of the buttons tapped, in order
        self._seen = 0
        self.last: list[dict] = []

    def post(self, update: dict, *, secret: str | None = TG_SECRET) -> int:
        assert lw.validate_tg_update(update) == [], lw.validate_tg_update(update)
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
        res = self.client.post("/webhooks/telegram", json=update, headers=headers)
        assert self.channel.queue.wait_idle(15), "Telegram jobs did not finish"
        return res.status_code

    def send(self, update: dict) -> list[dict]:
        assert self.post(update) == 200
        messages = self.fake.messages_to(self.chat_id)
        self.last = messages[self._seen:]
        self._seen = len(messages)
        return self.last

    def say(self, text: str) -> list[dict]:
        return self.send(lw.tg_text_update(self.chat_id, text))

    @property
    def buttons(self) -> list[tuple[dict, dict]]:
        return [(m, b) for m in self.last for row in (m.get("reply_markup") or {}).get("inline_keyboard", [])
                for b in row]

    @property
    def text(self) -> str:
        import html
        import re

        return "\n".join(html.unescape(re.sub(r"<[^>]+>", "", m.get("text", ""))) for m in self.last)

    def tap(self, label: str) -> list[dict]:
        for message, button in self.buttons:
            if label in button.get("text", "") and "callback_data" in button:
                update = lw.tg_callback_update(self.chat_id, button["callback_data"], message_id=message["message_id"])
                self.taps.append(update["callback_query"]["id"])
                return self.send(update)
        raise AssertionError(f"no button {label!r} in {[b.get('text') for _, b in self.buttons]}")
