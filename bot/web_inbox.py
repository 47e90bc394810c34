"""Mailbox for web-chat addresses: the outbox delivers here, the page and `khruakhai chat` fetch."""
from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, select

from bot.messages import Reply
from bot.messages import replies_from_json, replies_to_json
from storage.models.web_inbox import WebInboxMessage


def put(session: Session, *, address: str, replies: Sequence[Reply]) -> None:
    session.add(WebInboxMessage(address=address, content=replies_to_json(replies)))


def take(session: Session, *, address: str) -> list[Reply]:
    rows = list(session.exec(select(WebInboxMessage).where(WebInboxMessage.address == address)
                             .order_by(WebInboxMessage.id)))
    out: list[Reply] = []
    for row in rows:
        out.extend(replies_from_json(row.content))
        session.delete(row)
    return out
