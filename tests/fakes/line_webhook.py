"""Builders for LINE webhook bodies (validated against ``webhook.yml``) and Telegram Updates
(validated against ``api.json``'s ``Update`` type).

LINE::

    ev = text_event(user_id, "สวัสดี", reply_token=fake_line.issue_reply_token(user_id))
    body, headers = signed_request([ev], channel_secret)     # bytes + {"X-Line-Signature", ...}
    client.post("/webhooks/line", content=body, headers=headers)

Every builder returns a plain dict; ``callback_body(events)`` wraps events, ``validate_webhook(body)``
returns a list of spec violations (empty when valid) and ``signed_request`` asserts validity.

Telegram::

    upd = tg_text_update(chat_id, "/start ABC123")           # bot_command entity added automatically
    upd = tg_callback_update(chat_id, "choice:1", message_id=1001)
    assert validate_tg_update(upd) == []
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import os
import time
import uuid
from typing import Any

from .spec import line_webhook_spec, telegram_spec

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
DEFAULT_DESTINATION = "U" + "0" * 31 + "1"


# ------------------------------------------------------------------ ids
def new_ulid(ms: int | None = None) -> str:
    """A ULID (48-bit ms timestamp + 80 random bits, Crockford base32, 26 chars)."""
    ms = int(time.time() * 1000) if ms is None else ms
    n = (ms << 80) | int.from_bytes(os.urandom(10), "big")
    return "".join(_CROCKFORD[(n >> (5 * i)) & 31] for i in reversed(range(26)))


def new_user_id() -> str:
    return "U" + uuid.uuid4().hex


def new_group_id() -> str:
    return "C" + uuid.uuid4().hex


def new_room_id() -> str:
    return "R" + uuid.uuid4().hex


def new_reply_token() -> str:
    return uuid.uuid4().hex


_msg_counter = itertools.count(int(time.time() * 1000) % 10**12 * 1000)


def new_message_id() -> str:
    return str(500000000000000000 + next(_msg_counter) % 10**17)


# ------------------------------------------------------------------ LINE events
def source(user_id: str | None = None, *, group_id: str | None = None, room_id: str | None = None) -> dict:
    if group_id:
        s: dict[str, Any] = {"type": "group", "groupId": group_id}
    elif room_id:
        s = {"type": "room", "roomId": room_id}
    else:
        return {"type": "user", "userId": user_id}
    if user_id:
        s["userId"] = user_id
    return s


def _event(type_: str, user_id: str | None, *, group_id: str | None = None, room_id: str | None = None,
           reply_token: str | None | bool = True, redelivery: bool = False, timestamp: int | None = None,
           event_id: str | None = None, mode: str = "active", **extra: Any) -> dict:
    ts = int(time.time() * 1000) if timestamp is None else timestamp
    ev: dict[str, Any] = {
        "type": type_,
        "mode": mode,
        "timestamp": ts,
        "source": source(user_id, group_id=group_id, room_id=room_id),
        "webhookEventId": event_id or new_ulid(ts),
        "deliveryContext": {"isRedelivery": redelivery},
    }
    if reply_token is True:
        ev["replyToken"] = new_reply_token()
    elif reply_token:
        ev["replyToken"] = reply_token
    ev.update(extra)
    return ev


def text_event(user_id: str, text: str, *, message_id: str | None = None, quote_token: str | None = None,
               **kw: Any) -> dict:
    msg = {"type": "text", "id": message_id or new_message_id(), "text": text,
           "quoteToken": quote_token or base64.urlsafe_b64encode(os.urandom(24)).decode().rstrip("=")}
    return _event("message", user_id, message=msg, **kw)


def image_event(user_id: str, *, message_id: str | None = None, **kw: Any) -> dict:
    msg = {"type": "image", "id": message_id or new_message_id(),
           "contentProvider": {"type": "line"},
           "quoteToken": base64.urlsafe_b64encode(os.urandom(24)).decode().rstrip("=")}
    return _event("message", user_id, message=msg, **kw)


def sticker_event(user_id: str, *, package_id: str = "446", sticker_id: str = "1988",
                  message_id: str | None = None, **kw: Any) -> dict:
    msg = {"type": "sticker", "id": message_id or new_message_id(), "packageId": package_id,
           "stickerId": sticker_id, "stickerResourceType": "STATIC", "keywords": ["Happy"],
           "quoteToken": base64.urlsafe_b64encode(os.urandom(24)).decode().rstrip("=")}
    return _event("message", user_id, message=msg, **kw)


def location_event(user_id: str, *, latitude: float = 13.7563, longitude: float = 100.5018,
                   title: str | None = "กรุงเทพมหานคร", address: str | None = "ประเทศไทย",
                   message_id: str | None = None, **kw: Any) -> dict:
    msg: dict[str, Any] = {"type": "location", "id": message_id or new_message_id(),
                           "latitude": latitude, "longitude": longitude}
    if title:
        msg["title"] = title
    if address:
        msg["address"] = address
    return _event("message", user_id, message=msg, **kw)


def postback_event(user_id: str, data: str, *, params: dict | None = None, **kw: Any) -> dict:
    pb: dict[str, Any] = {"data": data}
    if params:
        pb["params"] = params
    return _event("postback", user_id, postback=pb, **kw)


def follow_event(user_id: str, *, is_unblocked: bool = False, **kw: Any) -> dict:
    return _event("follow", user_id, follow={"isUnblocked": is_unblocked}, **kw)


def unfollow_event(user_id: str, **kw: Any) -> dict:
    kw.setdefault("reply_token", None)
    return _event("unfollow", user_id, **kw)


def join_event(group_id: str, **kw: Any) -> dict:
    return _event("join", None, group_id=group_id, **kw)


def leave_event(group_id: str, **kw: Any) -> dict:
    kw.setdefault("reply_token", None)
    return _event("leave", None, group_id=group_id, **kw)


def callback_body(events: list[dict], destination: str = DEFAULT_DESTINATION) -> dict:
    return {"destination": destination, "events": list(events)}


def body_bytes(body: dict) -> bytes:
    """Serialise like LINE does (compact UTF-8 JSON, non-ASCII kept)."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def sign(body: bytes, secret: str) -> str:
    """``X-Line-Signature``: base64(HMAC-SHA256(channel secret, raw body))."""
    return base64.b64encode(hmac.new(secret.encode("utf-8"), body, hashlib.sha256).digest()).decode("ascii")


def validate_webhook(body: dict) -> list[dict[str, str]]:
    """Spec violations of a webhook body against ``webhook.yml``'s ``CallbackRequest`` ([] = valid)."""
    return line_webhook_spec().validate("CallbackRequest", body)


def signed_request(events: list[dict], secret: str, *, destination: str = DEFAULT_DESTINATION,
                   validate: bool = True) -> tuple[bytes, dict[str, str]]:
    """(raw body, headers) ready to POST to the bot's LINE webhook."""
    body = callback_body(events, destination)
    if validate:
        errs = validate_webhook(body)
        if errs:
            raise AssertionError(f"webhook body does not match webhook.yml: {errs}")
    raw = body_bytes(body)
    return raw, {"Content-Type": "application/json; charset=utf-8", "X-Line-Signature": sign(raw, secret),
                 "User-Agent": "LineBotWebhook/2.0"}


# ------------------------------------------------------------------ Telegram updates
_update_ids = itertools.count(500000000)
_tg_message_ids = itertools.count(1)


def tg_user(user_id: int, *, first_name: str = "ทดสอบ", last_name: str | None = None,
            username: str | None = None, language_code: str | None = "th") -> dict:
    u: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
    if last_name:
        u["last_name"] = last_name
    if username:
        u["username"] = username
    if language_code:
        u["language_code"] = language_code
    return u


def tg_chat(chat_id: int, *, first_name: str = "ทดสอบ", title: str | None = None) -> dict:
    if chat_id > 0:
        return {"id": chat_id, "type": "private", "first_name": first_name}
    return {"id": chat_id, "type": "supergroup" if str(chat_id).startswith("-100") else "group",
            "title": title or "กลุ่มทดสอบ"}


def tg_message(chat_id: int, text: str, *, user_id: int | None = None, message_id: int | None = None,
               date: int | None = None, first_name: str = "ทดสอบ") -> dict:
    uid = user_id if user_id is not None else (chat_id if chat_id > 0 else 1111)
    msg: dict[str, Any] = {
        "message_id": message_id or next(_tg_message_ids),
        "from": tg_user(uid, first_name=first_name),
        "chat": tg_chat(chat_id, first_name=first_name),
        "date": date or int(time.time()),
        "text": text,
    }
    if text.startswith("/"):
        cmd = text.split()[0]
        msg["entities"] = [{"type": "bot_command", "offset": 0,
                            "length": len(cmd.encode("utf-16-le")) // 2}]
    return msg


def tg_text_update(chat_id: int, text: str, *, update_id: int | None = None, **kw: Any) -> dict:
    """A message update; texts starting with ``/`` get a ``bot_command`` entity (``/start CODE``)."""
    return {"update_id": update_id or next(_update_ids), "message": tg_message(chat_id, text, **kw)}


def tg_start_update(chat_id: int, code: str | None = None, **kw: Any) -> dict:
    return tg_text_update(chat_id, f"/start {code}" if code else "/start", **kw)


def tg_callback_update(chat_id: int, data: str, *, message_id: int = 1001, message_text: str = "เลือก",
                       user_id: int | None = None, update_id: int | None = None,
                       bot_id: int = 123456789, bot_username: str = "khruakhai_test_bot") -> dict:
    """A callback_query update for a button under a message the bot sent (``message_id``)."""
    uid = user_id if user_id is not None else (chat_id if chat_id > 0 else 1111)
    return {
        "update_id": update_id or next(_update_ids),
        "callback_query": {
            "id": str(uuid.uuid4().int % 10**19),
            "from": tg_user(uid),
            "chat_instance": str(uuid.uuid4().int % 10**18),
            "data": data,
            "message": {
                "message_id": message_id,
                "from": {"id": bot_id, "is_bot": True, "first_name": "Khruakhai Test", "username": bot_username},
                "chat": tg_chat(chat_id),
                "date": int(time.time()) - 5,
                "text": message_text,
            },
        },
    }


def validate_tg_update(update: dict) -> list[str]:
    """Violations of an Update dict against api.json's ``Update`` type ([] = valid)."""
    errs = telegram_spec().check_object(update, "Update")
    kinds = [k for k in update if k != "update_id"]
    if len(kinds) != 1:
        errs.append(f"an Update carries exactly one optional field, got {kinds}")
    return errs
