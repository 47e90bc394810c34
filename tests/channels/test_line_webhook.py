"""LINE webhook: signatures, malformed bodies, duplicates, event kinds, reply token vs push."""
from __future__ import annotations

import json
import time

import pytest
from sqlmodel import select

from bot.channels import adapters, line as line_channel
from bot.channels.line_format import event_to_job
from bot.messages import ContentGone, Reply
from storage.models import MemberIdentity, ProcessedEvent
from storage.repositories import members as members_repo
from tests.channels.helpers import LINE_SECRET, LineUser, eventually, line_actions
from tests.fakes import line_webhook as lw


def _processed(runtime) -> int:  # noqa: ANN001
    with runtime.db.session() as s:
        return len(s.exec(select(ProcessedEvent)).all())


def _member(runtime, user_id: str, name: str = "สมศรี ใจดี") -> None:  # noqa: ANN001
    with runtime.db.session() as s:
        members_repo.create(s, address=f"line:{user_id}", organization_id=None, full_name=name,
                            position="ประธาน", phone="0812345678")


def test_bad_or_missing_signature_is_400_and_nothing_happens(line_client, fake_line) -> None:  # noqa: ANN001
    client, channel = line_client
    user = LineUser(client, fake_line, channel)
    body, headers = lw.signed_request([lw.text_event(user.user_id, "สวัสดี")], "not-the-secret")
    assert client.post("/webhooks/line", content=body, headers=headers).status_code == 400
    del headers["X-Line-Signature"]
    assert client.post("/webhooks/line", content=body, headers=headers).status_code == 400
    # a valid signature over a different body
    good_body, good_headers = lw.signed_request([lw.text_event(user.user_id, "สวัสดี")], LINE_SECRET)
    tampered = good_body.replace("สวัสดี".encode(), "ลาก่อน".encode())
    assert client.post("/webhooks/line", content=tampered, headers=good_headers).status_code == 400
    assert channel.queue.wait_idle(5)
    assert _processed(channel.runtime) == 0
    assert fake_line.calls == []


@pytest.mark.parametrize("raw", [b"{not json", b"[]", b'{"destination": "x"}', b'{"events": {}}', b"\xff\xfe"])
def test_malformed_bodies_are_400(line_client, fake_line, raw: bytes) -> None:  # noqa: ANN001
    client, channel = line_client
    headers = {"Content-Type": "application/json", "X-Line-Signature": lw.sign(raw, LINE_SECRET)}
    assert client.post("/webhooks/line", content=raw, headers=headers).status_code == 400
    assert fake_line.calls == []


def test_verification_call_with_no_events_is_200(line_client, fake_line) -> None:  # noqa: ANN001
    client, channel = line_client
    body, headers = lw.signed_request([], LINE_SECRET)
    assert client.post("/webhooks/line", content=body, headers=headers).status_code == 200
    assert fake_line.calls == []


def test_acknowledged_before_the_work_is_done(line_client, fake_line, monkeypatch) -> None:  # noqa: ANN001
    client, channel = line_client
    import threading

    real = channel.runtime.engine.handle
    gate, turned = threading.Event(), threading.Event()

    def held_turn(msg, **kw):  # noqa: ANN001, ANN202 - the turn waits until the test lets it go
        gate.wait(10)
        try:
            return real(msg, **kw)
        finally:
            turned.set()

    monkeypatch.setattr(channel.runtime.engine, "handle", held_turn)
    user_id = lw.new_user_id()
    body, headers = lw.signed_request([lw.text_event(user_id, "สวัสดี", reply_token=fake_line.issue_reply_token(user_id))],
                                      LINE_SECRET)
    assert client.post("/webhooks/line", content=body, headers=headers).status_code == 200
    assert not turned.is_set()  # the 200 came while the turn was still held
    gate.set()
    assert channel.queue.wait_idle(10)
    assert fake_line.messages_to(user_id)


def test_duplicates_and_redeliveries_change_nothing(line_client, fake_line) -> None:  # noqa: ANN001
    client, channel = line_client
    user = LineUser(client, fake_line, channel)
    event = lw.text_event(user.user_id, "สวัสดีค่ะ", reply_token=user.token())
    user.send(event)
    first = fake_line.messages_to(user.user_id)
    assert "PDPA" in user.text  # the welcome
    # the same body again, and a redelivery of the same event (LINE's retry, no usable token)
    assert user.post([event]) == 200
    redelivered = dict(event, deliveryContext={"isRedelivery": True})
    redelivered.pop("replyToken")
    assert user.post([redelivered]) == 200
    # and after a restart (this process forgot it): the database still knows
    channel.inbox.recent.clear()
    assert user.post([redelivered]) == 200
    assert fake_line.messages_to(user.user_id) == first
    assert _processed(channel.runtime) == 1
    # two copies in one body
    ev2 = lw.text_event(user.user_id, "ยินยอม", reply_token=user.token())
    assert user.post([ev2, ev2]) == 200
    assert _processed(channel.runtime) == 2


def test_unknown_and_standby_events_are_ignored_with_200(line_client, fake_line) -> None:  # noqa: ANN001
    client, channel = line_client
    uid = lw.new_user_id()
    unsend = lw._event("unsend", uid, reply_token=None, unsend={"messageId": lw.new_message_id()})
    joined = lw._event("memberJoined", None, group_id=lw.new_group_id(),
                       joined={"members": [{"type": "user", "userId": uid}]})
    standby = lw.text_event(uid, "สวัสดี", mode="standby", reply_token=None)
    body, headers = lw.signed_request([unsend, joined, standby], LINE_SECRET)
    assert client.post("/webhooks/line", content=body, headers=headers).status_code == 200
    assert channel.queue.wait_idle(5)
    assert fake_line.calls == []
    # a future event type our SDK does not know yet: still 200
    raw = lw.body_bytes({"destination": lw.DEFAULT_DESTINATION, "events": [dict(unsend, type="somethingNew")]})
    headers = {"Content-Type": "application/json", "X-Line-Signature": lw.sign(raw, LINE_SECRET)}
    assert client.post("/webhooks/line", content=raw, headers=headers).status_code == 200


def test_group_join_introduces_and_forms_stay_private(line_client, fake_line) -> None:  # noqa: ANN001
    client, channel = line_client
    group = lw.new_group_id()
    body, headers = lw.signed_request([lw.join_event(group, reply_token=fake_line.issue_reply_token(group))],
                                      LINE_SECRET)
    assert client.post("/webhooks/line", content=body, headers=headers).status_code == 200
    assert channel.queue.wait_idle(5)
    assert "แชตส่วนตัว" in fake_line.texts_to(group)[0]
    uid = lw.new_user_id()
    ev = lw.text_event(uid, "สมัคร", group_id=group, reply_token=fake_line.issue_reply_token(group))
    body, headers = lw.signed_request([ev], LINE_SECRET)
    assert client.post("/webhooks/line", content=body, headers=headers).status_code == 200
    assert channel.queue.wait_idle(5)
    assert len(fake_line.texts_to(group)) == 2 and "แชตส่วนตัว" in fake_line.texts_to(group)[-1]
    assert fake_line.messages_to(uid) == []
    calls = len(fake_line.calls)
    body, headers = lw.signed_request([lw.leave_event(group)], LINE_SECRET)
    assert client.post("/webhooks/line", content=body, headers=headers).status_code == 200
    assert channel.queue.wait_idle(5)
    assert len(fake_line.calls) == calls  # removed from the group: nothing is sent to it
    assert _processed(channel.runtime) == 3  # the leave was handled (recorded once), not dropped


def test_unfollow_marks_unreachable_and_a_returning_friend_is_greeted(line_client, fake_line) -> None:  # noqa: ANN001
    client, channel = line_client
    user = LineUser(client, fake_line, channel)
    _member(channel.runtime, user.user_id)
    assert user.post([lw.unfollow_event(user.user_id)]) == 200
    with channel.runtime.db.session() as s:
        ident = s.exec(select(MemberIdentity).where(MemberIdentity.address == f"line:{user.user_id}")).one()
        assert ident.reachable is False
    user.follow()
    assert "ยินดีต้อนรับกลับมา" in user.text
    assert "ยินยอม" not in user.text  # not signed up again


def test_sticker_and_location_get_please_type_and_keep_the_question(line_client, fake_line) -> None:  # noqa: ANN001
    client, channel = line_client
    user = LineUser(client, fake_line, channel)
    user.say("สวัสดีค่ะ")
    question = user.text
    assert "ยินยอม" in question
    user.send(lw.sticker_event(user.user_id, reply_token=user.token()))
    assert "กรุณาพิมพ์" in user.text
    assert any("ยินยอม" in a["label"] for a in user.actions), "the consent question is asked again"
    user.send(lw.location_event(user.user_id, reply_token=user.token()))
    assert "กรุณาพิมพ์" in user.text
    user.tap("ยินยอม")  # the conversation goes on where it was
    assert "คุณอยู่องค์กรไหนคะ" in user.text  # consent taken: the next question, the organization


def test_image_when_not_expected_gets_a_note_and_content_can_be_fetched(line_client, fake_line) -> None:  # noqa: ANN001
    client, channel = line_client
    user = LineUser(client, fake_line, channel)
    _member(channel.runtime, user.user_id)
    mid = lw.new_message_id()
    fake_line.add_content(mid, b"\xff\xd8jpegbytes")
    user.send(lw.image_event(user.user_id, message_id=mid, reply_token=user.token()))
    assert "ยังไม่ได้รอรับรูปหรือไฟล์" in user.text  # received, not expected now: what to do instead
    data = client.portal.call(adapters.fetch_content, channel.runtime, "line", mid)
    assert data == b"\xff\xd8jpegbytes"
    with pytest.raises(ContentGone):  # content LINE no longer keeps
        client.portal.call(adapters.fetch_content, channel.runtime, "line", lw.new_message_id())
    assert all(c["host"] == "api-data.line.me" for c in fake_line.calls_to("getMessageContent"))


def test_old_reply_token_falls_back_to_push_with_retry_key(line_client, fake_line) -> None:  # noqa: ANN001
    client, channel = line_client
    user = LineUser(client, fake_line, channel)
    old = int((time.time() - 55) * 1000)
    user.send(lw.text_event(user.user_id, "สวัสดีค่ะ", reply_token=user.token(), timestamp=old))
    assert "PDPA" in user.text  # the welcome reached the user
    assert fake_line.calls_to("replyMessage") == []
    pushes = fake_line.calls_to("pushMessage")
    assert pushes and all(c["retry_key"] for c in pushes)


def test_rejected_reply_token_falls_back_to_push(line_client, fake_line) -> None:  # noqa: ANN001
    client, channel = line_client
    fake_line.allow_violations("reply_token")  # the bot tries a token LINE no longer accepts, on purpose
    user = LineUser(client, fake_line, channel)
    token = fake_line.issue_reply_token(user.user_id, ttl=0.0)
    time.sleep(0.01)
    user.send(lw.text_event(user.user_id, "สวัสดีค่ะ", reply_token=token))
    assert [c["status"] for c in fake_line.calls_to("replyMessage")] == [400]
    assert [c["status"] for c in fake_line.calls_to("pushMessage")] == [200]
    assert "PDPA" in user.text  # the welcome reached the user by push


def test_more_than_five_messages_reply_then_push(line_client, fake_line) -> None:  # noqa: ANN001
    client, channel = line_client
    uid = lw.new_user_id()
    replies = [Reply(text=f"ข้อความ {i}") for i in range(7)] + [Reply(text="x" * 12000)]
    client.portal.call(lambda: channel.adapter.send(uid, replies, reply_token=fake_line.issue_reply_token(uid),
                                                    retry_key="line:test-chunks"))
    assert len(fake_line.messages_to(uid)) == 10
    assert [len(c["body"]["messages"]) for c in fake_line.calls_to("replyMessage")] == [5]
    assert [len(c["body"]["messages"]) for c in fake_line.calls_to("pushMessage")] == [5]


def test_slow_turn_shows_loading_and_profile_is_fetched_once(line_client, fake_line, monkeypatch) -> None:  # noqa: ANN001
    client, channel = line_client
    monkeypatch.setattr(channel.adapter, "busy_after", 0.1)
    real = channel.runtime.engine.handle

    def slow_turn(msg, **kw):  # noqa: ANN001, ANN202 - a turn that lasts until LINE shows the loading animation
        shown = len(fake_line.loading)
        deadline = time.monotonic() + 10  # (a turn that never sees it goes on after 10 s, and the test fails)
        while len(fake_line.loading) == shown and time.monotonic() < deadline:
            time.sleep(0.01)
        return real(msg, **kw)

    monkeypatch.setattr(channel.runtime.engine, "handle", slow_turn)
    user = LineUser(client, fake_line, channel)
    fake_line.set_profile(user.user_id, "คุณสมศรี", language="th")
    user.say("สวัสดีค่ะ")
    user.say("ยินยอม")
    assert [entry["chatId"] for entry in fake_line.loading] == [user.user_id, user.user_id]
    assert len(fake_line.calls_to("getProfile")) == 1


def test_postback_buttons_round_trip_even_with_long_values(line_client, fake_line) -> None:  # noqa: ANN001
    from bot.channels.line_format import to_line_messages
    from bot.messages import Choice

    long_value = "go:directory:" + "ก" * 400
    msg = to_line_messages([Reply(text="เลือก", choices=(Choice("ค้นหา", long_value),))])[0]
    data = line_actions(msg)[0]["data"]
    assert len(data) <= 300
    job = event_to_job(lw.postback_event(lw.new_user_id(), data))
    assert job is not None and job.msg.postback == long_value


def test_webhook_bodies_used_here_match_webhook_yml() -> None:
    uid = lw.new_user_id()
    for ev in (lw.text_event(uid, "x"), lw.image_event(uid), lw.sticker_event(uid), lw.location_event(uid),
               lw.postback_event(uid, "go:menu"), lw.follow_event(uid), lw.unfollow_event(uid),
               lw.join_event(lw.new_group_id()), lw.leave_event(lw.new_group_id())):
        assert lw.validate_webhook(lw.callback_body([ev])) == []
        assert json.loads(lw.body_bytes(lw.callback_body([ev])))["events"][0]["webhookEventId"]


def test_line_unreachable_leaves_the_event_to_be_retried(line_client, fake_line, monkeypatch) -> None:  # noqa: ANN001
    from datetime import timedelta

    from sqlalchemy import update

    from bot.intake.inbox import wall_now
    from tests.fakes.common import Faults

    client, channel = line_client
    monkeypatch.setattr(line_channel, "PUSH_ATTEMPTS", 1)
    user = LineUser(client, fake_line, channel)
    fake_line.faults = Faults(fail_500=1.0)
    old = int((time.time() - 55) * 1000)  # the token is too old: a push
    event = lw.text_event(user.user_id, "สวัสดีค่ะ", reply_token=user.token(), timestamp=old)
    assert user.post([event]) == 200
    key = f"line:{event['webhookEventId']}"
    with channel.runtime.db.session() as s:
        assert s.get(ProcessedEvent, key).status == "turned"  # the turn ran once; the replies wait
    fake_line.faults = Faults()
    with channel.runtime.db.session() as s:  # as if the lease ran out
        s.exec(update(ProcessedEvent).where(ProcessedEvent.event_key == key)
               .values(claimed_until=wall_now() - timedelta(seconds=1)))
    assert client.portal.call(channel.inbox.tick) == 1
    assert channel.queue.wait_idle(10)
    pushes = [c for c in fake_line.calls_to("pushMessage") if c["status"] == 200]
    assert len(pushes) == 1 and "ยินยอม" in str(pushes[0]["body"])
    def status() -> str:
        with channel.runtime.db.session() as s:
            return s.get(ProcessedEvent, key).status

    eventually(lambda: status() == "done", "the event's done mark")
