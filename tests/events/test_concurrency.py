"""No overbooking: many members registering at the same moment, each thread with its own session
(as concurrent webhooks are), on SQLite and PostgreSQL."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlmodel import select

from bot.messages import Address, IncomingMessage
from storage.models.events import EventRegistration
from storage.repositories import events as repo
from storage.repositories import members as members_repo
from storage.repositories import organizations as orgs_repo
from tests.events.helpers import make_event


def _members(runtime, n: int) -> list[tuple[int, int]]:  # noqa: ANN001
    out = []
    with runtime.db.session() as s:
        for i in range(n):
            org = orgs_repo.create(s, name=f"องค์กรที่ {i}", kind="public_benefit", province="พิษณุโลก")
            m = members_repo.create(s, address=Address("web", f"m{i}"), organization_id=org.id,
                                    full_name=f"สมาชิก {i}", position="ประธาน", phone="0812345678")
            out.append((m.id, org.id))
    return out


def _race(n: int, work) -> list:  # noqa: ANN001
    """Start `n` threads that call `work(i)` together (a barrier), return their results in order of i."""
    barrier = threading.Barrier(n)
    results: list = [None] * n
    errors: list = []

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=60)
            results[i] = work(i)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=180)
    assert errors == []
    return results


def test_500_members_at_once_for_100_seats(runtime) -> None:  # noqa: ANN001
    event_id = make_event(runtime, capacity=100, seats_per_org=2)
    people = _members(runtime, 500)
    now = runtime.clock.now()

    def register(i: int):  # noqa: ANN202
        member_id, org_id = people[i]
        with runtime.db.session() as s:
            res = repo.register(s, event_id=event_id, member_id=member_id, organization_id=org_id,
                                attendees=[(f"สมาชิก {i}", "ประธาน")], phone="0812345678", now=now)
            return res.outcome, res.position, res.registration.id

    results = _race(500, register)
    outcomes = [r[0] for r in results]
    assert outcomes.count("registered") == 100
    assert outcomes.count("waitlisted") == 400
    # Waitlisted in order of arrival: positions 1..400, each once, in the order the registrations were made.
    waitlisted = sorted((reg_id, pos) for outcome, pos, reg_id in results if outcome == "waitlisted")
    assert [pos for _, pos in waitlisted] == list(range(1, 401))
    seated_ids = sorted(reg_id for outcome, _, reg_id in results if outcome == "registered")
    assert max(seated_ids) < waitlisted[0][0]  # nobody who came later got a seat
    with runtime.db.session() as s:
        assert repo.seats_held(s, event_id=event_id) == 100
        regs = s.exec(select(EventRegistration)).all()
    assert len(regs) == 500 and len({r.checkin_code for r in regs}) == 500


def test_seats_count_attendees_not_registrations(runtime) -> None:  # noqa: ANN001
    event_id = make_event(runtime, capacity=31, seats_per_org=2)
    people = _members(runtime, 60)
    now = runtime.clock.now()

    def register(i: int):  # noqa: ANN202
        member_id, org_id = people[i]
        party = [(f"ผู้แทน {i} ก", None), (f"ผู้แทน {i} ข", None)] if i % 2 else [(f"ผู้แทน {i}", None)]
        with runtime.db.session() as s:
            return repo.register(s, event_id=event_id, member_id=member_id, organization_id=org_id,
                                 attendees=party, phone=None, now=now).outcome

    results = _race(60, register)
    with runtime.db.session() as s:
        held = repo.seats_held(s, event_id=event_id)
        seated = s.exec(select(EventRegistration).where(EventRegistration.status == "registered")).all()
    assert held == sum(r.seats for r in seated) == 31  # 31 seats: the last single fills the last seat
    assert results.count("waitlisted") == 60 - len(seated)


def test_concurrent_confirmations_through_the_engine(runtime, new_chat) -> None:  # noqa: ANN001
    event_id = make_event(runtime, capacity=10, seats_per_org=2)
    people = _members(runtime, 30)
    chats = []
    for i in range(30):  # everyone gets to the summary card first
        chat = new_chat(f"m{i}")
        chat.postback(f"go:event.register:{event_id}")
        chat.tap("ตัวฉันเอง")
        chat.tap("เสร็จแล้ว")  # two seats per organization: one is enough
        assert "สรุปการลงทะเบียน" in chat.text
        chats.append(chat)

    def confirm(i: int):  # noqa: ANN202
        return runtime.engine.handle(IncomingMessage(address=Address("web", f"m{i}"), postback="@confirm"))

    with ThreadPoolExecutor(max_workers=30) as pool:
        replies = list(pool.map(confirm, range(30)))
    texts = ["\n".join(r.text or "" for r in rs) for rs in replies]
    assert sum("ลงทะเบียนเรียบร้อยแล้ว" in t for t in texts) == 10
    assert sum("รายชื่อสำรองลำดับที่" in t for t in texts) == 20
    positions = sorted(int(t.split("รายชื่อสำรองลำดับที่ ")[1].split()[0]) for t in texts if "สำรองลำดับที่" in t)
    assert positions == list(range(1, 21))
    assert not any("ขออภัย" in t for t in texts)
    del people
