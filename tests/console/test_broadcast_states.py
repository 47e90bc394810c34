"""One state per broadcast, read the same everywhere; a day typed as a deadline means that day."""
from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bot.broadcast_state import state_of
from storage.models import Broadcast
from storage.models.events import Event
from tests.console.conftest import csrf_of


def _send(client, **fields) -> int:  # noqa: ANN001
    form = client.get("/admin/broadcasts/new").text
    res = client.post("/admin/broadcasts/new", data={"csrf": csrf_of(form), "audience": "province",
                                                     "text": "ขอเชิญร่วมเวทีเสวนาเครือข่าย", "action": "send",
                                                     "confirmed": "1",
                                                     **fields})
    assert res.status_code == 303, res.text
    return int(res.headers["location"].split("/")[-1].split("?")[0])


def test_a_withdrawn_broadcast_reads_withdrawn_and_nothing_else(as_plk, seeded) -> None:  # noqa: ANN001
    bid = _send(as_plk, schedule="later", scheduled_at="2026-12-01T09:00")
    detail = as_plk.get(f"/admin/broadcasts/{bid}").text
    assert "ตั้งเวลาไว้" in detail and "จะส่งเวลา 1 ธ.ค. 2569 09.00 น." in detail
    assert as_plk.post(f"/admin/broadcasts/{bid}/cancel", data={"csrf": csrf_of(detail)}).status_code == 303
    page = as_plk.get(f"/admin/broadcasts/{bid}").text
    assert "ถอนแล้ว" in page and "ไม่ได้ส่งถึงใคร" in page
    for contradiction in ("ส่งเสร็จเมื่อ", "ยังไม่เริ่มส่ง", "ตั้งเวลาไว้", "กำลังส่ง", ">ถอนประกาศ<"):
        assert contradiction not in page
    history = as_plk.get("/admin/broadcasts").text
    assert "ถอนแล้ว" in history and "ตั้งเวลาไว้" not in history
    # withdrawing twice is refused: it is no longer withdrawable
    assert as_plk.post(f"/admin/broadcasts/{bid}/cancel", data={"csrf": csrf_of(page)}).status_code == 409


def test_the_sending_flash_goes_once_the_broadcast_is_sent(as_plk, seeded, runtime) -> None:  # noqa: ANN001
    bid = _send(as_plk)
    fresh = as_plk.get(f"/admin/broadcasts/{bid}?done=console.flash.queued").text
    assert "ระบบกำลังส่ง" in fresh and "กำลังส่ง" in fresh
    with runtime.db.session() as s:
        b = s.get(Broadcast, bid)
        b.status, b.total, b.delivered, b.finished_at = "done", 1, 1, runtime.clock.now()
        s.add(b)
    later = as_plk.get(f"/admin/broadcasts/{bid}?done=console.flash.queued").text
    assert "ส่งแล้ว" in later and "ส่งเสร็จเมื่อ" in later
    assert "ระบบกำลังส่ง" not in later


def test_one_function_names_every_state() -> None:
    from datetime import datetime, timezone

    now = datetime(2026, 11, 25, 3, 0, tzinfo=timezone.utc)
    b = Broadcast(text="x", status="queued", scheduled_at=now + timedelta(hours=2))
    assert state_of(b, now).name == "scheduled" and state_of(b, now).withdrawable
    assert state_of(b, now + timedelta(hours=3)).name == "sending"
    b.status, b.total, b.delivered = "done", 3, 0
    assert state_of(b, now).label("th") == "ส่งไม่สำเร็จ"
    b.delivered = 2
    assert state_of(b, now).label("th") == "ส่งแล้ว" and state_of(b, now).label("en") == "Sent"
    b.status = "cancelled"
    assert state_of(b, now).label("th") == "ถอนแล้ว" and not state_of(b, now).withdrawable


def test_a_registration_deadline_typed_as_a_day_closes_at_the_end_of_that_day(as_plk, seeded, runtime) -> None:  # noqa: ANN001
    form = as_plk.get("/admin/events/new").text
    res = as_plk.post("/admin/events/new", data={
        "csrf": csrf_of(form), "title": "สัมมนาเครือข่ายองค์กรสวัสดิการชุมชน", "kind": "seminar",
        "starts_at": "20 ม.ค. 70 9 โมง", "ends_at": "20/1/2570 16.00", "registration_deadline": "15 ม.ค. 70",
        "venue": "โรงแรมอมรินทร์ลากูน พิษณุโลก", "capacity": "60", "seats_per_org": "2"})
    assert res.status_code == 303
    url = res.headers["location"].split("?")[0]
    page = as_plk.get(url).text
    assert "15 ม.ค. 2570 23.59 น." in page and "16 ม.ค. 2570" not in page
    with runtime.db.session() as s:
        event = s.exec(select(Event).where(Event.title == "สัมมนาเครือข่ายองค์กรสวัสดิการชุมชน")).one()
        assert event.registration_deadline.isoformat().startswith("2027-01-15T16:59")  # 23:59 in Bangkok
    edit = as_plk.get(url + "/edit").text
    assert 'value="15 ม.ค. 2570"' in edit and 'value="20 ม.ค. 2570 09.00 น."' in edit  # read back the same


def test_a_night_broadcast_says_when_quiet_hours_let_it_go(as_plk, seeded, clock) -> None:  # noqa: ANN001
    from datetime import datetime

    from bot.clock import BANGKOK

    clock.set(datetime(2026, 11, 25, 22, 30, tzinfo=BANGKOK))
    bid = _send(as_plk)
    page = as_plk.get(f"/admin/broadcasts/{bid}").text
    assert "กำลังส่ง" in page and "ระบบจะเริ่มส่งเวลา 26 พ.ย. 2569 07.00 น." in page
    urgent = _send(as_plk, urgent="1")
    assert "ระบบจะเริ่มส่งเวลา" not in as_plk.get(f"/admin/broadcasts/{urgent}").text
