"""Shared steps for event tests: members and officers without chatting through sign-up, events, the outbox."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import select

from bot.clock import BANGKOK, local_to_utc
from bot.messages import Address, Reply
from bot.messages import replies_from_json
from storage.models import Member, OutboxMessage
from storage.models.outbox import stored_content
from storage.repositories import events as repo
from storage.repositories import members as members_repo
from storage.repositories import organizations as orgs_repo

# The seed's course: 29–31 January 2027 (B.E. 2570), 09.00–16.00 each day, in Bangkok time.
STARTS = datetime(2027, 1, 29, 9, 0, tzinfo=BANGKOK)
ENDS = datetime(2027, 1, 31, 16, 0, tzinfo=BANGKOK)


def add_member(runtime, user: str, *, org: str | None = None, province: str = "พิษณุโลก",  # noqa: ANN001
               kind: str = "public_benefit", org_id: int | None = None, name: str | None = None,
               position: str = "ประธาน", phone: str = "0812345678", opt_out: bool = False,
               locale: str = "th") -> int:
    """A signed-up member at web:<user> (and a new organization unless org_id is given). Returns member id."""
    with runtime.db.session() as s:
        if org_id is None:
            org_id = orgs_repo.create(s, name=org or f"มูลนิธิ{user}", kind=kind, province=province).id
        m = members_repo.create(s, address=Address("web", user), organization_id=org_id,
                                full_name=name or f"คุณ{user} ทดสอบ", position=position, phone=phone, locale=locale)
        m.announcements_opt_out = opt_out
        s.add(m)
        s.flush()
        return m.id


def org_of(runtime, member_id: int) -> int:  # noqa: ANN001
    with runtime.db.session() as s:
        return s.get(Member, member_id).organization_id


def make_officer(runtime, user: str = "officer", province: str | None = "พิษณุโลก") -> int:  # noqa: ANN001
    """An officer who already consented (officers have no organization of their own)."""
    from tests.conversations.helpers import make_officer as _make

    return _make(runtime, user, province)


def make_event(runtime, *, capacity: int = 100, seats_per_org: int = 2, publish: bool = True,  # noqa: ANN001
               starts: datetime = STARTS, ends: datetime = ENDS, title: str = "อบรมนักบริหารองค์กร รุ่นที่ 4",
               province: str = "พิษณุโลก", **kw) -> int:
    with runtime.db.session() as s:
        e = repo.create(s, title=title, starts_at=local_to_utc(starts), ends_at=local_to_utc(ends),
                        venue="โรงแรมเรือนแพ รอยัลปาร์ค", province=province, capacity=capacity,
                        seats_per_org=seats_per_org, latitude=16.8211, longitude=100.2659, **kw)
        if publish:
            repo.publish(s, event=e, now=runtime.clock.now())
        return e.id


def outbox(runtime, user: str | None = None, *, kind: str | None = None, key_part: str = "") -> list[OutboxMessage]:  # noqa: ANN001
    stmt = select(OutboxMessage, stored_content()).order_by(OutboxMessage.id)
    if user is not None:
        stmt = stmt.where(OutboxMessage.address == f"web:{user}")
    if kind is not None:
        stmt = stmt.where(OutboxMessage.kind == kind)
    return [r for r in as_sent(runtime, stmt) if key_part in r.key]


def as_sent(runtime, stmt) -> list[OutboxMessage]:  # noqa: ANN001
    """The outbox rows of ``select(OutboxMessage, stored_content())…``, detached, each with the content it
    will send (a message queued for many is stored once and its rows carry only its hash)."""
    with runtime.db.session() as s:
        rows = list(s.exec(stmt))
        s.expunge_all()
    for m, content in rows:
        m.content = content
    return [m for m, _content in rows]


def replies_of(row: OutboxMessage) -> list[Reply]:
    return replies_from_json(row.content)


def text_of(row: OutboxMessage) -> str:
    parts = []
    for r in replies_of(row):
        if r.card:
            parts.append(r.card.title)
            parts += [f"{f.label}: {f.value}" for f in r.card.fields]
        if r.text:
            parts.append(r.text)
    return "\n".join(parts)


def buttons_of(row: OutboxMessage) -> dict[str, str]:
    out = {}
    for r in replies_of(row):
        for c in r.choices + (r.card.buttons if r.card else ()):
            out[c.label] = c.value
    return out


def scan(runtime, when: datetime):  # noqa: ANN001, ANN201
    """Move the clock and run one reminder scan (what the scheduler does every few minutes)."""
    from bot.reminders import send_due_reminders

    runtime.clock.set(when)
    return send_due_reminders(runtime, now=runtime.clock.now())


def days_before(n: float, hour: int = 10) -> datetime:
    return (STARTS - timedelta(days=n)).replace(hour=hour)
