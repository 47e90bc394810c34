"""What is kept, and for how long: the scheduler's pruning deletes each kind of record after its period."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from bot import outbox, web_inbox
from bot.messages import Reply
from bot.retention import prune
from storage.models import ConversationState, LinkCode, ProcessedEvent, WebInboxMessage
from storage.models.outbox import DeliveryBatch, OutboxMessage
from storage.repositories import members as members_repo
from tests.transcript import Chat


def _count(runtime, model, *where) -> int:  # noqa: ANN001
    with runtime.db.session() as s:
        return s.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def _half_finished_sign_up(chat: Chat) -> None:
    chat.say("สวัสดีค่ะ")
    chat.tap("ยินยอม")
    chat.say("มูลนิธิรักษ์น้ำน่าน")
    chat.tap("ลงทะเบียนองค์กรใหม่")
    chat.tap("องค์กรสาธารณประโยชน์")
    chat.say("น่าน")
    chat.say("อ.เมือง")
    chat.say("สมศรี ใจดี")
    chat.say("ประธาน")
    chat.say("0812345678")  # ...and never "ยืนยัน"


def test_each_kind_of_record_goes_after_its_period(runtime, clock, new_chat) -> None:  # noqa: ANN001
    settings = runtime.settings
    assert (settings.retention_delivery_days, settings.retention_inbox_days,
            settings.retention_unfinished_conversation_days) == (90, 7, 7)
    start = clock.now()
    abandoned, recent = new_chat("abandoned"), new_chat("recent")
    _half_finished_sign_up(abandoned)
    clock.set(start + timedelta(days=2))
    _half_finished_sign_up(recent)
    clock.set(start + timedelta(days=7, hours=1))  # the first one is older than 7 days now, the second is not
    now = clock.now()
    old_delivery, old_inbox = now - timedelta(days=91), now - timedelta(days=8)
    with runtime.db.session() as s:
        for i, (status, at) in enumerate([("delivered", old_delivery), ("failed", old_delivery),
                                          ("unreachable", old_delivery), ("delivered", now - timedelta(days=89)),
                                          ("pending", old_delivery)]):
            outbox.enqueue(s, key=f"k{i}", address="web:someone", replies=[Reply(text=f"ข้อความ {i}")],
                           kind="notice", not_before=at)
            s.execute(update(OutboxMessage).where(OutboxMessage.key == f"k{i}").values(status=status))
        for status, at in (("done", old_delivery), ("failed", old_delivery), ("done", now), ("pending", old_delivery)):
            s.add(DeliveryBatch(endpoint="push", content_hash="x", recipients=["U1"], status=status,
                                next_attempt_at=at, created_at=at))
        for key, status, at in (("line:old", "done", old_inbox), ("line:new", "done", now),
                                ("line:open", "pending", old_inbox)):
            s.add(ProcessedEvent(event_key=key, status=status, received_at=at, done_at=at if status == "done" else None))
        web_inbox.put(s, address="web:someone", replies=[Reply(text="เก่า")])
        s.flush()
        s.execute(update(WebInboxMessage).values(created_at=old_inbox))
        web_inbox.put(s, address="web:someone", replies=[Reply(text="ใหม่")])
        member = members_repo.create(s, address="line:Uold", organization_id=None, full_name=None, position=None,
                                     phone=None)
        s.add(LinkCode(code="OLD23456", member_id=member.id, created_from="line:Uold", created_at=old_inbox,
                       expires_at=old_inbox))

    gone = prune(runtime.db, runtime.settings, clock.now(), chunk=2)  # small chunks: several rounds each

    assert gone["outbox"] == 3 and _count(runtime, OutboxMessage) == 2
    assert {r for r in _statuses(runtime)} == {"delivered", "pending"}
    assert gone["delivery_batches"] == 2 and _count(runtime, DeliveryBatch) == 2
    assert _count(runtime, ProcessedEvent) == 2 and gone["processed_events"] == 1
    assert gone["web_inbox"] == 1 and _count(runtime, WebInboxMessage) == 1
    assert gone["link_codes"] == 1
    with runtime.db.session() as s:
        states = {st.address: st for st in s.execute(select(ConversationState)).scalars()}
    assert "web:abandoned" not in states  # the name and the phone typed 7 days ago are gone
    assert states["web:recent"].data  # still within its 7 days
    assert gone["conversation_states"] == 1


def _statuses(runtime) -> list[str]:  # noqa: ANN001
    with runtime.db.session() as s:
        return list(s.execute(select(OutboxMessage.status)).scalars())


def test_the_consent_text_states_the_periods(runtime, new_chat) -> None:  # noqa: ANN001
    chat = new_chat("newcomer")
    chat.say("สวัสดีค่ะ")
    assert "90 วัน" in chat.text and "7 วัน" in chat.text
    runtime.settings = runtime.settings.model_copy(update={"retention_delivery_days": 180,
                                                           "retention_unfinished_conversation_days": 3})
    runtime.engine.settings = runtime.settings
    other = new_chat("other")
    other.say("hello")
    assert "180" in other.text and "3" in other.text


def test_the_scheduler_prunes_every_hour(runtime) -> None:  # noqa: ANN001
    import asyncio

    from bot import scheduler

    async def jobs() -> dict[str, float]:
        stop = scheduler.start(runtime)
        try:
            return {j.id: j.trigger.interval.total_seconds() for j in stop.scheduler.get_jobs()}
        finally:
            await stop()

    assert asyncio.run(jobs())["retention"] == 3600


def test_an_announcement_stored_once_goes_with_its_last_message(runtime, clock, new_chat) -> None:  # noqa: ANN001
    """A broadcast's text is stored once for all its recipients; it stays while any of their messages does."""
    from bot.broadcast_expand import expand_broadcast
    from storage.models.outbox import OutboxContent, stored_content
    from tests.reports.helpers import member

    member(new_chat, "somsri", "มูลนิธิรักษ์น้ำน่าน")
    member(new_chat, "wilai", "สมาคมผู้สูงอายุบ้านดง")
    with runtime.db.session() as s:
        s.execute(update(OutboxMessage).values(status="delivered"))  # what the sign-ups sent is not the point
        b = outbox.create_broadcast(s, text="ประชุมใหญ่สามัญประจำปี วันที่ 5 มกราคม", scope_province=None,
                                    audience={"name": "province", "param": "*"})
        assert expand_broadcast(s, b, clock.now()) == 2
    with runtime.db.session() as s:
        texts = [c[0]["text"] for c in s.execute(select(stored_content()).where(
            OutboxMessage.broadcast_id == b.id)).scalars()]
        assert len(texts) == 2 and all(t.endswith("ประชุมใหญ่สามัญประจำปี วันที่ 5 มกราคม") for t in texts)
        first, _second = s.execute(select(OutboxMessage.id).where(OutboxMessage.broadcast_id == b.id)
                                   .order_by(OutboxMessage.id)).scalars()
        s.execute(update(OutboxMessage).where(OutboxMessage.id == first).values(
            status="delivered", next_attempt_at=clock.now() - timedelta(days=91)))
        s.execute(update(OutboxContent).values(created_at=clock.now() - timedelta(days=91)))
    assert _count(runtime, OutboxContent) == 1  # one copy, not one per recipient

    prune(runtime.db, runtime.settings, clock.now())
    assert _count(runtime, OutboxMessage, OutboxMessage.broadcast_id == b.id) == 1
    assert _count(runtime, OutboxContent) == 1  # the other recipient's message still needs it

    with runtime.db.session() as s:
        s.execute(update(OutboxMessage).where(OutboxMessage.broadcast_id == b.id).values(
            status="delivered", next_attempt_at=clock.now() - timedelta(days=91)))
    gone = prune(runtime.db, runtime.settings, clock.now())
    assert gone["outbox"] == 1 and gone["outbox_contents"] == 1 and _count(runtime, OutboxContent) == 0
