"""An organization's page: its members (add by phone, make representative, remove), members waiting to join
(approve or decline, confirmed first), its reports, registrations with attendance and the messages sent to
it — each section capped with a link to the full, paged list; every change in the audit log as Thai."""
from __future__ import annotations

from sqlmodel import select

from bot.messages import Address
from storage.models import Event, Member, Organization, OrgJoinRequest, OutboxMessage
from storage.repositories import events as events_repo
from storage.repositories import members as members_repo
from storage.repositories import memberships
from tests.console.conftest import csrf_of


def _hidden(html: str) -> dict[str, str]:
    import re

    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))


def _newcomer(runtime, name: str = "วิไล สุขใจ", phone: str = "0898765432", org: int | None = None) -> int:  # noqa: ANN001
    with runtime.db.session() as s:
        m = members_repo.create(s, address=Address("web", f"u{phone}"), organization_id=None, full_name=name,
                                position="เหรัญญิก", phone=phone)
        if org is not None:
            memberships.request_join(s, org=s.get(Organization, org), member=m)
        return m.id  # type: ignore[return-value]


def test_the_page_shows_reports_registrations_and_messages(as_plk, seeded, runtime) -> None:  # noqa: ANN001
    from bot.clock import clock

    with runtime.db.session() as s:
        s.get(Event, seeded["ev_plk"]).status = "published"
        reg = events_repo.register(s, event_id=seeded["ev_plk"], member_id=seeded["m1"], organization_id=seeded["plk"],
                                   attendees=[("สมศรี ใจดี", "ประธาน")], phone="0812345678", now=clock.now())
    page = as_plk.get(f"/admin/orgs/{seeded['plk']}").text
    reports = page.split('id="org-reports"')[1].split("</section>")[0]
    assert f'/admin/reports/{seeded["r_plk"]}"' in reports and "รายงานผลการดำเนินงาน ปี 2569" in reports
    regs = page.split('id="org-registrations"')[1].split("</section>")[0]
    assert "อบรมผู้บริหารองค์กรสาธารณประโยชน์ รุ่นที่ 5" in regs and "ลงทะเบียนแล้ว" in regs and "0/1" in regs
    assert reg.outcome == "registered"
    assert "ยังไม่มี" in page.split('id="org-messages"')[1].split("</section>")[0]


def test_many_messages_are_capped_with_a_link_to_the_paged_list(as_plk, seeded, runtime) -> None:  # noqa: ANN001
    from bot import outbox
    from bot.messages import Reply

    with runtime.db.session() as s:
        for i in range(60):
            outbox.enqueue(s, key=f"test:{i}", address="web:somsri", replies=[Reply(text=f"ข่าวที่ {i}")],
                           kind="notice", member_id=seeded["m1"])
    page = as_plk.get(f"/admin/orgs/{seeded['plk']}").text
    section = page.split('id="org-messages"')[1].split("</section>")[0]
    assert "ข่าวที่ 59" in section and "ข่าวที่ 49" not in section and "ดูทั้งหมด (60)" in section
    full = as_plk.get(f"/admin/orgs/{seeded['plk']}/messages").text
    assert "ข่าวที่ 10" in full and "ข่าวที่ 9<" not in full and "หน้า 1 จาก 2" in full
    assert "ข่าวที่ 9<" in as_plk.get(f"/admin/orgs/{seeded['plk']}/messages?page=2").text
    assert as_plk.get(f"/admin/orgs/{seeded['nma']}/messages").status_code == 403


def test_add_by_phone_and_make_representative(as_plk, seeded, runtime) -> None:  # noqa: ANN001
    newcomer = _newcomer(runtime)
    url = f"/admin/orgs/{seeded['plk']}"
    page = as_plk.get(url).text
    as_plk.post(f"{url}/members/{seeded['m1']}/primary", data={"csrf": csrf_of(page)})
    assert "ผู้ติดต่อหลัก" in as_plk.get(url).text.split('id="org-members"')[1].split("</tr>")[1]
    done = as_plk.post(url + "/members/add", data={"csrf": csrf_of(page), "phone": "089-876-5432"})
    assert "member_added" in done.headers["location"]
    page = as_plk.get(url).text
    assert "วิไล สุขใจ" in page.split('id="org-members"')[1]
    done = as_plk.post(f"{url}/members/{newcomer}/primary", data={"csrf": csrf_of(page)})
    assert "representative_set" in done.headers["location"]
    with runtime.db.session() as s:
        org = s.get(Organization, seeded["plk"])
        assert org.representative_id == newcomer and org.contact_name == "วิไล สุขใจ" and org.phone == "0898765432"
        told = [m.content[0]["text"] for m in s.exec(select(OutboxMessage).where(OutboxMessage.member_id == newcomer))]
    assert any("เพิ่มคุณเป็นสมาชิก" in t for t in told) and any("ตั้งคุณเป็นผู้แทน" in t for t in told)
    audit = as_plk.get("/admin/audit").text
    assert "เพิ่ม วิไล สุขใจ เป็นสมาชิกของ" in audit and "ตั้ง วิไล สุขใจ เป็นผู้แทน" in audit
    assert "ไม่พบผู้ที่ลงทะเบียน" in as_plk.get(as_plk.post(url + "/members/add", data={
        "csrf": csrf_of(page), "phone": "0800000000"}).headers["location"]).text


def test_officers_approve_a_join_after_confirming_and_the_member_is_told(as_plk, seeded, runtime) -> None:  # noqa: ANN001
    newcomer = _newcomer(runtime, org=seeded["plk"])
    _newcomer(runtime, name="คนโคราช", phone="0870000000", org=seeded["nma"])
    listing = as_plk.get("/admin/joins").text
    assert "วิไล สุขใจ" in listing and "คนโคราช" not in listing and "รออนุมัติ 1 คำขอ" in listing
    assert "คำขอเข้าร่วมองค์กร (1)" in as_plk.get("/admin/orgs").text
    with runtime.db.session() as s:
        (req,) = s.exec(select(OrgJoinRequest).where(OrgJoinRequest.member_id == newcomer)).all()
    asked = as_plk.post(f"/admin/joins/{req.id}/approve", data={"csrf": csrf_of(listing)})
    assert asked.status_code == 200 and "อนุมัติให้ วิไล สุขใจ เป็นสมาชิกในนาม" in asked.text
    with runtime.db.session() as s:
        assert s.get(Member, newcomer).organization_id is None  # nothing before the confirmation
    done = as_plk.post(f"/admin/joins/{req.id}/approve", data=_hidden(asked.text))
    assert done.status_code == 303
    with runtime.db.session() as s:
        assert s.get(Member, newcomer).organization_id == seeded["plk"]
        told = [m.content[0]["text"] for m in s.exec(select(OutboxMessage).where(OutboxMessage.member_id == newcomer))]
    assert any("เจ้าหน้าที่ พมจ. อนุมัติให้คุณเป็นสมาชิก" in t for t in told)
    assert "อนุมัติให้ วิไล สุขใจ เป็นสมาชิกในนาม" in as_plk.get("/admin/audit").text
    assert "ไม่มีคำขอที่รออนุมัติ" in as_plk.get("/admin/joins").text


def test_another_provinces_request_is_refused(as_plk, seeded, runtime) -> None:  # noqa: ANN001
    _newcomer(runtime, name="คนโคราช", phone="0870000000", org=seeded["nma"])
    with runtime.db.session() as s:
        (req,) = s.exec(select(OrgJoinRequest)).all()
    page = as_plk.get("/admin/joins").text
    assert as_plk.post(f"/admin/joins/{req.id}/decline", data={"csrf": csrf_of(page), "confirmed": "1"}).status_code == 403
