"""Nothing that cannot be undone happens on the first click: a page says what will happen and to how many
people (server-side, so it works without JavaScript); quiet hours are announced before a send."""
from __future__ import annotations

from datetime import datetime

from sqlmodel import select

from bot.clock import BANGKOK
from storage.models import Broadcast, Organization, OutboxMessage
from storage.models.events import Event
from tests.console.conftest import csrf_of


def _hidden(html: str) -> dict[str, str]:
    import re

    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))


def test_sending_a_broadcast_asks_first_with_the_count(as_plk, seeded, runtime) -> None:  # noqa: ANN001
    form = as_plk.get("/admin/broadcasts/new").text
    asked = as_plk.post("/admin/broadcasts/new", data={"csrf": csrf_of(form), "text": "ขอเชิญร่วมเวทีเสวนาเครือข่าย",
                                                       "audience": "province", "schedule": "now", "action": "send"})
    assert asked.status_code == 200 and "ยืนยันการส่งประกาศ" in asked.text
    assert "ประกาศนี้จะส่งถึง 1 คน" in asked.text and "ยืนยัน ส่งถึง 1 คน" in asked.text
    assert "<script>" not in asked.text and "งดส่งข้อความ" not in asked.text  # 10:00: no quiet hours
    with runtime.db.session() as s:
        assert s.exec(select(Broadcast)).all() == []  # nothing written yet
    carried = _hidden(asked.text)
    assert carried["text"] == "ขอเชิญร่วมเวทีเสวนาเครือข่าย" and carried["confirmed"] == "1"
    done = as_plk.post("/admin/broadcasts/new", data=carried)
    assert done.status_code == 303
    with runtime.db.session() as s:
        (b,) = s.exec(select(Broadcast)).all()
        assert b.text == "ขอเชิญร่วมเวทีเสวนาเครือข่าย" and b.scope_province == "พิษณุโลก"


def test_a_send_at_night_warns_that_quiet_hours_hold_it(as_plk, seeded, clock) -> None:  # noqa: ANN001
    clock.set(datetime(2026, 11, 25, 22, 0, tzinfo=BANGKOK))
    form = as_plk.get("/admin/broadcasts/new").text
    data = {"csrf": csrf_of(form), "text": "ขอเชิญร่วมเวทีเสวนาเครือข่าย", "audience": "province", "schedule": "now",
            "action": "send"}
    asked = as_plk.post("/admin/broadcasts/new", data=data).text
    assert "งดส่งข้อความ" in asked and "26 พ.ย. 2569 07.00 น." in asked
    urgent = as_plk.post("/admin/broadcasts/new", data={**data, "urgent": "1"}).text
    assert "ยืนยันการส่งประกาศ" in urgent and "งดส่งข้อความ" not in urgent  # urgent goes at once


def test_publishing_an_event_asks_first_with_the_audience(as_plk, seeded, runtime) -> None:  # noqa: ANN001
    url = f"/admin/events/{seeded['ev_plk']}"
    asked = as_plk.post(url + "/publish", data={"csrf": csrf_of(as_plk.get(url).text)})
    assert asked.status_code == 200 and "ยืนยันการเผยแพร่กิจกรรม" in asked.text
    assert "แจ้งผู้รับ 1 คน" in asked.text
    with runtime.db.session() as s:
        assert s.get(Event, seeded["ev_plk"]).status == "draft"
    assert as_plk.post(url + "/publish", data=_hidden(asked.text)).status_code == 303
    with runtime.db.session() as s:
        assert s.get(Event, seeded["ev_plk"]).status == "published"


def test_verify_asks_first_and_tells_the_members(as_plk, seeded, runtime) -> None:  # noqa: ANN001
    url = f"/admin/orgs/{seeded['plk']}"
    asked = as_plk.post(url + "/verify", data={"csrf": csrf_of(as_plk.get(url).text)})
    assert "รับรององค์กรนี้" in asked.text and "สมาชิก 1 คน" in asked.text
    with runtime.db.session() as s:
        assert s.get(Organization, seeded["plk"]).verified is False
    assert as_plk.post(url + "/verify", data=_hidden(asked.text)).status_code == 303
    with runtime.db.session() as s:
        assert s.get(Organization, seeded["plk"]).verified is True
        (told,) = s.exec(select(OutboxMessage).where(OutboxMessage.member_id == seeded["m1"])).all()
        assert "รับรององค์กร มูลนิธิพัฒนาเด็กและครอบครัวพิษณุโลก แล้ว" in str(told.content)


def test_reject_needs_a_reason_which_the_members_receive(as_plk, seeded, runtime) -> None:  # noqa: ANN001
    url = f"/admin/orgs/{seeded['plk']}"
    asked = as_plk.post(url + "/reject", data={"csrf": csrf_of(as_plk.get(url).text)})
    assert "ไม่รับรององค์กรนี้" in asked.text and 'name="reason"' in asked.text and "สมาชิก 1 คน" in asked.text
    short = as_plk.post(url + "/reject", data={**_hidden(asked.text), "reason": "ไม่"})
    assert "อย่างน้อย 5 ตัวอักษร" in short.text
    reason = "ไม่พบเลขที่หนังสือรับรองในทะเบียน กรุณาส่งสำเนามาที่ พมจ."
    assert as_plk.post(url + "/reject", data={**_hidden(asked.text), "reason": reason}).status_code == 303
    with runtime.db.session() as s:
        org = s.get(Organization, seeded["plk"])
        assert org.verified is False and org.rejection_reason == reason
        (told,) = s.exec(select(OutboxMessage).where(OutboxMessage.member_id == seeded["m1"])).all()
        assert reason in str(told.content) and told.kind == "notice"
    page = as_plk.get(url).text
    assert "ไม่รับรอง" in page and reason in page
    log = as_plk.get("/admin/audit").text
    assert "ไม่รับรององค์กร มูลนิธิพัฒนาเด็กและครอบครัวพิษณุโลก" in log and reason in log


def test_another_provinces_organization_is_refused_before_any_question(as_plk, seeded) -> None:  # noqa: ANN001
    token = csrf_of(as_plk.get("/admin").text)
    assert as_plk.post(f"/admin/orgs/{seeded['nma']}/reject", data={"csrf": token}).status_code == 403


def test_removing_a_member_asks_first_then_tells_them(as_plk, seeded, runtime) -> None:  # noqa: ANN001
    from storage.models import Member

    url = f"/admin/orgs/{seeded['plk']}"
    page = as_plk.get(url).text
    action = f"/admin/orgs/{seeded['plk']}/members/{seeded['m1']}/remove"
    assert f'action="{action}"' in page
    asked = as_plk.post(action, data={"csrf": csrf_of(page)})
    assert "นำสมาชิกออกจากองค์กร" in asked.text and "นำ สมศรี ใจดี ออกจาก" in asked.text and "1 คน" in asked.text
    with runtime.db.session() as s:
        assert s.get(Member, seeded["m1"]).organization_id == seeded["plk"]
    assert as_plk.post(action, data=_hidden(asked.text)).status_code == 303
    with runtime.db.session() as s:
        assert s.get(Member, seeded["m1"]).organization_id is None
        (told,) = s.exec(select(OutboxMessage).where(OutboxMessage.member_id == seeded["m1"])).all()
        assert "นำคุณออกจากรายชื่อผู้แทนองค์กร" in str(told.content)
    assert "นำ สมศรี ใจดี ออกจากองค์กร" in as_plk.get("/admin/audit").text
