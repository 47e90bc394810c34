"""What a channel adapter is to the intake: the small contract every platform module fills in.

An adapter knows its platform (signature, body format, API, limits) and nothing of the inbox, the
queues or the engine; `bot.intake.lifecycle.Intake` runs the same lifecycle for each of them.
"""
from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from bot.intake.inbox_sql import Recovered, message_from_json, message_to_json
from bot.messages import IncomingMessage, Reply

Header = Callable[[str], "str | None"]  # a request header by lower-case name
# sent: handed over (or already accepted under its retry key); refused: the platform said no (sending
# again would not help); later: unreachable for now (the event stays in the inbox and is retried);
# unreachable: the member blocked the bot (marked like an unfollow)
SendResult = Literal["sent", "refused", "later", "unreachable"]


class BadRequest(Exception):
    """The body is not something the platform sends: answered with `status` and `payload`."""

    def __init__(self, status: int, payload: dict[str, Any]) -> None:
        super().__init__(payload)
        self.status = status
        self.payload = payload


@dataclass
class Job:
    """One platform event on its way through the intake (stored in the inbox as `to_json()`)."""

    msg: IncomingMessage
    event_key: str  # "line:<webhookEventId>" / "telegram:<update_id>": the inbox key, base of the retry keys
    target: str | None  # where replies go: a LINE user/group/room id, a Telegram chat id
    reply_token: str | None = None
    event_ms: int = 0  # the platform's time of the event (ms since the epoch; 0 = unknown)
    user_id: str | None = None  # the person in a 1:1 chat (LINE profile and loading animation)
    callback_query_id: str | None = None  # a Telegram button tap, answered before the turn
    received: float = field(default_factory=time.monotonic)
    recovered: bool = False  # taken over from the inbox (an earlier process did not finish it): push only
    result: list[Any] | None = None  # the replies, when the turn already ran before a crash

    def age(self) -> float:
        """Seconds since the event (the older of the platform's and our own clock)."""
        since_event = time.time() - self.event_ms / 1000.0 if self.event_ms else 0.0
        return max(since_event, time.monotonic() - self.received)

    def to_json(self) -> dict[str, Any]:
        return {"msg": message_to_json(self.msg), "target": self.target, "event_ms": self.event_ms,
                "user_id": self.user_id}

    @classmethod
    def from_inbox(cls, item: Recovered) -> Job:
        p = item.payload
        target = p.get("target", p.get("chat_id"))  # "chat_id": rows stored before the common job
        return cls(msg=message_from_json(p["msg"]), event_key=item.key, target=None if target is None else str(target),
                   event_ms=int(p.get("event_ms") or 0), user_id=p.get("user_id"), recovered=True,
                   result=item.result if item.status == "turned" else None)


class ChannelAdapter(Protocol):
    name: str  # "line" / "telegram": the inbox's channel and the address prefix
    path: str  # the webhook route, e.g. "/webhooks/line"
    reply_token_max_age: float  # seconds a reply token may be used (0: the platform has none)
    busy_after: float  # seconds of a turn before `busy` is shown
    busy_in_groups: bool
    unavailable: dict[str, Any]  # the body of a 503 (the event could not be stored; the platform retries)

    def verify(self, body: bytes, header: Header) -> tuple[int, dict[str, Any]] | None:
        """None when the request really comes from the platform, else the refusal (status, body)."""

    def parse(self, body: bytes) -> list[Job]:
        """The events of a verified body we act on (raises `BadRequest`)."""

    async def before_turn(self, job: Job) -> dict[str, Any]:
        """Platform work before the turn (answer a button tap, look up a profile): fields to set on the
        message (``display_name``, ``locale_hint``), possibly none."""

    async def send(self, target: str, replies: list[Reply], *, reply_token: str | None = None,
                   retry_key: str | None = None) -> SendResult:
        """Send `replies`, with the reply token when one is given, else (or when it is refused) by push with
        retry keys derived from `retry_key`, so a retry is never delivered twice."""

    async def busy(self, target: str) -> None:
        """Show that an answer is coming (LINE's loading animation, Telegram's "typing…")."""

    async def fetch_content(self, ref: str) -> bytes:
        """The bytes of a photo or file a member sent (`Attachment.fetch_ref`)."""

    async def start(self, admit: Callable[[list[Job]], Awaitable[int]]) -> None:
        """Start platform-side work (Telegram's long polling feeds `admit`)."""

    async def stop(self) -> None:
        """Stop receiving (polling)."""

    async def aclose(self) -> None:
        """Close the HTTP client (after the last send)."""
