"""Control, zero-width and bidi characters never reach a parser or the database; an empty name is refused."""
from __future__ import annotations

from sqlmodel import select

from storage.models import Member, Organization
from tests.channels.conftest import app_client, channel_settings  # noqa: F401  (the channels' fixtures)
from tests.console.conftest import as_plk, client, csrf_of, seeded  # noqa: F401  (console fixtures)
from tests.conversations.helpers import sign_up_new_org
from tests.transcript import Chat


def test_only_invisible_and_control_characters_are_removed() -> None:
    from bot.messages import clean_typed

    assert clean_typed("สม\x00ศรี\u200b \u202eใจดี\u2066\x7f") == "สมศรี ใจดี"
    assert clean_typed("บรรทัดแรก\r\nบรรทัดสอง\tแท็บ") == "บรรทัดแรก\nบรรทัดสอง\tแท็บ"
    assert clean_typed("ธรรมดา ๑๒๓ abc") == "ธรรมดา ๑๒๓ abc"


def test_a_nul_and_bidi_controls_in_a_name_are_removed_and_sign_up_completes(chat: Chat) -> None:
    # On PostgreSQL a NUL in a text value made every "ยืนยัน" fail with an apology.
    sign_up_new_org(chat, name="สมศรี\x00 ใจ\u200bดี\u202e", phone="08\u20661-234-5678")
    with chat.runtime.db.session() as s:
        member = s.exec(select(Member)).one()
        assert member.full_name == "สมศรี ใจดี"
        assert member.phone == "0812345678"
        assert s.exec(select(Organization)).one().name == "มูลนิธิรักษ์น้ำน่าน"


def test_a_name_of_invisible_characters_only_is_refused_in_thai(chat: Chat) -> None:
    chat.say("สวัสดีค่ะ")
    chat.tap("ยินยอม")
    chat.say("มูลนิธิรักษ์น้ำน่าน")
    chat.tap("ลงทะเบียนองค์กรใหม่")
    chat.tap("องค์กรสาธารณประโยชน์")
    chat.say("น่าน")
    chat.say("อ.เมือง")
    chat.say("\u202e\u202d\u2067\u200b\x01\x02")
    assert "ยังอ่านคำตอบนี้ไม่ออก" in chat.text and "ชื่อ-นามสกุลของคุณคะ" in chat.text  # asked again
    chat.say("สมศรี ใจดี")  # the form is still waiting for the name, and takes a real one
    assert "ตำแหน่ง" in chat.text


def test_console_form_values_are_cleaned_before_they_are_stored(as_plk, seeded, runtime) -> None:  # noqa: ANN001, F811
    page = as_plk.get(f"/admin/orgs/{seeded['plk']}")
    res = as_plk.post(f"/admin/orgs/{seeded['plk']}", data={
        "csrf": csrf_of(page.text), "name": "มูลนิธิพัฒนาเด็ก\u202eพิษณุโลก\x00", "kind": "public_benefit",
        "district": "เมือง\u200bพิษณุโลก", "contact_name": "สม\x07ศรี ใจดี", "phone": "0812345678"})
    assert res.status_code == 303, res.text
    with runtime.db.session() as s:
        org = s.get(Organization, seeded["plk"])
        assert (org.name, org.district, org.contact_name) == ("มูลนิธิพัฒนาเด็กพิษณุโลก", "เมืองพิษณุโลก", "สมศรี ใจดี")


def test_a_nul_sent_through_a_signed_line_webhook_is_removed_too(app_client, fake_line, fake_telegram) -> None:  # noqa: ANN001, F811
    from tests.channels.helpers import LineUser, sign_up

    client, app = app_client
    line = LineUser(client, fake_line, app.state.line_channel)
    sign_up(line, name="สมศรี\x00 ใจดี\u2067", phone="081-234-5678\u200b")
    with app.state.line_channel.runtime.db.session() as s:
        assert s.exec(select(Member)).one().full_name == "สมศรี ใจดี"
