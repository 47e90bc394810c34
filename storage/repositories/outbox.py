"""What the outbox, the LINE batches and the web inbox hold about one member, taken out when they delete
their data ("ลบข้อมูลของฉัน").

Nothing already queued for them is delivered afterwards: their open outbox rows become ``unreachable``
(nobody claims them again) and every row of theirs, open or done, loses its address, its key (keys
name the address) and its text. Their LINE user id is taken out of every batch that carries it; a
batch left with nobody is ``failed`` and loses its text too. A batch may already be in a sender's
hands at that moment: that one call cannot be called back, every later attempt is without them.
"""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import String, cast, delete, or_, select, update
from sqlmodel import Session, col

from storage.models.links import LinkCode
from storage.models.outbox import DeliveryBatch, OutboxMessage as O
from storage.models.web_inbox import WebInboxMessage

ERASED = "erased: the member deleted their data"
OPEN = ("pending", "sending")


def withdraw_for_member(session: Session, *, member_id: int, addresses: Sequence[str],
                        naming_them: Sequence[str] = ()) -> int:
    """Take the member out of everything queued or kept for delivery. Returns how many open messages
    will now never be sent. `naming_them`: key prefixes of messages to others that show the member's
    name (an officer's "new organization" notice): those are withdrawn too, and lose their text."""
    for prefix in naming_them:
        about = col(O.key).startswith(prefix, autoescape=True)
        session.execute(update(O).where(about, col(O.status).in_(OPEN))
                        .values(status="unreachable", claimed_by=None, claimed_until=None, last_error=ERASED)
                        .execution_options(synchronize_session=False))
        session.execute(update(O).where(about).values(content=[], content_hash="")
                        .execution_options(synchronize_session=False))
    mine = or_(O.member_id == member_id, col(O.address).in_(list(addresses)))
    rows = session.execute(select(O.id, O.address, O.status, O.batch_id).where(mine)).all()
    if rows:
        batch_users: dict[int, set[str]] = {}
        for r in rows:
            if r.batch_id is not None and r.address.startswith("line:"):
                batch_users.setdefault(r.batch_id, set()).add(r.address[5:])
        _take_out_of_batches(session, batch_users)
        ids = [r.id for r in rows]
        open_ids = [r.id for r in rows if r.status in OPEN]
        for i in range(0, len(open_ids), 1000):
            session.execute(update(O).where(col(O.id).in_(open_ids[i:i + 1000]), col(O.status).in_(OPEN))
                            .values(status="unreachable", claimed_by=None, claimed_until=None, last_error=ERASED)
                            .execution_options(synchronize_session=False))
        for i in range(0, len(ids), 1000):
            session.execute(update(O).where(col(O.id).in_(ids[i:i + 1000]))
                            .values(address=O.channel + ":erased", key="erased:" + cast(O.id, String),
                                    content=[], content_hash="")
                            .execution_options(synchronize_session=False))
    web = [a for a in addresses if a.startswith("web:")]
    if web:
        session.execute(delete(WebInboxMessage).where(col(WebInboxMessage.address).in_(web)))
    session.execute(delete(LinkCode).where(LinkCode.member_id == member_id))
    return len([r for r in rows if r.status in OPEN])


def _take_out_of_batches(session: Session, batch_users: dict[int, set[str]]) -> None:
    for bid, users in sorted(batch_users.items()):
        batch = session.execute(select(DeliveryBatch).where(DeliveryBatch.id == bid)
                                .with_for_update()).scalars().first()
        if batch is None:
            continue
        left = [u for u in batch.recipients if u not in users]
        if len(left) == len(batch.recipients):
            continue
        values: dict = {"recipients": left}
        if not left:
            values.update(chunks=[])
            if batch.status in ("pending", "sending"):
                values.update(status="failed", claimed_by=None, claimed_until=None, last_error=ERASED)
        session.execute(update(DeliveryBatch).where(DeliveryBatch.id == bid).values(**values))
