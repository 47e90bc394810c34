"""A LINE batch whose retry keys may have gone out more than 23 hours ago is never sent again (LINE
honours a key for 24 hours, then would deliver a second time): it fails with a reason the officer sees."""
from __future__ import annotations

from datetime import timedelta

from pydantic import SecretStr
from sqlmodel import select

from bot import outbox
from bot.broadcast_expand import prepare_due_broadcasts
from bot.delivery import drain_once
from bot.messages import Address, replies_from_json
from bot.config import DeliveryConfig
from storage.models.outbox import DeliveryBatch, OutboxMessage
from storage.repositories import members as members_repo
from tests.channels.helpers import LINE_SECRET, LINE_TOKEN
from tests.console.conftest import as_plk, client, seeded  # noqa: F401  (console fixtures)
from tests.fakes.common import Faults

USERS = ["U" + c * 32 for c in "abc"]


def test_a_batch_older_than_23_hours_is_not_resent_and_the_officer_is_told(  # noqa: ANN001
        as_plk, seeded, runtime, fake_line, clock) -> None:  # noqa: F811
    runtime.settings = runtime.settings.model_copy(update={
        "line_channel_secret": SecretStr(LINE_SECRET), "line_channel_access_token": SecretStr(LINE_TOKEN),
        "line_api_base_url": fake_line.url, "line_data_api_base_url": fake_line.data_url})
    with runtime.db.session() as s:
        for user in USERS:
            members_repo.create(s, address=Address("line", user), organization_id=seeded["plk"],
                                full_name="สมาชิก ทดสอบ", position=None, phone=None)
        officer = members_repo.grant_officer(s, address=Address("web", "officer-plk"), province="พิษณุโลก")
        officer.full_name = "เจ้าหน้าที่ พิษณุโลก"
        b = outbox.create_broadcast(s, text="ประชุมเครือข่ายวันศุกร์", audience={"name": "province", "param": "*"},
                                    scope_province="พิษณุโลก", created_by=officer.id)
        broadcast_id = b.id
    assert prepare_due_broadcasts(runtime) == 1

    # LINE takes the multicast but the answer is lost (a 500 after delivery): the batch waits for a retry
    fake_line.faults = Faults(accept_then_500=1.0)
    drain_once(runtime, DeliveryConfig(_env_file=None, inline_retries=0), max_seconds=20)
    assert [len(fake_line.messages_to(u)) for u in USERS] == [1, 1, 1]
    with runtime.db.session() as s:
        [batch] = s.exec(select(DeliveryBatch)).all()
        assert batch.status == "pending"

    # a day later (the server was down): LINE has forgotten the key, so a re-send would deliver twice
    fake_line.faults = Faults()
    clock.set(clock.now() + timedelta(hours=24))
    fake_line.advance_time(24 * 3600)
    drain_once(runtime, max_seconds=20)
    assert [len(fake_line.messages_to(u)) for u in USERS] == [1, 1, 1]  # nobody got it twice
    with runtime.db.session() as s:
        [batch] = s.exec(select(DeliveryBatch)).all()
        assert batch.status == "failed" and batch.last_error.startswith("line-retry-key-expired")
        rows = s.exec(select(OutboxMessage).where(OutboxMessage.broadcast_id == broadcast_id)).all()
        assert {r.status for r in rows if r.channel == "line"} == {"failed"}
        result = s.exec(select(OutboxMessage).where(OutboxMessage.key == f"broadcast:{broadcast_id}:result")).one()
    told = replies_from_json(result.content)[0].text
    assert "ไม่ได้ส่งซ้ำ 3 คน" in told and "23 ชั่วโมง" in told  # the officer's result in the chat
    page = as_plk.get(f"/admin/broadcasts/{broadcast_id}").text  # and the broadcast's console page
    assert "ไม่ส่งซ้ำ: ส่งครั้งแรกไปเกิน 23 ชั่วโมงแล้ว" in page and "line-retry-key-expired" not in page


def test_a_first_attempt_goes_out_however_old_its_keys(runtime, fake_line, clock) -> None:  # noqa: ANN001
    runtime.settings = runtime.settings.model_copy(update={
        "line_channel_secret": SecretStr(LINE_SECRET), "line_channel_access_token": SecretStr(LINE_TOKEN),
        "line_api_base_url": fake_line.url, "line_data_api_base_url": fake_line.data_url})
    with runtime.db.session() as s:
        for user in USERS[:2]:
            members_repo.create(s, address=Address("line", user), organization_id=None, full_name="ก ข",
                                position=None, phone=None)
        outbox.create_broadcast(s, text="ข่าว", audience={"name": "province", "param": "*"}, scope_province=None)
    with runtime.db.session() as s:  # the members need an organization for the province audience
        from storage.repositories import organizations as orgs_repo

        org = orgs_repo.create(s, name="มูลนิธิทดสอบ", kind="other", province="น่าน")
        for m in s.exec(select(members_repo.Member)).all():
            m.organization_id = org.id
            s.add(m)
    assert prepare_due_broadcasts(runtime) == 1  # keys made now...
    clock.set(clock.now() + timedelta(hours=30))  # ...first tried 30 hours later (LINE never saw them)
    drain_once(runtime, max_seconds=20)
    assert [len(fake_line.messages_to(u)) for u in USERS[:2]] == [1, 1]
