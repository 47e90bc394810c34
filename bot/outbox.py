"""The persistent outbox: every proactive message is a row with a unique idempotency key.

`enqueue` is called inside the caller's transaction, so a message exists exactly when the
change that caused it was committed. Draining (sending) is in `bot.delivery`.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from bot.clock import db_now
from bot.messages import Address, Card, CardField, Choice, Reply
from storage.models.outbox import OutboxMessage


def replies_to_json(replies: Sequence[Reply]) -> list[dict[str, Any]]:
    return [asdict(r) for r in replies]


def replies_from_json(data: Sequence[dict[str, Any]]) -> list[Reply]:
    out = []
    for r in data:
        card = None
        if r.get("card"):
            c = r["card"]
            card = Card(title=c["title"], fields=tuple(CardField(**f) for f in c.get("fields", ())),
                        text=c.get("text"), buttons=tuple(Choice(**b) for b in c.get("buttons", ())),
                        image_url=c.get("image_url"), link_url=c.get("link_url"))
        out.append(Reply(text=r.get("text"), choices=tuple(Choice(**ch) for ch in r.get("choices", ())), card=card))
    return out


def content_hash(content: list[dict[str, Any]]) -> str:
    raw = json.dumps(content, ensure_ascii=False, sort_keys=True).encode()
    return hashlib.sha256(raw).hexdigest()


def enqueue(session: Session, *, key: str, address: Address | str, replies: Sequence[Reply], kind: str,
            member_id: int | None = None, urgent: bool = False, not_before: datetime | None = None,
            broadcast_id: int | None = None) -> bool:
    """Add a message unless `key` is already there. Returns True when added."""
    exists = session.execute(select(OutboxMessage.id).where(OutboxMessage.key == key)).first()
    if exists:
        return False
    content = replies_to_json(replies)
    session.add(OutboxMessage(key=key, kind=kind, address=str(address), member_id=member_id,
                              content=content, content_hash=content_hash(content), urgent=urgent,
                              next_attempt_at=not_before or db_now(), broadcast_id=broadcast_id))
    session.flush()
    return True
