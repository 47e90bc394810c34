"""Our `Reply`s as LINE Messaging API message objects (pure; no SDK, no network).

* `to_line_messages(replies)` → a list of message JSON objects (dicts, exactly as the API takes them):
  - text → ``{"type": "text", "text": ...}``, split into several messages at 5,000 characters
    (UTF-16 units, as LINE counts), at paragraph / line / word boundaries;
  - a card → a Flex message holding one bubble: title, the card's text, one row per field
    (label | value), buttons as postback actions in the footer, ``link_url`` as a URI button,
    ``image_url`` (https only) as the hero image; ``altText`` is the title plus the first fields;
  - choices → quick reply items on the reply's last message: postback actions with
    ``data`` = `Choice.value`, ``displayText`` = the full label, ``label`` shortened to 20 characters
    ("…" at a word boundary, `bot.labels.shorten`); at most 13.
  A postback ``data`` is at most 300 characters: a longer value is replaced by the same deterministic
  token the Telegram side uses (`bot.channels.telegram_format.tokenize`) and resolved
  back with `resolve_callback_data` when the postback arrives.
* `chunk_messages(messages)` → lists of at most 5 messages (one API request each). LINE only shows the
  quick reply of the *last* message of a request, so within a chunk the last quick reply seen is moved
  onto the chunk's last message (earlier ones would never be displayed).
* `event_to_job(event)` → one webhook event as an intake `Job` (or None: ignored). Text → the engine;
  image → an `Attachment` (``fetch_ref`` = LINE message id); sticker, location, audio, video, file →
  "please type or tap" plus the question the member was answering; postback → ``postback`` = data
  (long values through `resolve_callback_data`); follow / unfollow / join / leave → the engine's ``kind``.
  Events in ``standby`` mode and other types (memberJoined, unsend, beacon, ...) → None.
"""
from __future__ import annotations

import copy
import re
import time
from collections.abc import Sequence
from typing import Any

from bot.channels.telegram_format import TOKEN_PREFIX, resolve_callback_data, split_text, tokenize
from bot.clock import db_now
from bot.intake.contract import Job
from bot.labels import shorten as shorten_label
from bot.messages import Address, Attachment, Card, Choice, IncomingMessage, Media, Reply

LINE_USER_ID = re.compile(r"^U[0-9a-f]{32}$")  # a user id LINE gave us (multicast takes only these)
MAX_TEXT = 5000
MAX_PER_REQUEST = 5
PLEASE_TYPE_KINDS = {"sticker", "location", "audio", "video", "file"}
MAX_QUICK_REPLIES = 13
QUICK_LABEL = 20
FLEX_BUTTON_LABEL = 40
MAX_DATA = 300
MAX_DISPLAY_TEXT = 300
MAX_ALT_TEXT = 400
MAX_FLEX_TEXT = 2000  # keep a bubble well under LINE's 30 kB per bubble
MAX_FIELDS = 30


def shorten(label: str, limit: int = QUICK_LABEL) -> str:
    """`label` in at most `limit` characters (UTF-16 units): `bot.labels.shorten`, cut at a word."""
    return shorten_label(label, limit)


def _data(value: str) -> str:
    return tokenize(value) if len(value) > MAX_DATA or value.startswith(TOKEN_PREFIX) else value


def postback(choice: Choice, label_limit: int) -> dict[str, Any]:
    display = " ".join(choice.label.split()) or choice.value
    return {"type": "postback", "label": shorten(choice.label or choice.value, label_limit),
            "data": _data(choice.value), "displayText": display[:MAX_DISPLAY_TEXT]}


def quick_reply(choices: Sequence[Choice]) -> dict[str, Any] | None:
    items = [{"type": "action", "action": postback(c, QUICK_LABEL)} for c in list(choices)[:MAX_QUICK_REPLIES]]
    return {"items": items} if items else None


def _flex_text(text: str, **style: Any) -> dict[str, Any]:
    text = text if text.strip() else "-"
    if len(text) > MAX_FLEX_TEXT:
        text = text[: MAX_FLEX_TEXT - 1] + "…"
    return {"type": "text", "text": text, "wrap": True, **style}


def alt_text(card: Card) -> str:
    parts = [card.title]
    parts += [f"{f.label}: {f.value}" for f in card.shown_fields()[:4]]
    if not card.fields and card.text:
        parts.append(card.text)
    alt = " · ".join(p for p in parts if p).strip() or "…"
    return alt if len(alt) <= MAX_ALT_TEXT else alt[: MAX_ALT_TEXT - 1] + "…"


def flex_bubble(card: Card) -> dict[str, Any]:
    body: list[dict[str, Any]] = [_flex_text(card.title, weight="bold", size="lg")]
    if card.text:
        body.append(_flex_text(card.text, size="sm", color="#444444"))
    fields = card.shown_fields()
    if fields:
        rows = [{"type": "box", "layout": "baseline", "spacing": "sm", "contents": [
                    _flex_text(f.label, size="sm", color="#888888", flex=2),
                    _flex_text(f.value or "-", size="sm", color="#222222", flex=4)]}
                for f in fields[:MAX_FIELDS]]
        body.append({"type": "separator", "margin": "md"})
        body.append({"type": "box", "layout": "vertical", "spacing": "sm", "margin": "md", "contents": rows})
    bubble: dict[str, Any] = {"type": "bubble",
                              "body": {"type": "box", "layout": "vertical", "spacing": "md", "contents": body}}
    if card.image_url and card.image_url.startswith("https://") and len(card.image_url) <= 2000:
        bubble["hero"] = {"type": "image", "url": card.image_url, "size": "full",
                          "aspectRatio": "20:13", "aspectMode": "cover"}
    footer: list[dict[str, Any]] = []
    for i, button in enumerate(card.buttons):
        footer.append({"type": "button", "style": "primary" if i == 0 else "secondary", "height": "sm",
                       "action": postback(button, FLEX_BUTTON_LABEL)})
    if card.link_url and card.link_url.startswith(("https://", "http://", "line://", "tel:")) \
            and len(card.link_url) <= 1000:
        footer.append({"type": "button", "style": "link", "height": "sm",
                       "action": {"type": "uri", "label": shorten("🔗 " + card.title, FLEX_BUTTON_LABEL),
                                  "uri": card.link_url}})
    if footer:
        bubble["footer"] = {"type": "box", "layout": "vertical", "spacing": "sm", "contents": footer}
    return bubble


def flex_message(card: Card) -> dict[str, Any]:
    return {"type": "flex", "altText": alt_text(card), "contents": flex_bubble(card)}


def media_message(media: Media) -> dict[str, Any]:
    """An https image as an image message; anything else (a document, a plain-http image) as its link."""
    if media.kind == "image" and media.url.startswith("https://") and len(media.url) <= 2000:
        preview = media.preview_url if (media.preview_url or "").startswith("https://") else media.url
        return {"type": "image", "originalContentUrl": media.url, "previewImageUrl": preview}
    label = f"📄 {media.filename}\n" if media.filename else ""
    return {"type": "text", "text": label + media.url}


def to_line_messages(replies: Sequence[Reply]) -> list[dict[str, Any]]:
    """Replies → LINE message objects, in order (not yet chunked; see `chunk_messages`)."""
    out: list[dict[str, Any]] = []
    for reply in replies:
        messages: list[dict[str, Any]] = []
        if reply.text and reply.text.strip():
            messages.extend({"type": "text", "text": part} for part in split_text(reply.text, MAX_TEXT))
        if reply.card is not None:
            messages.append(flex_message(reply.card))
        if reply.media is not None:
            messages.append(media_message(reply.media))
        if not messages:
            continue
        qr = quick_reply(reply.choices)
        if qr is not None:
            messages[-1]["quickReply"] = qr
        out.extend(messages)
    return out


def chunk_messages(messages: Sequence[dict[str, Any]], size: int = MAX_PER_REQUEST) -> list[list[dict[str, Any]]]:
    """At most `size` messages per request; a chunk's quick reply sits on its last message."""
    chunks: list[list[dict[str, Any]]] = []
    for start in range(0, len(messages), size):
        chunk = [copy.copy(m) for m in messages[start:start + size]]
        last_qr = None
        for m in chunk:
            if "quickReply" in m:
                last_qr = m.pop("quickReply")
        if last_qr is not None:
            chunk[-1]["quickReply"] = last_qr
        chunks.append(chunk)
    return chunks


def event_to_job(event: dict[str, Any]) -> Job | None:
    """One webhook event as a job, or None when we ignore it (standby mode, unknown types...)."""
    etype = event.get("type")
    event_id = event.get("webhookEventId")
    src = event.get("source") or {}
    if not isinstance(src, dict) or not isinstance(event_id, str) or not event_id:
        return None
    if event.get("mode", "active") != "active":
        return None  # another module owns the chat: never answer standby events
    user_id = src.get("userId")
    chat_type = src.get("type")
    chat_id = src.get("groupId") if chat_type == "group" else src.get("roomId") if chat_type == "room" else user_id
    is_group = chat_type in ("group", "room")
    who = user_id or chat_id
    if not who:
        return None
    try:
        address = Address("line", who)
    except ValueError:
        return None
    ts = event.get("timestamp")
    event_ms = int(ts) if isinstance(ts, (int, float)) else int(time.time() * 1000)
    token = event.get("replyToken") if isinstance(event.get("replyToken"), str) else None
    base = dict(address=address, event_id=event_id, reply_token=token, received_at=db_now(), is_group=is_group)
    if etype == "message":
        m = event.get("message") or {}
        read_token = m.get("markAsReadToken")
        if isinstance(read_token, str) and 0 < len(read_token) <= 200:
            base["mark_as_read_token"] = read_token
        mtype = m.get("type")
        if mtype == "text":
            msg = IncomingMessage(text=str(m.get("text") or ""), **base)
        elif mtype == "image":
            msg = IncomingMessage(attachments=(Attachment("image", fetch_ref=str(m.get("id")),
                                                          content_type="image/jpeg"),), **base)
        else:
            kind = mtype if mtype in PLEASE_TYPE_KINDS else "other"
            att = Attachment(kind, fetch_ref=str(m.get("id")) if m.get("id") else None,  # type: ignore[arg-type]
                             latitude=m.get("latitude"), longitude=m.get("longitude"))
            msg = IncomingMessage(attachments=(att,), **base)
    elif etype == "postback":
        data = str((event.get("postback") or {}).get("data") or "")
        value = resolve_callback_data(data) if data else None
        msg = IncomingMessage(postback=value if value is not None else "menu", **base)
    elif etype == "follow":
        msg = IncomingMessage(kind="follow", **base)
    elif etype == "unfollow":
        msg = IncomingMessage(kind="unfollow", **base)
    elif etype in ("join", "leave"):
        base["address"] = Address("line", chat_id) if chat_id else address
        msg = IncomingMessage(kind=etype, **base)
    else:
        return None
    return Job(msg=msg, event_key=f"line:{event_id}", target=chat_id, reply_token=token, event_ms=event_ms,
               user_id=user_id if not is_group else None)
