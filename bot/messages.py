"""Platform-neutral message types. No SDK type crosses this line.

A channel adapter turns a webhook into `IncomingMessage`s and our `Reply`s into the
platform's messages; the engine and handlers only ever see these types.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal

ChannelName = Literal["line", "telegram", "web"]
CHANNELS: tuple[str, ...] = ("line", "telegram", "web")


@dataclass(frozen=True, slots=True)
class Address:
    """Where a member can be reached: ``line:U123…``, ``telegram:123``, ``web:NAME``.

    Stored as a string so the scheduler and broadcasts never need the original event.
    """

    channel: str
    user_id: str

    def __post_init__(self) -> None:
        if self.channel not in CHANNELS:
            raise ValueError(f"unknown channel {self.channel!r}")
        if not self.user_id:
            raise ValueError("empty user id")

    def __str__(self) -> str:
        return f"{self.channel}:{self.user_id}"

    @classmethod
    def parse(cls, text: str) -> "Address":
        channel, sep, user_id = text.partition(":")
        if not sep:
            raise ValueError(f"not an address: {text!r}")
        return cls(channel, user_id)


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file the member sent. ``fetch_ref`` is channel-specific (a LINE message id, a Telegram file id)."""

    kind: Literal["image", "sticker", "location", "file", "audio", "video", "other"]
    fetch_ref: str | None = None
    content_type: str | None = None
    data: bytes | None = None  # filled when the channel already has the bytes (web chat)
    latitude: float | None = None
    longitude: float | None = None


class ContentGone(LookupError):
    """A channel's content fetcher (``async fetch_content(fetch_ref) -> bytes``) raises this when the
    platform no longer has the content (LINE keeps what members send only for a limited time): fetching
    it again cannot help. Any other exception is taken as "try again later"."""


@dataclass(frozen=True, slots=True)
class IncomingMessage:
    address: Address
    text: str | None = None
    postback: str | None = None  # data of a button we sent (a Choice.value)
    attachments: tuple[Attachment, ...] = ()
    locale_hint: str | None = None  # the platform's language of the user, if it told us
    event_id: str | None = None  # webhookEventId / update_id: used to drop duplicates
    reply_token: str | None = None
    received_at: datetime | None = None
    kind: Literal["message", "follow", "unfollow", "join", "leave", "other"] = "message"
    is_group: bool = False
    display_name: str | None = None
    # Sent by the browser chat (an anonymous cookie id): never acts with an officer's powers.
    from_browser: bool = False
    # LINE: the message's markAsReadToken (chat mode only), kept so an officer's reading can be shown.
    mark_as_read_token: str | None = None

    @property
    def input(self) -> str:
        """What the member said or tapped, as text (postback value wins)."""
        return (self.postback if self.postback is not None else self.text) or ""


# What a member types never carries these: C0 controls but newline and tab (a NUL breaks PostgreSQL
# text, others break XML exports), DEL, zero-width characters and the bidi controls that make a name
# read differently on screen than it is stored ("Trojan source").
_TYPED_JUNK = re.compile("[\x00-\x08\x0b-\x1f\x7f\u200b-\u200d\u2060\ufeff\u202a-\u202e\u2066-\u2069]")


def clean_typed(text: str | None) -> str | None:
    """`text` without the invisible and control characters above (None stays None)."""
    if not text:
        return text
    return _TYPED_JUNK.sub("", text) if _TYPED_JUNK.search(text) else text


def cleaned(msg: IncomingMessage) -> IncomingMessage:
    """The message as the engine sees it: what the member typed or tapped, and their display name, cleaned.
    Every channel's messages enter the engine through this (`Engine.handle`, `Engine.handle_many`)."""
    text, postback, name = clean_typed(msg.text), clean_typed(msg.postback), clean_typed(msg.display_name)
    if text is msg.text and postback is msg.postback and name is msg.display_name:
        return msg
    return replace(msg, text=text, postback=postback, display_name=name)


@dataclass(frozen=True, slots=True)
class Choice:
    """A button / quick reply. ``value`` comes back as the postback when tapped."""

    label: str
    value: str


@dataclass(frozen=True, slots=True)
class CardField:
    label: str
    value: str


@dataclass(frozen=True, slots=True)
class Card:
    """A rich card (LINE Flex bubble, Telegram formatted text + inline keyboard, HTML in web chat)."""

    title: str
    fields: tuple[CardField, ...] = ()
    text: str | None = None
    buttons: tuple[Choice, ...] = ()
    image_url: str | None = None
    link_url: str | None = None

    def shown_fields(self) -> tuple[CardField, ...]:
        """The fields to show: one holding the card's own link (the map) is that link's button instead, so the
        link appears once."""
        return self.fields if not self.link_url else tuple(f for f in self.fields if f.value != self.link_url)


@dataclass(frozen=True, slots=True)
class Media:
    """An image (a check-in QR code, a certificate) or a file to download, at a public URL of ours.
    LINE shows https images only and has no file messages for bots: there a document is a link."""

    kind: Literal["image", "document"]
    url: str
    preview_url: str | None = None  # a smaller image (LINE's previewImageUrl); default `url`
    filename: str | None = None  # a document's name, shown with its link


@dataclass(frozen=True, slots=True)
class Reply:
    text: str | None = None
    choices: tuple[Choice, ...] = ()  # at most 13 (LINE quick reply limit)
    card: Card | None = None
    media: Media | None = None  # shown after the text and the card

    def __post_init__(self) -> None:
        if self.text is None and self.card is None and self.media is None:
            raise ValueError("a reply needs text, a card or media")
        if len({c.value for c in self.choices}) != len(self.choices):
            # a menu joined to a reply's own buttons ("การลงทะเบียนของฉัน" twice): each action once, the first kept
            first: dict[str, Choice] = {}
            for c in self.choices:
                first.setdefault(c.value, c)
            object.__setattr__(self, "choices", tuple(first.values()))
        if len(self.choices) > 13:
            raise ValueError("at most 13 choices")


@dataclass
class Outgoing:
    """Replies addressed to one member, as handed to a channel's send()."""

    address: Address
    replies: list[Reply] = field(default_factory=list)


# --- replies as JSON: the outbox, the webhook inbox, the web inbox and the web chat all store or send this ---
def _choice_json(c: Choice) -> dict[str, str]:
    return {"label": c.label, "value": c.value}


def replies_to_json(replies: Iterable[Reply]) -> list[dict[str, Any]]:
    """Plain JSON for replies (the same shape as `dataclasses.asdict`, written out: it is on hot paths)."""
    out = []
    for r in replies:
        card = None
        if r.card is not None:
            c = r.card
            card = {"title": c.title, "fields": [{"label": f.label, "value": f.value} for f in c.fields],
                    "text": c.text, "buttons": [_choice_json(b) for b in c.buttons],
                    "image_url": c.image_url, "link_url": c.link_url}
        item = {"text": r.text, "choices": [_choice_json(ch) for ch in r.choices], "card": card}
        if r.media is not None:
            m = r.media
            item["media"] = {"kind": m.kind, "url": m.url, "preview_url": m.preview_url, "filename": m.filename}
        out.append(item)
    return out


def replies_from_json(data: Iterable[dict[str, Any]]) -> list[Reply]:
    out = []
    for r in data:
        card = None
        if r.get("card"):
            c = r["card"]
            card = Card(title=c["title"], fields=tuple(CardField(f["label"], f["value"]) for f in c.get("fields") or ()),
                        text=c.get("text"), buttons=tuple(Choice(b["label"], b["value"]) for b in c.get("buttons") or ()),
                        image_url=c.get("image_url"), link_url=c.get("link_url"))
        m = r.get("media")
        media = Media(m["kind"], m["url"], m.get("preview_url"), m.get("filename")) if m else None
        out.append(Reply(text=r.get("text"), choices=tuple(Choice(ch["label"], ch["value"]) for ch in r.get("choices") or ()),
                         card=card, media=media))
    return out
