"""The report cycle through signed LINE webhooks against the fake LINE server: a reminder pushed by the
delivery engine, its button, the one-sentence report, and a photo: the turn stores LINE's reference and
answers without calling LINE; the photo job fetches the bytes from the LINE data API afterwards."""
from __future__ import annotations

import time
from datetime import date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from bot.clock import BANGKOK
from bot.delivery import drain_once
from bot.photo_fetch import MAX_ATTEMPTS
from bot.reminders import send_due_reminders
from bot.wiring import build
from bot.server import create_app
from storage.models.reports import Report, ReportPhoto
from storage.repositories import console as console_repo
from storage.repositories import reports as repo
from tests.channels.helpers import LineUser, sign_up
from tests.console.conftest import PASSWORD, login
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


def test_a_line_photo_is_fetched_again_after_line_fails_to_serve_it(line_client, fake_line, clock, cli,  # noqa: ANN001
                                                                    monkeypatch) -> None:  # noqa: ANN001
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
    # a server without its scheduler: an operator runs the job by hand
    for name, value in (("LINE_CHANNEL_SECRET", "x"), ("LINE_CHANNEL_ACCESS_TOKEN", fake_line.access_token),
                        ("LINE_API_BASE_URL", fake_line.url), ("LINE_DATA_API_BASE_URL", fake_line.data_url)):
        monkeypatch.setenv(name, value)
    done = cli(["reports", "fetch-photos"])
    assert done.exit_code == 0, done.output
    assert "fetched 1 photos, 0 to try again" in done.stdout
    with runtime.db.session() as s:
        [photo] = s.exec(select(ReportPhoto)).all()
    assert photo.status == "stored" and photo.data == b"\xff\xd8\xfflater"


def test_telegram_photos_are_fetched_after_the_turn_and_an_unknown_file_is_gone(tg_client, fake_telegram) -> None:  # noqa: ANN001
    from tests.channels.helpers import TgUser

    client, channel = tg_client
    runtime = client.app.state.runtime
    user = TgUser(client, fake_telegram, channel)
    sign_up(user)
    user.say("ส่งรายงาน")
    user.say(SENTENCE)
    assert "ส่งรูปกิจกรรม" in user.text
    file_id = fake_telegram.add_file(b"\xff\xd8\xfftelegram-photo")
    unknown = "AgACAgIAAxkBAAIBgmUnknownFileId"  # a file id Telegram does not know (any more)
    for fid in (file_id, unknown):
        update = lw.tg_text_update(user.chat_id, "")
        del update["message"]["text"]
        update["message"]["photo"] = [{"file_id": fid, "file_unique_id": fid[-16:], "width": 320, "height": 240}]
        user.send(update)
    assert "2/5" in user.text
    user.tap("เสร็จ")
    user.tap("ยืนยัน")
    assert "ส่งให้ พมจ. เรียบร้อยแล้ว" in user.text
    assert fake_telegram.calls_to("getFile") == []
    assert run_photo_job(client) == {"stored": 1, "gone": 1}
    with runtime.db.session() as s:
        photos = {p.source_ref: p for p in s.exec(select(ReportPhoto)).all()}
    assert photos[file_id].status == "stored" and photos[file_id].data == b"\xff\xd8\xfftelegram-photo"
    assert photos[unknown].status == "gone" and photos[unknown].data is None


@pytest.fixture
def line_and_console(channel_settings, clock):  # noqa: ANN001, ANN201
    """The LINE channel and the officer console in one server (the channel fixtures leave the console out)."""
    runtime = build(channel_settings, clock=clock)
    with TestClient(create_app(runtime=runtime, start_scheduler=False), follow_redirects=False) as client:
        yield client
    runtime.db.dispose()


def test_photos_line_no_longer_has_or_never_serves_are_marked_and_the_report_stays(line_and_console, fake_line,  # noqa: ANN001
                                                                                clock) -> None:  # noqa: ANN001
    client = line_and_console
    runtime = client.app.state.runtime
    user = LineUser(client, fake_line, client.app.state.line_channel)
    user.follow()
    sign_up(user, first="", province="พิษณุโลก")
    user.say("ส่งรายงาน")
    user.say(SENTENCE)
    kept, expired, flaky, svg = (lw.new_message_id() for _ in range(4))
    fake_line.add_content(kept, b"\xff\xd8\xffkept", "image/jpeg")  # LINE has no content for `expired` (404)
    fake_line.add_content(flaky, b"\xff\xd8\xffflaky", "image/jpeg")
    fake_line.fail_content(flaky, times=1000)  # and answers 500 for `flaky`, every time
    fake_line.add_content(svg, b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    for photo_id in (kept, expired, flaky, svg):
        user.send(lw.image_event(user.user_id, message_id=photo_id, reply_token=user.token()))
    assert "4/5" in user.text
    user.tap("เสร็จ")
    user.tap("ยืนยัน")
    assert "ส่งให้ พมจ. เรียบร้อยแล้ว" in user.text
    with runtime.db.session() as s:
        [report] = s.exec(select(Report)).all()
        console_repo.create_login(s, email="plk@example.go.th", password=PASSWORD, province="พิษณุโลก")
    assert login(client, "plk@example.go.th").status_code == 303

    assert run_photo_job(client) == {"stored": 1, "gone": 1, "retry": 1, "rejected": 1}
    page = client.get(f"/admin/reports/{report.id}").text
    assert "รูปนี้หมดอายุบน LINE แล้ว ดาวน์โหลดไม่ได้" in page and "รูปกำลังดาวน์โหลด" in page  # flaky: still trying
    assert "ไฟล์นี้ไม่ใช่รูปภาพ จึงไม่ได้เก็บไว้" in page
    drain_once(runtime)  # the member hears about the file that was not a picture, on LINE
    assert "ไม่ใช่รูปภาพที่รับได้ จึงไม่ได้เก็บไว้ค่ะ" in "\n".join(fake_line.texts_to(user.user_id)[-1:])
    for _ in range(MAX_ATTEMPTS - 2):
        clock.set(clock.now() + timedelta(hours=1))
        assert run_photo_job(client) == {"retry": 1}  # gone is final: LINE is not asked for it again
    clock.set(clock.now() + timedelta(hours=1))
    assert run_photo_job(client) == {"missing": 1}
    assert len(fake_line.calls_to("getMessageContent")) == 3 + MAX_ATTEMPTS
    with runtime.db.session() as s:
        photos = {p.source_ref: p for p in s.exec(select(ReportPhoto)).all()}
        [row] = list(repo.export_rows(s))
        report = s.get(Report, report.id)
    assert {ref: p.status for ref, p in photos.items()} == {kept: "stored", expired: "gone", flaky: "missing",
                                                            svg: "rejected"}
    assert photos[svg].data is None
    assert report.status == "submitted" and row["photos"] == 1  # the report is kept; the export counts what is there

    page = client.get(f"/admin/reports/{report.id}").text
    assert "รูปนี้หมดอายุบน LINE แล้ว ดาวน์โหลดไม่ได้" in page and "ดาวน์โหลดรูปจาก LINE ไม่สำเร็จ" in page
    assert f"/admin/photos/{photos[kept].id}" in page and "รูปกำลังดาวน์โหลด" not in page


@pytest.fixture
def serving_with_jobs(channel_settings, clock):  # noqa: ANN001, ANN201
    """A server with its scheduler running; the photo job's interval is an hour, so only the wake-up
    after a turn can fetch a photo within the test."""
    settings = channel_settings.model_copy(update={"photo_fetch_interval_seconds": 3600.0})
    runtime = build(settings, clock=clock)
    with TestClient(create_app(runtime=runtime, start_scheduler=True)) as client:
        yield client
    runtime.db.dispose()


def test_the_photo_job_wakes_after_the_turn_that_stored_a_reference(serving_with_jobs, fake_line) -> None:  # noqa: ANN001
    client = serving_with_jobs
    runtime = client.app.state.runtime
    user = LineUser(client, fake_line, client.app.state.line_channel)
    user.follow()
    sign_up(user, first="")
    user.say("ส่งรายงาน")
    user.say(SENTENCE)
    photo_id = lw.new_message_id()
    fake_line.add_content(photo_id, b"\xff\xd8\xffwoken", "image/jpeg")
    user.send(lw.image_event(user.user_id, message_id=photo_id, reply_token=user.token()))
    assert "1/5" in user.text

    def stored() -> bytes | None:
        with runtime.db.session() as s:
            return s.exec(select(ReportPhoto.data).where(ReportPhoto.status == "stored")).first()

    for _ in range(200):  # the job runs on the server's event loop, right after the turn's commit
        if stored() is not None:
            break
        time.sleep(0.05)
    assert stored() == b"\xff\xd8\xffwoken"
