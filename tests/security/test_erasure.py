""""ลบข้อมูลของฉัน" means gone: nothing already queued is delivered afterwards, nothing about the member is left.

End to end through signed LINE webhooks and Telegram updates against the fake platforms."""
from __future__ import annotations

import json
import re
from datetime import timedelta

from sqlalchemy import select, text
from sqlmodel import Session

from bot import outbox
from bot.broadcast_expand import prepare_due_broadcasts
from bot.delivery import drain_once
from bot.messages import Reply
from bot.reminders import send_due_reminders
from storage.models import MemberIdentity, metadata
from storage.models.outbox import DeliveryBatch, OutboxMessage
from storage.repositories import members as members_repo
from storage.repositories import reports as reports_repo
from tests.channels.conftest import app_client, channel_settings  # noqa: F401  (the channels' fixtures)
from tests.channels.helpers import LineUser, TgUser, sign_up

NAME, PHONE = "สมศรี ใจดี", "081-234-5678"


def _everything(runtime) -> str:  # noqa: ANN001
    """Every value of every table, as text (once the webhook inbox has written its last done marks)."""
    import time

    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        with runtime.db.engine.connect() as conn:
            if not conn.execute(text("SELECT count(*) FROM processed_events WHERE status <> 'done'")).scalar():
                break
        time.sleep(0.05)
    out = []
    with runtime.db.engine.connect() as conn:
        for table in metadata.sorted_tables:
            for row in conn.execute(table.select()):
                out.append(f"{table.name}: {tuple(row)!r}")
    return "\n".join(out)


def _linked_member(client, app, fake_line, fake_telegram):  # noqa: ANN001, ANN202
    line = LineUser(client, fake_line, app.state.line_channel)
    sign_up(line, name=NAME, phone=PHONE)
    line.say("ข้อมูลของฉัน")
    line.tap("เชื่อมบัญชีอื่น")
    code = re.search(r"\b([A-Z2-9]{4}-[A-Z2-9]{4})\b", line.text).group(1)
    tg = TgUser(client, fake_telegram, app.state.telegram_channel)
    tg.say(f"/start {code.replace('-', '')}")
    assert "เชื่อมบัญชีเรียบร้อยแล้ว" in tg.text
    return line, tg


def test_deleting_my_data_on_line_stops_what_was_queued_and_leaves_nothing(  # noqa: ANN001
        app_client, fake_line, fake_telegram, clock) -> None:  # noqa: F811
    client, app = app_client
    runtime = app.state.line_channel.runtime
    officer_id = "U" + "0f" * 16
    with runtime.db.session() as s:  # the province's officer is told of each new organization (with its contact)
        officer = members_repo.grant_officer(s, address=f"line:{officer_id}", province="น่าน")
        officer.consent_at, officer.full_name = clock.now(), "เจ้าหน้าที่ น่าน"
    line, tg = _linked_member(client, app, fake_line, fake_telegram)
    bystander = LineUser(client, fake_line, app.state.line_channel)
    sign_up(bystander, org="มูลนิธิเด็กน่าน", name="สมชาย รักดี", phone="0899999999")
    with runtime.db.session() as s:
        member = members_repo.by_address(s, address=f"line:{line.user_id}")
        member_id = member.id
        # queued before the deletion: a deadline reminder (scan), a notice to Telegram, a LINE multicast
        reports_repo.create_deadline(s, title="รายงานผลการดำเนินงาน", due_date=clock.today() + timedelta(days=1))
        outbox.enqueue(s, key=f"notice:test:{member_id}", address=f"telegram:{tg.chat_id}",
                       replies=[Reply(text=f"แจ้งคุณ{NAME} โทร {PHONE}")], kind="notice", member_id=member_id)
        outbox.create_broadcast(s, text="ประชุมเครือข่ายวันศุกร์", audience={"name": "province", "param": "*"}, scope_province=None)
    assert send_due_reminders(runtime).count("queued") == 2
    assert prepare_due_broadcasts(runtime) == 1
    with runtime.db.session() as s:
        mine = s.execute(select(OutboxMessage).where(OutboxMessage.member_id == member_id)).scalars().all()
        assert len(mine) == 3 and {r.status for r in mine} <= {"pending", "sending"}
        batch = s.execute(select(DeliveryBatch)).scalars().one()  # the broadcast's multicast, not yet sent
        assert set(batch.recipients) == {line.user_id, bystander.user_id}

    line.say("ลบข้อมูลของฉัน")
    line.tap("ลบข้อมูลของฉัน")
    assert "ลบข้อมูลส่วนตัวของคุณแล้ว" in line.text
    seen_line, seen_tg = len(fake_line.messages_to(line.user_id)), len(fake_telegram.messages_to(tg.chat_id))

    drain_once(runtime, max_seconds=20)
    assert len(fake_line.messages_to(line.user_id)) == seen_line  # nothing more reached them on LINE...
    assert len(fake_telegram.messages_to(tg.chat_id)) == seen_tg  # ...nor on Telegram
    assert any("ประชุมเครือข่ายวันศุกร์" in t for t in fake_line.texts_to(bystander.user_id))  # the others got theirs
    assert any("รายงานผลการดำเนินงาน" in t for t in fake_line.texts_to(bystander.user_id))
    officer_saw = "\n".join(json.dumps(m, ensure_ascii=False) for m in fake_line.messages_to(officer_id))
    assert "มูลนิธิเด็กน่าน" in officer_saw and NAME not in officer_saw  # told of the other, not of them

    everything = _everything(runtime)
    for trace in (line.user_id, f"telegram:{tg.chat_id}", str(tg.chat_id), NAME, "สมศรี", PHONE, "0812345678"):
        assert trace not in everything, [line for line in everything.splitlines() if trace in line]
    with runtime.db.session() as s:
        assert s.execute(select(MemberIdentity).where(MemberIdentity.member_id == member_id)).first() is None


def test_a_members_message_to_an_identity_that_is_gone_is_unreachable(runtime, fake_line) -> None:  # noqa: ANN001
    from pydantic import SecretStr

    from tests.channels.helpers import LINE_TOKEN

    runtime.settings = runtime.settings.model_copy(update={
        "line_channel_access_token": SecretStr(LINE_TOKEN), "line_channel_secret": SecretStr("x"),
        "line_api_base_url": fake_line.url})
    user = "U" + "a" * 32
    with runtime.db.session() as s:
        member = members_repo.create(s, address=f"line:{user}", organization_id=None, full_name="ก ข",
                                     position=None, phone=None)
        outbox.enqueue(s, key="notice:gone", address=f"line:{user}", replies=[Reply(text="สวัสดี")],
                       kind="notice", member_id=member.id)
        # the identity goes (unlinked or erased by hand) while the message waits
        s.execute(text("DELETE FROM member_identities"))
    drain_once(runtime, max_seconds=10)
    assert fake_line.messages_to(user) == []
    with Session(runtime.db.engine) as s:
        row = s.execute(select(OutboxMessage)).scalars().one()
        assert row.status == "unreachable"
