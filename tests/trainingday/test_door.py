"""The check-in API, walk-ins, certificates' rules and the needs question, without a browser."""
from __future__ import annotations

from datetime import datetime

import pytest
from sqlmodel import select

from bot.checkin import registration_of, token_for
from bot.clock import BANGKOK
from bot.channels.line_format import to_line_messages
from bot.channels.telegram_format import to_telegram_messages
from bot.messages import Media, Reply, replies_from_json, replies_to_json
from storage.models.events import EventAttendee, EventRegistration
from storage.models.training import EventWalkIn
from storage.repositories import events as events_repo
from tests.console.conftest import csrf_of, login


@pytest.fixture
def seated(runtime, seeded, clock):  # noqa: ANN001, ANN201
    with runtime.db.session() as s:
        event = events_repo.get(s, event_id=seeded["ev_plk"])
        events_repo.publish(s, event=event, now=clock.now())
        reg = events_repo.register(s, event_id=event.id, member_id=seeded["m1"], organization_id=seeded["plk"],
                                   attendees=[("สมศรี ใจดี", "ประธาน"), ("สมหญิง รักดี", None)], phone="0812345678",
                                   now=clock.now()).registration
        return reg.id, reg.checkin_code


def _csrf(client, event_id: int) -> str:  # noqa: ANN001
    return csrf_of(client.get(f"/admin/events/{event_id}/checkin").text)


def test_a_token_checks_in_once_and_a_forged_one_changes_nothing(as_plk, runtime, seeded, seated) -> None:  # noqa: ANN001
    reg_id, _code = seated
    event_id = seeded["ev_plk"]
    page = as_plk.get(f"/admin/events/{event_id}/checkin")
    assert page.status_code == 200 and "<script>" not in page.text  # scripts are files (strict CSP)
    assert "script-src 'self'" in page.headers["content-security-policy"]
    headers = {"X-CSRF-Token": csrf_of(page.text)}
    token = token_for(runtime.settings, reg_id)
    first = as_plk.post(f"/admin/events/{event_id}/checkin", json={"token": token}, headers=headers).json()
    assert first["outcome"] == "checked_in" and first["message"].startswith("เช็กอินแล้ว")
    assert first["names"] == ["สมศรี ใจดี", "สมหญิง รักดี"]
    assert first["organization"] == "มูลนิธิพัฒนาเด็กและครอบครัวพิษณุโลก"
    with runtime.db.session() as s:
        when = {a.name: a.attended_at for a in s.exec(select(EventAttendee))}
    again = as_plk.post(f"/admin/events/{event_id}/checkin", json={"token": token}, headers=headers).json()
    assert again["outcome"] == "already" and "เช็กอินไปแล้ว" in again["message"]
    with runtime.db.session() as s:
        assert {a.name: a.attended_at for a in s.exec(select(EventAttendee))} == when  # not checked in twice
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert registration_of(runtime.settings.secret_key.get_secret_value(), forged) is None
    res = as_plk.post(f"/admin/events/{event_id}/checkin", json={"token": forged}, headers=headers).json()
    assert res["outcome"] == "unknown" and res["names"] == []
    other_event = as_plk.post(f"/admin/events/{seeded['ev_nma']}/checkin", json={"token": token}, headers=headers)
    assert other_event.status_code == 403  # another province's event
    assert as_plk.post(f"/admin/events/{event_id}/checkin", json={"token": token}).status_code == 403  # no CSRF
    assert as_plk.post(f"/admin/events/{event_id}/checkin", content=b"[", headers={
        **headers, "Content-Type": "application/json"}).status_code == 400


def test_a_typed_code_and_the_roster(as_plk, seeded, seated) -> None:  # noqa: ANN001
    _reg_id, code = seated
    event_id = seeded["ev_plk"]
    headers = {"X-CSRF-Token": _csrf(as_plk, event_id)}
    roster = as_plk.get(f"/admin/events/{event_id}/checkin/roster").json()["registrations"]
    assert roster[0]["code"] == code and roster[0]["status"] == "registered"
    assert "phone" not in roster[0]  # what the page keeps in memory: no phone numbers
    assert as_plk.post(f"/admin/events/{event_id}/checkin", json={"code": "000000"}, headers=headers).json()["outcome"] == "unknown"
    assert as_plk.post(f"/admin/events/{event_id}/checkin", json={"code": code}, headers=headers).json()["outcome"] == "checked_in"
    roster = as_plk.get(f"/admin/events/{event_id}/checkin/roster").json()["registrations"]
    assert roster[0]["status"] == "already"


def test_a_walk_in_sent_twice_is_added_once_and_a_bad_phone_is_refused(as_plk, runtime, seeded) -> None:  # noqa: ANN001
    event_id = seeded["ev_plk"]
    csrf = _csrf(as_plk, event_id)
    form = {"csrf": csrf, "name": "วิชัย มาเอง", "organization": "สภาองค์กรชุมชนตำบลวังทอง", "phone": "086 111 2222"}
    first = as_plk.post(f"/admin/events/{event_id}/walkin", data=form)
    assert first.status_code == 303 and "walkin_added" in first.headers["location"]
    second = as_plk.post(f"/admin/events/{event_id}/walkin", data=form)
    assert "unchanged" in second.headers["location"]
    bad = as_plk.post(f"/admin/events/{event_id}/walkin", data={**form, "name": "อีกคน", "phone": "12"})
    assert "walkin_invalid" in bad.headers["location"]
    with runtime.db.session() as s:
        [walk_in] = s.exec(select(EventWalkIn)).all()
        assert walk_in.phone == "0861112222"
        assert s.exec(select(EventAttendee).where(EventAttendee.registration_id == walk_in.registration_id)).one().attended
    page = as_plk.get(f"/admin/events/{event_id}")
    assert "สภาองค์กรชุมชนตำบลวังทอง" in page.text and "100%" in page.text  # attendance per organization


def test_certificates_need_a_template_and_the_end_of_the_event(as_plk, clock, seeded) -> None:  # noqa: ANN001
    event_id = seeded["ev_plk"]
    page = as_plk.get(f"/admin/events/{event_id}/certificates")
    csrf = csrf_of(page.text)
    assert "สำนักงานพัฒนาสังคมและความมั่นคงของมนุษย์จังหวัดพิษณุโลก" in page.text  # the office, prefilled
    res = as_plk.post(f"/admin/events/{event_id}/certificates/issue", data={"csrf": csrf})
    assert "cert_template_incomplete" in res.headers["location"]
    as_plk.post(f"/admin/events/{event_id}/certificates/template", data={
        "csrf": csrf, "title": "อบรมผู้บริหาร", "signer_name": "นางสาวพิมพ์ใจ ศรีสุข", "signer_position": "พมจ.",
        "office_name": "สำนักงาน พมจ.พิษณุโลก"})
    assert as_plk.post(f"/admin/events/{event_id}/certificates/issue", data={"csrf": csrf}).status_code == 409
    clock.set(datetime(2026, 12, 10, 17, 0, tzinfo=BANGKOK))
    assert "unchanged" in as_plk.post(f"/admin/events/{event_id}/certificates/issue",
                                      data={"csrf": csrf}).headers["location"]  # nobody attended


def test_the_needs_question_reads_choices_and_typed_answers(runtime, seeded, new_chat, clock) -> None:  # noqa: ANN001
    with runtime.db.session() as s:
        events_repo.publish(s, event=events_repo.get(s, event_id=seeded["ev_plk"]), now=clock.now())
    chat = new_chat("somsri")
    chat.postback(f"go:event.register:{seeded['ev_plk']}")
    chat.tap("ตัวฉันเอง")
    chat.tap("เสร็จแล้ว")
    if "081" in " ".join(chat.labels):
        chat.tap("081")
    assert {"อาหารฮาลาล", "มังสวิรัติ", "แพ้อาหาร", "ใช้รถเข็น", "ไม่มี"} <= set(chat.labels)
    chat.say("แพ้กุ้งกับถั่วลิสงค่ะ")
    fields = {f.label: f.value for f in chat.card.fields}
    assert fields["อาหาร/การเดินทาง"] == "แพ้อาหาร, แพ้กุ้งกับถั่วลิสง"
    chat.tap("ยืนยัน")
    assert "ลงทะเบียนเรียบร้อยแล้ว" in chat.text
    assert any(r.media is not None and r.media.kind == "image" and "/qr/KK1." in r.media.url for r in chat.replies)
    from storage.repositories import training as training_repo

    with runtime.db.session() as s:
        summary = training_repo.needs_summary(s, event_id=seeded["ev_plk"])
        assert summary.counts["allergy"] == 1 and summary.notes[0][1] == "แพ้กุ้งกับถั่วลิสง"


def test_media_on_each_channel() -> None:
    image = Reply(text="คิวอาร์โค้ด", media=Media("image", "https://x.example/qr/KK1.a.b.png"))
    line = to_line_messages([image])
    assert line[1] == {"type": "image", "originalContentUrl": "https://x.example/qr/KK1.a.b.png",
                       "previewImageUrl": "https://x.example/qr/KK1.a.b.png"}
    plain = to_line_messages([Reply(media=Media("image", "http://127.0.0.1:8000/qr/x.png"))])
    assert plain == [{"type": "text", "text": "http://127.0.0.1:8000/qr/x.png"}]  # LINE shows https images only
    doc = Reply(media=Media("document", "https://x.example/certificates/t.pdf", filename="certificate.pdf"))
    assert to_line_messages([doc])[0]["text"].endswith("https://x.example/certificates/t.pdf")
    tg = to_telegram_messages([image, doc])
    assert tg[1] == {"method": "sendPhoto", "photo": "https://x.example/qr/KK1.a.b.png"}
    assert tg[2] == {"method": "sendDocument", "document": "https://x.example/certificates/t.pdf"}
    assert replies_from_json(replies_to_json([image, doc])) == [image, doc]


def test_deleting_ones_data_takes_the_needs_and_the_name_on_certificates(runtime, seeded, seated, clock) -> None:  # noqa: ANN001
    from storage.models import Member
    from storage.models.training import Certificate, EventNeeds
    from storage.repositories import members as members_repo
    from storage.repositories import training as training_repo

    reg_id, _code = seated
    with runtime.db.session() as s:
        reg = s.get(EventRegistration, reg_id)
        training_repo.save_needs(s, registration=reg, needs=["allergy"], note="แพ้กุ้ง")
        event = events_repo.get(s, event_id=seeded["ev_plk"])
        training_repo.check_in(s, event_id=event.id, registration_id=reg_id, now=clock.now())
        mine, colleague = training_repo.issue_certificates(s, event=event, now=clock.now())
        codes = (mine.code, colleague.code)
    with runtime.db.session() as s:
        members_repo.erase_personal_data(s, member=s.get(Member, seeded["m1"]))
    with runtime.db.session() as s:
        assert s.exec(select(EventNeeds)).all() == []
        names = [s.exec(select(Certificate).where(Certificate.code == c)).one().name for c in codes]
        assert names == ["-", "สมหญิง รักดี"]  # the colleague she registered keeps her certificate
        assert s.get(EventRegistration, reg_id).phone is None  # the registration's copies go too
        attendees = s.exec(select(EventAttendee.name).where(EventAttendee.registration_id == reg_id)
                           .order_by(EventAttendee.id)).all()
        assert attendees == ["-", "สมหญิง รักดี"]
