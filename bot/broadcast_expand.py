"""A broadcast becomes outbox rows: one per recipient, LINE recipients already cut into multicasts.

The scheduler (or the drain) calls `prepare_due_broadcasts`; each due broadcast is expanded in one
transaction that also marks it `sending`, so it happens once. A national broadcast reaches 60,000 members:
the announcement's content is stored once per language (`outbox.share_contents`; the rows carry its hash),
the LINE multicasts are inserted together, and the rows are built as tuples in the outbox's column order
and inserted in bulk (`storage.raw_insert`: executemany on SQLite, COPY on PostgreSQL).
"""
from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlmodel import Session, col

from bot import i18n
from bot.channels.line_format import LINE_USER_ID
from bot.config import DeliveryConfig
from bot.messages import Choice, Reply, replies_from_json, replies_to_json
from bot.outbox import content_hash, row_insert, share_contents
from bot.reach_units import aggregation_unit
from bot.runtime import Runtime
from storage.models.outbox import Broadcast, DeliveryBatch, OutboxMessage as O

STOP_ANNOUNCEMENTS = "go:announcements.stop"


def broadcast_replies(session: Session, broadcast: Broadcast, locale: str) -> list[Reply]:
    """What the members get: the announcement under the name of the office that sent it (its province), a
    button for what it asks when its audience has one ("ส่งรายงาน" to those missing a report), a button to stop
    announcements, and the event card."""
    from bot.audiences import AUDIENCES, event_hooks

    audience = broadcast.audience or {}
    province = broadcast.scope_province or (audience.get("param") if audience.get("name") == "province" else None)
    header = (i18n.t("broadcast.message", locale, province=province, text=broadcast.text) if province
              else i18n.t("broadcast.message_national", locale, text=broadcast.text))
    provider = AUDIENCES.get(audience.get("name") or "")
    asks = (Choice(i18n.t(provider.action[0], locale), provider.action[1]),) if provider and provider.action else ()
    replies = [Reply(text=header, choices=asks + (Choice(i18n.t("broadcast.stop_button", locale), STOP_ANNOUNCEMENTS),))]
    hooks = event_hooks()
    if broadcast.event_id is not None and hooks is not None:
        card = hooks.card(session, broadcast.event_id, locale)
        if card is not None:
            replies.append(card)
    return replies


def expand_broadcast(session: Session, broadcast: Broadcast, now: datetime, *,
                     multicast_size: int = 500) -> int:
    """Put one outbox row per recipient (keys ``broadcast:<id>:member:<member id>``), in the same
    transaction that marks the broadcast `sending` (so it happens once). Returns how many.

    LINE recipients with the same content are cut into `DeliveryBatch`es of ≤`multicast_size` here,
    retry keys included, and their rows are inserted already carrying their `batch_id`: the drain
    then claims a whole multicast with one small UPDATE and writes the rows only once more (delivered).
    The batches are committed with the rows, before any call. Other rows (Telegram, web, a LINE
    content with a single recipient) are claimed row by row."""
    from bot import audiences

    contents: dict[str, tuple[list[dict[str, Any]], str]] = {}

    def content_for(locale: str) -> tuple[list[dict[str, Any]], str]:
        found = contents.get(locale)
        if found is None:
            lang = i18n.normalize_locale(locale)
            if lang not in contents:
                data = replies_to_json(broadcast_replies(session, broadcast, lang))
                contents[lang] = (data, content_hash(data))
            found = contents[locale] = contents[lang]
        return found

    # Rows of this broadcast can only come from this expansion (their keys name it); if some exist
    # anyway (a hand-made row), batches are not made, so a skipped insert cannot leave a batch
    # addressing someone whose row is elsewhere.
    prebatch = session.execute(select(O.id).where(O.broadcast_id == broadcast.id).limit(1)).first() is None
    rows_insert = row_insert(session)
    recipients: list[tuple[int, str, str, str]] = []  # (member id, address, channel, content hash)
    line_rows: dict[str, list[int]] = {}  # content hash -> positions of its LINE recipients, cut into multicasts
    opted = 0
    for rec, opted_out, _rank in audiences.iter_recipients(session, broadcast.audience, broadcast.scope_province):
        if opted_out:
            opted += 1
            continue
        digest = content_for(rec.locale)[1]
        address = rec.address  # from a stored identity (already validated)
        channel = address.partition(":")[0]
        if prebatch and channel == "line" and LINE_USER_ID.match(address[5:]):
            line_rows.setdefault(digest, []).append(len(recipients))
        recipients.append((rec.member_id, address, channel, digest))
    shared = {digest: data for data, digest in contents.values()}
    batch_of = _make_multicasts(session, broadcast, recipients, line_rows, shared,
                                size=max(2, min(500, multicast_size)), now=now)
    # what is the same in every row, as the database stores it; the rows in ROW_COLUMNS' order
    at, urgent = rows_insert.processed("next_attempt_at", now), rows_insert.processed("urgent", broadcast.urgent)
    key_prefix, broadcast_id = f"broadcast:{broadcast.id}:member:", broadcast.id
    rows = [(f"{key_prefix}{member_id}", "broadcast", address, channel, member_id, None, digest,
             "pending" if batch is None else "sending", urgent, 0, at, broadcast_id, at, 0, batch)
            for (member_id, address, channel, digest), batch in zip(recipients, batch_of, strict=True)]
    rows_insert.run_processed(session.connection(), rows)
    share_contents(session, shared)  # the rows carry only its hash
    broadcast.total, broadcast.opted_out = len(rows), opted
    broadcast.status, broadcast.started_at = "sending", now
    session.add(broadcast)
    return len(rows)


def _make_multicasts(session: Session, broadcast: Broadcast, recipients: list[tuple[int, str, str, str]],
                     line_rows: dict[str, list[int]], contents: dict[str, list[dict[str, Any]]], *, size: int,
                     now: datetime) -> list[int | None]:
    """Cut each content's LINE recipients (positions in `recipients`) into multicasts of ≤`size`, their
    calls and retry keys decided now, inserted in one statement. Returns each recipient's batch (None: not
    in one). A row in a batch is `sending` from the start: only the batch is claimed from now on. A single
    LINE recipient left over is left to the drain (a push)."""
    from bot.channels.line_format import chunk_messages, to_line_messages

    batch_of: list[int | None] = [None] * len(recipients)
    parts: list[list[int]] = []
    values: list[dict[str, Any]] = []
    for digest, found in line_rows.items():
        chunks = chunk_messages(to_line_messages(replies_from_json(contents[digest])))
        unit = aggregation_unit("broadcast", broadcast.id, digest)
        for start in range(0, len(found), size):
            part = found[start:start + size]
            if len(part) < 2:  # a multicast needs two ids or more
                continue
            parts.append(part)
            values.append({"channel": "line", "endpoint": "multicast", "content_hash": digest,
                           "recipients": [recipients[i][1][5:] for i in part], "chunks": chunks,
                           "retry_keys": [str(uuid.uuid4()) for _ in chunks], "chunks_done": 0,
                           "urgent": broadcast.urgent, "status": "pending", "attempts": 0, "next_attempt_at": now,
                           "created_at": now, "aggregation_unit": unit})
    if values:
        table = DeliveryBatch.__table__
        ids = session.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), values).scalars().all()
        for part, batch_id in zip(parts, ids, strict=True):
            for i in part:
                batch_of[i] = batch_id
    return batch_of


def prepare_due_broadcasts(runtime: Runtime, cfg: DeliveryConfig | None = None) -> int:
    """Expand queued broadcasts whose time has come (scheduled ones included). Safe with several processes."""
    size = (cfg or runtime.settings.delivery).line_multicast_size
    now = runtime.clock.now()
    expanded = 0
    for _ in range(100):
        with runtime.db.session() as session:
            b = session.execute(select(Broadcast).where(Broadcast.status == "queued",
                                                        col(Broadcast.scheduled_at) <= now)
                                .order_by(Broadcast.id).limit(1).with_for_update(skip_locked=True)).scalars().first()
            if b is None:
                return expanded
            expand_broadcast(session, b, now, multicast_size=size)
            expanded += 1
    return expanded


