"""A certificate reaches a Telegram member as a PDF document (through the outbox and the spec-checked fake
Bot API), a web-chat member as a link and the image, and its download link is refused once it is too old."""
from __future__ import annotations

from datetime import datetime

from itsdangerous import URLSafeTimedSerializer
from sqlmodel import select

from bot import certificates
from bot.clock import BANGKOK
from bot.config import Settings
from bot.delivery import drain_once
from bot.messages import Address
from bot.wiring import build
from storage.models import OutboxMessage
from storage.repositories import events as events_repo
from storage.repositories import members as members_repo
from storage.repositories import organizations as orgs_repo
from storage.repositories import training as training_repo


def test_certificates_on_telegram_and_the_web(database_url, fake_telegram, clock, monkeypatch) -> None:  # noqa: ANN001
    url, schema = database_url
    settings = Settings(_env_file=None, database_url=url, database_schema=schema, scheduler_enabled=False,
                        telegram_bot_token=fake_telegram.token, telegram_api_base_url=fake_telegram.url,
                        public_base_url="https://khruakhai.example.go.th")
    rt = build(settings, clock=clock)
    try:
        fake_telegram.add_chat(4242, first_name="มานี")
        with rt.db.session() as s:
            org = orgs_repo.create(s, name="มูลนิธิรักษ์น้ำน่าน", kind="public_benefit", province="น่าน", district="เมือง")
            tg = members_repo.create(s, address=Address("telegram", "4242"), organization_id=org.id,
                                     full_name="มานี มีนา", position="ประธาน", phone="0812345678")
            web = members_repo.create(s, address=Address("web", "chujai"), organization_id=org.id,
                                      full_name="ชูใจ ใจดี", position="เลขานุการ", phone="0899999999")
            start = datetime(2026, 12, 1, 9, 0, tzinfo=BANGKOK)
            event = events_repo.create(s, title="อบรมการเขียนโครงการ", starts_at=start, ends_at=start.replace(hour=16),
                                       venue="ศาลากลางน่าน", province="น่าน", capacity=10)
            events_repo.publish(s, event=event, now=clock.now())
            for member, name in ((tg, "มานี มีนา"), (web, "ชูใจ ใจดี")):
                reg = events_repo.register(s, event_id=event.id, member_id=member.id, organization_id=org.id,
                                           attendees=[(name, None)], phone=None, now=clock.now()).registration
                training_repo.check_in(s, event_id=event.id, registration_id=reg.id, now=start)
            training_repo.save_template(s, event_id=event.id, title="อบรมการเขียนโครงการ", signer_name="นายสมชาย",
                                        signer_position="พมจ.น่าน", office_name="สำนักงาน พมจ.น่าน", now=clock.now())
            clock.set(datetime(2026, 12, 1, 17, 0, tzinfo=BANGKOK))
            issued = training_repo.issue_certificates(s, event=event, now=clock.now())
            assert [c.number for c in issued] == [f"{event.id}/0001/2569", f"{event.id}/0002/2569"]
            assert certificates.deliver(s, settings, event, issued) == 2
            assert training_repo.issue_certificates(s, event=event, now=clock.now()) == []  # issuing again: no copies
        drain_once(rt, max_seconds=20)
        [doc] = fake_telegram.calls_to("sendDocument")
        assert doc["params"]["chat_id"] == 4242
        assert doc["params"]["document"].startswith("https://khruakhai.example.go.th/certificates/")
        assert any("มานี มีนา" in t and "เกียรติบัตร" in t for t in fake_telegram.texts_to(4242))
        assert fake_telegram.unexpected_violations() == []
        with rt.db.session() as s:
            web_row = s.exec(select(OutboxMessage).where(OutboxMessage.address == "web:chujai")).one()
        media = [r.get("media") for r in web_row.content if r.get("media")]
        assert media and media[0]["kind"] == "image" and media[0]["url"].endswith(".png")
        assert "ดาวน์โหลด PDF" in web_row.content[0]["text"]

        # A link older than CERTIFICATE_LINK_HOURS is refused; a fresh one works.
        cert_id = issued[0].id
        old = URLSafeTimedSerializer(settings.secret_key.get_secret_value(), salt=certificates.SALT)
        stale = old.dumps(cert_id)
        assert certificates.certificate_of_token(settings, stale) == cert_id
        short = settings.model_copy(update={"certificate_link_hours": 1})
        import time

        later = time.time() + 2 * 3600
        monkeypatch.setattr(time, "time", lambda: later)  # two hours later, as itsdangerous reads it
        assert certificates.certificate_of_token(short, stale) is None
    finally:
        rt.db.dispose()
