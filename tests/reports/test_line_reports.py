"""The report cycle through signed LINE webhooks against the fake LINE server: a reminder pushed by the
delivery engine, its button, the one-sentence report, and a photo: the turn stores LINE's reference and
answers without calling LINE; the photo job fetches the bytes from the LINE data API afterwards."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlmodel import select

from bot.clock import BANGKOK
from bot.delivery import drain_once
from bot.reminders import send_due_reminders
from storage.models.reports import ReportPhoto
from storage.repositories import reports as repo
from tests.channels.helpers import LineUser, sign_up
from tests.fakes import line_webhook as lw
from tests.reports.helpers import SENTENCE, run_photo_job

DUE = date(2026, 12, 9)


def test_report_with_a_photo_through_line_webhooks(line_client, fake_line, clock) -> None:  # noqa: ANN001
    client, channel = line_client
    runtime = client.app.state.runtime
    with runtime.db.session() as s:
        dl = repo.create_deadline(s, title="รายงานผลการดำเนินงานประจำปี 2569", due_date=DUE).id
    user = LineUser(client, fake_line, channel)
    fake_line.set_profile(user.user_id, "สมศรี")
    user.follow()
    sign_up(user, first="", province="พิษณุโลก")

    # The 14-days-before reminder goes out through the outbox as a LINE push with a report button.
    scan = send_due_reminders(runtime, now=datetime(2026, 11, 25, 10, 0, tzinfo=BANGKOK))
    assert scan.count("queued") == 1
    drain_once(runtime)
    pushed = fake_line.messages_to(user.user_id)[-2:]
    user.last = pushed
    assert "ยังไม่ได้ส่ง" in user.text and "รายงานผลการดำเนินงานประจำปี 2569" in user.text
    user.tap("ส่งรายงาน")
    assert "เล่ากิจกรรม" in user.text

    user.say(SENTENCE)
    assert "ส่งรูปกิจกรรม" in user.text
    photo_id = lw.new_message_id()
    fake_line.add_content(photo_id, b"\xff\xd8\xff\xe0line-photo", "image/jpeg")
    user.send(lw.image_event(user.user_id, message_id=photo_id, reply_token=user.token()))
    assert "1/5" in user.text
    user.tap("เสร็จ")
    assert "สรุปรายงานกิจกรรม" in user.text and "25 ต.ค. 2568" in user.text and "1 รูป" in user.text
    user.tap("ยืนยัน")
    assert "ส่งให้ พมจ. เรียบร้อยแล้ว" in user.text
    # Every turn was answered without one request for the photo's bytes: the reference waits for the job.
    assert fake_line.calls_to("getMessageContent") == []
    with runtime.db.session() as s:
        [photo] = s.exec(select(ReportPhoto)).all()
    assert photo.status == "pending" and photo.data is None

    assert run_photo_job(client)["stored"] == 1
    assert len(fake_line.calls_to("getMessageContent")) == 1
    with runtime.db.session() as s:
        [photo] = s.exec(select(ReportPhoto)).all()
        [row] = list(repo.export_rows(s, deadline_id=dl))
    assert photo.status == "stored" and photo.data == b"\xff\xd8\xff\xe0line-photo" and photo.source_ref == photo_id
    assert row["participants"] == 110 and row["photos"] == 1 and row["province"] == "พิษณุโลก"
    # Submitted: the next reminder does not come.
    assert send_due_reminders(runtime, now=datetime(2026, 12, 2, 10, 0, tzinfo=BANGKOK)).count("queued") == 0
    assert not fake_line.violations


def test_a_line_photo_is_fetched_again_after_line_fails_to_serve_it(line_client, fake_line, clock) -> None:  # noqa: ANN001
    client, channel = line_client
    runtime = client.app.state.runtime
    user = LineUser(client, fake_line, channel)
    user.follow()
    sign_up(user, first="")
    user.say("ส่งรายงาน")
    user.say(SENTENCE)
    photo_id = lw.new_message_id()
    fake_line.add_content(photo_id, b"\xff\xd8\xfflater", "image/jpeg")
    fake_line.fail_content(photo_id, times=1)  # LINE's data API answers 500 once
    user.send(lw.image_event(user.user_id, message_id=photo_id, reply_token=user.token()))
    assert "1/5" in user.text  # the member is not bothered: the reference is stored
    user.tap("เสร็จ")
    user.tap("ยืนยัน")
    assert run_photo_job(client)["retry"] == 1
    assert run_photo_job(client)["stored"] == 0  # the next try waits for its backoff
    with runtime.db.session() as s:
        [photo] = s.exec(select(ReportPhoto)).all()
    assert photo.status == "pending" and photo.data is None and photo.source_ref == photo_id
    clock.set(clock.now() + timedelta(minutes=1))
    assert run_photo_job(client)["stored"] == 1
    with runtime.db.session() as s:
        [photo] = s.exec(select(ReportPhoto)).all()
    assert photo.status == "stored" and photo.data == b"\xff\xd8\xfflater"


def test_a_telegram_photo_is_fetched_and_stored(tg_client, fake_telegram) -> None:  # noqa: ANN001
    from tests.channels.helpers import TgUser

    client, channel = tg_client
    runtime = client.app.state.runtime
    user = TgUser(client, fake_telegram, channel)
    sign_up(user)
    user.say("ส่งรายงาน")
    user.say(SENTENCE)
    assert "ส่งรูปกิจกรรม" in user.text
    file_id = fake_telegram.add_file(b"\xff\xd8\xfftelegram-photo")
    update = lw.tg_text_update(user.chat_id, "")
    del update["message"]["text"]
    update["message"]["photo"] = [{"file_id": file_id, "file_unique_id": file_id[-16:], "width": 320, "height": 240}]
    user.send(update)
    assert "1/5" in user.text
    user.tap("เสร็จ")
    user.tap("ยืนยัน")
    assert "ส่งให้ พมจ. เรียบร้อยแล้ว" in user.text
    assert fake_telegram.calls_to("getFile") == []
    assert run_photo_job(client)["stored"] == 1
    with runtime.db.session() as s:
        [photo] = s.exec(select(ReportPhoto)).all()
    assert photo.status == "stored" and photo.data == b"\xff\xd8\xfftelegram-photo"
