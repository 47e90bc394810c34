"""A reminder's wording matches the moment it arrives: one held by quiet hours until the event's own day says
"วันนี้", never "พรุ่งนี้"; a deadline reminder held overnight counts the days from the morning it arrives."""
from __future__ import annotations

from datetime import date, datetime

from bot.clock import BANGKOK
from storage.repositories import events as events_repo
from tests.events.helpers import add_member, make_event, outbox, scan, text_of
from tests.reports.helpers import deadline


def _registered(runtime, event_id: int, user: str) -> None:  # noqa: ANN001
    member_id = add_member(runtime, user)
    with runtime.db.session() as s:
        events_repo.register(s, event_id=event_id, member_id=member_id, organization_id=None,
                             attendees=[(f"คุณ{user} ทดสอบ", None)], phone=None, now=runtime.clock.now())


def test_a_one_day_reminder_held_until_the_event_day_says_today(runtime) -> None:  # noqa: ANN001
    # an evening event: its one-day reminder comes at 22:00 the day before, in the quiet hours
    event_id = make_event(runtime, title="เสวนาภาคค่ำ", starts=datetime(2026, 12, 10, 22, 0, tzinfo=BANGKOK),
                          ends=datetime(2026, 12, 10, 23, 30, tzinfo=BANGKOK))
    _registered(runtime, event_id, "somsri")
    report = scan(runtime, datetime(2026, 12, 9, 22, 5, tzinfo=BANGKOK))
    assert report.count("waiting") == 1  # held until 07:00 on the 10th, the event's day
    [reminder] = outbox(runtime, "somsri", kind="reminder")
    assert reminder.next_attempt_at.astimezone(BANGKOK).date() == date(2026, 12, 10)
    text = text_of(reminder)
    assert "พรุ่งนี้" not in text and "วันนี้แล้วค่ะ" in text


def test_a_one_day_reminder_sent_at_once_still_says_tomorrow(runtime) -> None:  # noqa: ANN001
    event_id = make_event(runtime, title="อบรมช่วงเช้า", starts=datetime(2026, 12, 10, 9, 0, tzinfo=BANGKOK),
                          ends=datetime(2026, 12, 10, 12, 0, tzinfo=BANGKOK))
    _registered(runtime, event_id, "somsri")
    assert scan(runtime, datetime(2026, 12, 9, 9, 5, tzinfo=BANGKOK)).count("queued") == 1
    [reminder] = outbox(runtime, "somsri", kind="reminder")
    assert "พรุ่งนี้แล้วค่ะ" in text_of(reminder)


def test_a_three_day_reminder_held_overnight_counts_from_the_morning(runtime) -> None:  # noqa: ANN001
    event_id = make_event(runtime, title="เวทีภาคค่ำ", starts=datetime(2026, 12, 12, 22, 0, tzinfo=BANGKOK),
                          ends=datetime(2026, 12, 12, 23, 0, tzinfo=BANGKOK))
    _registered(runtime, event_id, "somsri")
    scan(runtime, datetime(2026, 12, 9, 22, 5, tzinfo=BANGKOK))  # 3 days before, held until the 10th
    [reminder] = outbox(runtime, "somsri", kind="reminder")
    assert "อีก 2 วัน" in text_of(reminder) and "อีก 3 วัน" not in text_of(reminder)


def test_a_deadline_reminder_held_overnight_counts_from_the_morning(runtime, new_chat) -> None:  # noqa: ANN001
    from tests.conversations.helpers import sign_up_new_org

    sign_up_new_org(new_chat("somsri"), province="พิษณุโลก")
    deadline(runtime, title="รายงานประจำไตรมาส", due=date(2026, 12, 12))
    scan(runtime, datetime(2026, 12, 9, 22, 30, tzinfo=BANGKOK))  # the 3-day reminder, held until the 10th
    [reminder] = outbox(runtime, "somsri", kind="reminder")
    text = text_of(reminder)
    assert "อีก 2 วัน" in text and "อีก 3 วัน" not in text
