"""Our `Reply`s as Telegram ``sendMessage`` parameters (pure; no SDK, no network).

`to_telegram_messages(replies)` returns a list of dicts, one per ``sendMessage`` call, each holding
JSON-ready keyword arguments *without* ``chat_id``::

    {"text": "...", "parse_mode": "HTML",                       # parse_mode only for cards
     "reply_markup": {"inline_keyboard": [[{"text": "...", "callback_data": "..."}]]}}

`update_to_job(update)` reads an incoming Update (JSON) into an intake `Job`: text and commands
(``/start``, ``/start CODE`` → the redeem postback, ``/menu``, ``/help``, ``/cancel``, ``/lang [th|en]``;
``@botname`` suffixes ignored), button taps (callback queries: postback), photos and image documents (an
`Attachment` with the largest size's ``file_id``), other media ("please type or tap"), and
``my_chat_member`` (blocked → unfollow; added to / removed from a group → join / leave).

* Plain text is sent without ``parse_mode`` (nothing to escape); cards are rendered as HTML with
  every piece of our text escaped (``html.escape``), so member-provided names cannot break markup.
* Text longer than 4,096 characters is split at line / word boundaries; the keyboard goes on the
  last part. Cards are split between lines, so every part is well-formed HTML on its own.
* Choices and card buttons become one inline keyboard (two short buttons per row, long ones alone);
  a card's ``link_url`` becomes a URL button.

**callback_data is at most 64 bytes.** A `Choice.value` that fits (UTF-8) is sent as is. A longer
one (Thai is 3 bytes a character, so a 22-letter search phrase is already too long) is replaced by
a deterministic token ``"#cb:" + base64url(sha256(value))[:24]`` and the pair (token → value) is
remembered: always in a bounded in-process map, and — when a persistent store is installed with
`set_callback_store` (the Telegram channel installs a database-backed one, table
``callback_values``) — in the database, so a button still works after a restart or on another
process. `resolve_callback_data(data)` maps a tapped button back to the `Choice.value`. The token is
a hash of the value, so the same value always gets the same token (idempotent upserts, no id
allocation), and a value that itself happens to start with ``#cb:`` is always tokenized so the two
can never be confused.
"""
from __future__ import annotations

import base64
import hashlib
import html
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

from bot.account_links import normalize_code
from bot.clock import db_now
from bot.intake.contract import Job
from bot.messages import Address, Attachment, Card, Choice, IncomingMessage, Media, Reply

log = logging.getLogger(__name__)

MAX_TEXT = 4096
MAX_CALLBACK_BYTES = 64
TOKEN_PREFIX = "#cb:"
SHORT_LABEL = 16  # two buttons per row when both labels are at most this long

# ---------------------------------------------------------------------------------------------------
# callback_data <-> Choice.value
# ---------------------------------------------------------------------------------------------------
_MEMORY_LIMIT = 20_000
_memory: "OrderedDict[str, str]" = OrderedDict()
_memory_lock = threading.Lock()
_store_put: Callable[[str, str], None] | None = None
_store_get: Callable[[str], str | None] | None = None


def set_callback_store(put: Callable[[str, str], None] | None,
                       get: Callable[[str], str | None] | None) -> None:
    """Install (or remove, with None) a persistent token store: ``put(token, value)``, ``get(token)``."""
    global _store_put, _store_get
    _store_put, _store_get = put, get


def callback_token(value: str) -> str:
    digest = hashlib.sha256(value.encode("utf-8")).digest()
    return TOKEN_PREFIX + base64.urlsafe_b64encode(digest).decode("ascii")[:24]


def needs_token(value: str, limit: int = MAX_CALLBACK_BYTES) -> bool:
    return len(value.encode("utf-8")) > limit or value.startswith(TOKEN_PREFIX) or not value


def encode_callback_data(value: str) -> str:
    """The callback_data for a Choice value (≤ 64 bytes); remembers long values."""
    return value if not needs_token(value) else tokenize(value)


def tokenize(value: str) -> str:
    """Replace `value` by its token and remember the pair (used for LINE postbacks over 300 chars too)."""
    token = callback_token(value)
    remember(token, value)
    return token


def remember(token: str, value: str) -> None:
    with _memory_lock:
        _memory[token] = value
        _memory.move_to_end(token)
        while len(_memory) > _MEMORY_LIMIT:
            _memory.popitem(last=False)
    if _store_put is not None:
        _store_put(token, value)


def resolve_callback_data(data: str) -> str | None:
    """The Choice value behind a tapped button; None when a token is unknown (expired/foreign)."""
    if not data.startswith(TOKEN_PREFIX):
        return data
    with _memory_lock:
        value = _memory.get(data)
    if value is None and _store_get is not None:
        value = _store_get(data)
        if value is not None:
            with _memory_lock:
                _memory[data] = value
    return value


# ---------------------------------------------------------------------------------------------------
# text splitting
# ---------------------------------------------------------------------------------------------------
def _units(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units; ≥ code points, so a safe bound)."""
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split at paragraph, line or word boundaries so that every part is at most `limit` long."""
    parts: list[str] = []
    rest = text
    while _units(rest) > limit:
        # the longest prefix within the limit (code points; UTF-16 checked below)
        cut = limit
        while _units(rest[:cut]) > limit:
            cut -= 1
        window = rest[:cut]
        best = -1
        for sep in ("\n\n", "\n", " "):
            pos = window.rfind(sep)
            if pos >= cut // 2:
                best = pos
                break
        if best <= 0:
            best = cut
            # never split a base character from its combining marks (Thai vowels and tone marks)
            import unicodedata

            while best > 1 and unicodedata.category(rest[best]).startswith("M"):
                best -= 1
        parts.append(rest[:best].rstrip())
        rest = rest[best:].lstrip("\n ")
    if rest or not parts:
        parts.append(rest)
    return [p for p in parts if p] or [text[:limit]]


# ---------------------------------------------------------------------------------------------------
# replies
# ---------------------------------------------------------------------------------------------------
def _button(choice: Choice) -> dict[str, str]:
    return {"text": choice.label or choice.value[:32] or "•", "callback_data": encode_callback_data(choice.value)}


def keyboard(choices: Sequence[Choice], link: tuple[str, str] | None = None) -> dict[str, Any] | None:
    rows: list[list[dict[str, str]]] = []
    pending: list[dict[str, str]] = []
    for choice in choices:
        button = _button(choice)
        if _units(button["text"]) <= SHORT_LABEL:
            pending.append(button)
            if len(pending) == 2:
                rows.append(pending)
                pending = []
        else:
            if pending:
                rows.append(pending)
                pending = []
            rows.append([button])
    if pending:
        rows.append(pending)
    if link is not None:
        rows.append([{"text": link[0], "url": link[1]}])
    return {"inline_keyboard": rows} if rows else None


def card_html_lines(card: Card) -> list[str]:
    esc = html.escape
    lines = [f"<b>{esc(card.title)}</b>"]
    if card.text:
        lines.extend(esc(line) for line in card.text.splitlines() or [""])
    if card.shown_fields():
        lines.append("")
        for f in card.shown_fields():
            lines.append(f"<b>{esc(f.label)}:</b> {esc(f.value or '-')}")
    if card.image_url and card.image_url.startswith(("http://", "https://")):
        lines.append(f'<a href="{esc(card.image_url, quote=True)}">🖼</a>')
    return lines


def _split_lines(lines: list[str], limit: int = MAX_TEXT) -> list[str]:
    """Join HTML lines into parts of at most `limit`; every line is well-formed on its own."""
    parts: list[str] = []
    current = ""
    for line in lines:
        if _units(line) > limit:  # one enormous line: fall back to splitting its plain text
            if current:
                parts.append(current)
                current = ""
            parts.extend(split_text(line, limit))
            continue
        candidate = f"{current}\n{line}" if current else line
        if _units(candidate) > limit:
            parts.append(current)
            current = line
        else:
            current = candidate
    if current.strip():
        parts.append(current)
    return parts


def _link_label(card: Card) -> str:
    return "🔗 " + (card.title[:30] if card.title else "link")


def media_message(media: Media) -> dict[str, Any]:
    """``sendPhoto`` / ``sendDocument`` by URL (Telegram fetches it); the Bot API method travels as ``method``."""
    if media.kind == "image":
        return {"method": "sendPhoto", "photo": media.url}
    return {"method": "sendDocument", "document": media.url}


def to_telegram_messages(replies: Sequence[Reply]) -> list[dict[str, Any]]:
    """Replies → ``sendMessage`` keyword arguments (without ``chat_id``), in order."""
    out: list[dict[str, Any]] = []
    for reply in replies:
        messages: list[dict[str, Any]] = []
        if reply.text:
            messages.extend({"text": part} for part in split_text(reply.text))
        buttons: list[Choice] = []
        link = None
        if reply.card is not None:
            card = reply.card
            messages.extend({"text": part, "parse_mode": "HTML"} for part in _split_lines(card_html_lines(card)))
            buttons.extend(card.buttons)
            if card.link_url and card.link_url.startswith(("http://", "https://")):
                link = (_link_label(card), card.link_url)
        if reply.media is not None:
            messages.append(media_message(reply.media))
        # A card's buttons and the reply's choices share one inline keyboard here (LINE shows them apart):
        # a value offered by both is shown once.
        seen = {b.value for b in buttons}
        buttons.extend(c for c in reply.choices if c.value not in seen)
        markup = keyboard(buttons, link)
        if markup is not None and messages:
            messages[-1]["reply_markup"] = markup
        out.extend(messages)
    return out


# --- Updates in -------------------------------------------------------------------------------------
def _command(text: str) -> tuple[str, str] | None:
    if not text.startswith("/"):
        return None
    head, _, arg = text.partition(" ")
    return head[1:].split("@", 1)[0].lower(), arg.strip()


def _full_name(user: dict[str, Any]) -> str | None:
    return " ".join(p for p in (user.get("first_name"), user.get("last_name")) if p) or None


def update_to_job(update: dict[str, Any]) -> Job | None:
    """One Update (JSON, as the Bot API sends it) as an intake job, or None for updates we ignore (edits,
    channel posts, other people joining a group...)."""
    uid = update["update_id"]
    key, base0 = f"telegram:{uid}", {"event_id": str(uid), "received_at": db_now()}
    if cq := update.get("callback_query"):
        chat, user = (cq.get("message") or {}).get("chat"), cq["from"]
        value = resolve_callback_data(cq["data"]) if cq.get("data") else None
        msg = IncomingMessage(address=Address("telegram", str(user["id"])), postback=value if value is not None else "menu",
                              locale_hint=user.get("language_code"), display_name=_full_name(user),
                              is_group=chat is not None and chat.get("type") != "private", **base0)
        return Job(msg, key, str(chat["id"] if chat else user["id"]), callback_query_id=str(cq["id"]))
    if mcm := update.get("my_chat_member"):
        chat, new, old = mcm["chat"], mcm["new_chat_member"]["status"], mcm["old_chat_member"]["status"]
        address = Address("telegram", str(chat["id"]))
        if chat.get("type") == "private":
            return Job(IncomingMessage(address=address, kind="unfollow", **base0), key, str(chat["id"])) \
                if new == "kicked" else None
        kind = "join" if new in ("member", "administrator") and old in ("left", "kicked") else \
            "leave" if new in ("left", "kicked") else None
        return Job(IncomingMessage(address=address, kind=kind, is_group=True, **base0), key, str(chat["id"])) \
            if kind else None
    message = update.get("message")
    if not message:
        return None
    chat, user = message["chat"], message.get("from")
    target = str(chat["id"])
    base: dict[str, Any] = dict(address=Address("telegram", str(user["id"] if user else chat["id"])),
                                is_group=chat.get("type") != "private", **base0,
                                locale_hint=user.get("language_code") if user else None,
                                display_name=_full_name(user) if user else None)
    text = message.get("text")
    if text is not None:
        cmd = _command(text)
        if cmd is not None:
            name, arg = cmd
            if name == "start":
                code = normalize_code(arg)
                if code is not None:
                    return Job(IncomingMessage(postback=f"go:account.redeem:{code}", **base), key, target)
                return Job(IncomingMessage(kind="follow", **base), key, target)
            if name in ("menu", "help", "cancel"):
                return Job(IncomingMessage(text=f"/{name}", **base), key, target)
            if name in ("lang", "language"):
                lang = arg.lower()[:2] if arg.lower()[:2] in ("th", "en") else None
                return Job(IncomingMessage(postback="go:language" + (f":{lang}" if lang else ""), **base), key, target)
        return Job(IncomingMessage(text=text, **base), key, target)
    document = message.get("document") or {}
    if message.get("photo"):
        largest = max(message["photo"], key=lambda p: (p.get("width") or 0) * (p.get("height") or 0))
        att = Attachment("image", fetch_ref=largest["file_id"], content_type="image/jpeg")
        return Job(IncomingMessage(attachments=(att,), text=message.get("caption"), **base), key, target)
    if (document.get("mime_type") or "").startswith("image/"):
        att = Attachment("image", fetch_ref=document["file_id"], content_type=document["mime_type"])
        return Job(IncomingMessage(attachments=(att,), text=message.get("caption"), **base), key, target)
    if message.get("new_chat_members") or message.get("left_chat_member") is not None:
        return None  # group membership changes of people: my_chat_member covers the bot itself
    if (location := message.get("location")) is not None:
        att = Attachment("location", latitude=location.get("latitude"), longitude=location.get("longitude"))
    else:
        att = Attachment("sticker" if message.get("sticker") else "audio" if (message.get("voice") or message.get("audio"))
                         else "video" if message.get("video") else "file" if document else "other")  # type: ignore[arg-type]
    return Job(IncomingMessage(attachments=(att,), **base), key, target)


def updates_to_jobs(updates: list[dict[str, Any]]) -> list[Job]:
    """The jobs of several updates; one we cannot read is logged and dropped (acknowledged all the same)."""
    jobs = []
    for update in updates:
        try:
            job = update_to_job(update)
        except (KeyError, TypeError, ValueError, AttributeError):  # acknowledged and dropped
            log.exception("Telegram: unreadable update")
            continue
        if job is not None:
            jobs.append(job)
    return jobs
