"""Our `Reply`s as Telegram ``sendMessage`` parameters (pure; no SDK, no network).

`to_telegram_messages(replies)` returns a list of dicts, one per ``sendMessage`` call, each holding
JSON-ready keyword arguments *without* ``chat_id``::

    {"text": "...", "parse_mode": "HTML",                       # parse_mode only for cards
     "reply_markup": {"inline_keyboard": [[{"text": "...", "callback_data": "..."}]]}}

`to_ptb_kwargs(message)` turns one of them into keyword arguments for python-telegram-bot's
``Bot.send_message`` (``reply_markup`` as an ``InlineKeyboardMarkup``).

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
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

from bot.messages import Card, Choice, Media, Reply

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


def to_ptb_kwargs(message: dict[str, Any]) -> dict[str, Any]:
    """One `to_telegram_messages` item as kwargs for ``telegram.Bot.send_message``."""
    from telegram import InlineKeyboardButton, InlineKeyboardMarkup

    kwargs = dict(message)
    kwargs.pop("method", None)
    markup = kwargs.get("reply_markup")
    if isinstance(markup, dict):
        kwargs["reply_markup"] = InlineKeyboardMarkup(
            [[InlineKeyboardButton(**button) for button in row] for row in markup["inline_keyboard"]])
    return kwargs
