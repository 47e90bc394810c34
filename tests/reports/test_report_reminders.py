"""Deadline reminders: 14, 7, 3, 1 days before, on the day, 3 and 7 days after; only to organizations
that have not submitted (any member's submission counts), to all their members, once per offset; a
scan after downtime sends only the most recent offset. Also the broadcast audience of the missing."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlmodel import select

from bot import audiences
from bot.clock import BANGKOK
from bot.messages import replies_from_json
from bot.reminders import send_due_reminders
from bot.report_notify import current_offset
from storage.models import OutboxMessage
from storage.models.outbox import stored_content
from tests.conversations.helpers import approve_join
from tests.events.helpers import as_sent
from tests.conversations.helpers import seed_org
from tests.reports.helpers import deadline, member, report_one_sentence

DUE = date(2026, 12, 9)


def _at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=BANGKOK)


def _reminders(runtime) -> list[OutboxMessage]:  # noqa: ANN001
    """The deadline reminders queued, each (detached) with the content it will send (a reminder's card is
    stored once for all its rows)."""
    return [m for m in as_sent(runtime, select(OutboxMessage, stored_content()).order_by(OutboxMessage.id))
            if m.key.startswith("reminder:deadline:")]


def test_offsets() -> None:
    assert current_offset(DUE, DUE - timedelta(days=20)) is None  # too early
    assert current_offset(DUE, DUE - timedelta(days=14)) == 14
    assert current_offset(DUE, DUE - timedelta(days=10)) == 14
    assert current_offset(DUE, DUE - timedelta(days=7)) == 7
    assert current_offset(DUE, DUE - timedelta(days=2)) == 3
    assert current_offset(DUE, DUE) == 0
    assert current_offset(DUE, DUE + timedelta(days=5)) == -3
    assert current_offset(DUE, DUE + timedelta(days=10)) == -7
    assert current_offset(DUE, DUE + timedelta(days=11)) is None  # long over: nothing stale


def test_reminders_reach_exactly_the_members_of_organizations_that_have_not_submitted(new_chat, runtime) -> None:  # noqa: ANN001
    dl = deadline(runtime, due=DUE, provinces=("พิษณุโลก",))
    done = member(new_chat, "somsri", "มูลนิธิรักษ์น้ำพิษณุโลก")
    late1 = member(new_chat, "somchai", "ชมรมผู้สูงอายุวังทอง", phone="0891112222")
    member(new_chat, "jan", "มูลนิธิเพื่อนหญิงโคราช", province="นครราชสีมา", phone="0893334444")  # not owed
    # a second member of the late organization: both are reminded
    second = new_chat("wichai")
    second.say("สวัสดี")
    second.tap("ยินยอม")
    second.say("ผู้สูงอายุวังทอง")
    assert "ไหมคะ" in second.text  # the one resembling organization proposed, name asked next
    second.say("วิชัย มีสุข")
    second.say("เหรัญญิก")
    second.say("0865554444")
    second.tap("ยืนยัน")
    approve_join(late1)  # the first member speaks for the organization
    report_one_sentence(done, deadline_label="รายงานผลการดำเนินงาน")

    scan = send_due_reminders(runtime, now=_at(DUE - timedelta(days=14)))
    assert scan.count("queued") == 2
    got = _reminders(runtime)
    assert sorted(m.address for m in got) == ["web:somchai", "web:wichai"]
    reply = replies_from_json(got[0].content)[0]
    assert "ยังไม่ได้ส่ง" in reply.text and "9 ธ.ค. 2569" in reply.text and "อีก 14 วัน" in reply.text
    assert reply.card.buttons[0].value == f"go:report.start:{dl}"
    # The button starts the report for that deadline.
    late1.postback(reply.card.buttons[0].value)
    assert "รายงานสำหรับ: รายงานผลการดำเนินงานประจำปี 2569" in late1.text

    # Scanning again (every minute) sends nothing twice.
    assert send_due_reminders(runtime, now=_at(DUE - timedelta(days=14), 11)).count("queued") == 0
    # The 7-days-before reminder comes on its day.
    assert send_due_reminders(runtime, now=_at(DUE - timedelta(days=7))).count("queued") == 2
    keys = sorted(m.key for m in _reminders(runtime))
    assert keys[0].endswith(":14d") and any(k.endswith(":7d") for k in keys)

    # The other member of the late organization submits: nobody of that organization is reminded any more.
    second.say("ส่งรายงาน")  # the one open deadline is chosen
    second.say("ประชุมสมาชิกชมรม 20 พ.ย. 69 ผู้เข้าร่วม 30 คน ไม่ใช้งบ กลุ่มเป้าหมาย ผู้สูงอายุ")
    second.tap("ไม่มีรูป")
    second.tap("ยืนยัน")
    assert send_due_reminders(runtime, now=_at(DUE - timedelta(days=3))).count("queued") == 0


def test_after_downtime_only_the_most_recent_offset_is_sent(new_chat, runtime) -> None:  # noqa: ANN001
    deadline(runtime, due=DUE)
    member(new_chat, "somchai", "ชมรมผู้สูงอายุวังทอง")
    # The server was down from 20 days before until 2 days before the due date.
    scan = send_due_reminders(runtime, now=_at(DUE - timedelta(days=2)))
    assert scan.count("queued") == 1
    [msg] = _reminders(runtime)
    assert msg.key.endswith(":3d")
    assert "อีก 2 วัน" in replies_from_json(msg.content)[0].text  # says what is really left
    # On the due date the next one; a week after, the last one; later nothing.
    send_due_reminders(runtime, now=_at(DUE))
    send_due_reminders(runtime, now=_at(DUE + timedelta(days=8)))
    send_due_reminders(runtime, now=_at(DUE + timedelta(days=30)))
    keys = [m.key.rsplit(":", 1)[1] for m in _reminders(runtime)]
    assert keys == ["3d", "0d", "-7d"]
    assert "เลยกำหนดมา 8 วัน" in replies_from_json(_reminders(runtime)[-1].content)[0].text


def test_a_scan_at_night_waits_for_the_morning(new_chat, runtime) -> None:  # noqa: ANN001
    deadline(runtime, due=DUE)
    member(new_chat, "somchai", "ชมรมผู้สูงอายุวังทอง")
    scan = send_due_reminders(runtime, now=_at(DUE, hour=0))
    assert scan.count("waiting") == 1


def test_audience_kind_and_province_filters(new_chat, runtime) -> None:  # noqa: ANN001
    deadline(runtime, due=DUE, kinds=("community_welfare",))
    member(new_chat, "somchai", "มูลนิธิรักษ์น้ำพิษณุโลก")  # public benefit: not owed
    # The deadline is owed by community-welfare organizations only: nobody is due (a dry run counts them).
    assert send_due_reminders(runtime, now=_at(DUE), dry_run=True).count("would_send") == 0
    from bot.messages import Address
    from storage.repositories import members as members_repo
    from storage.repositories import organizations as orgs_repo

    with runtime.db.session() as s:  # a community-welfare organization's member: due
        org = orgs_repo.create(s, name="กองทุนสวัสดิการชุมชนบ้านกร่าง", kind="community_welfare", province="พิษณุโลก")
        members_repo.create(s, address=Address("web", "wichai"), organization_id=org.id, full_name="วิชัย มีสุข",
                            position="เหรัญญิก", phone="0865554444")
    assert send_due_reminders(runtime, now=_at(DUE), dry_run=True).count("would_send") == 1


def test_broadcast_audience_of_organizations_missing_a_report(new_chat, runtime) -> None:  # noqa: ANN001
    dl = deadline(runtime, due=DUE)
    done = member(new_chat, "somsri", "มูลนิธิรักษ์น้ำพิษณุโลก")
    member(new_chat, "somchai", "ชมรมผู้สูงอายุวังทอง", phone="0891112222")
    member(new_chat, "jan", "มูลนิธิเพื่อนหญิงโคราช", province="นครราชสีมา", phone="0893334444")
    seed_org(runtime, "กองทุนสวัสดิการชุมชนบ้านกร่าง")
    report_one_sentence(done, deadline_label="รายงานผลการดำเนินงาน")
    names = [p.name for p in audiences.providers()]
    assert "report_missing" in names
    with runtime.db.session() as s:
        audience = {"name": "report_missing", "param": str(dl)}
        everywhere = sorted(r.address for r in audiences.recipients(s, audience, None))
        in_province = sorted(r.address for r in audiences.recipients(s, audience, "พิษณุโลก"))
        options = audiences.AUDIENCES["report_missing"].options(s, "พิษณุโลก", "th")
        label = audiences.describe(s, audience, "th")
    assert everywhere == ["web:jan", "web:somchai"]
    assert in_province == ["web:somchai"]
    assert options == [("รายงานผลการดำเนินงานประจำปี 2569 (9 ธ.ค. 2569)", str(dl))]
    assert label == "องค์กรที่ยังไม่ส่งรายงาน: รายงานผลการดำเนินงานประจำปี 2569"
