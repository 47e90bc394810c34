"""Console fixtures: logins for two provinces and a national administrator, demo-like data, a client."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from bot.clock import local_to_utc
from bot.server import create_app

PASSWORD = "correct-horse-battery"


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "the page has no CSRF field"
    return match.group(1)


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch) -> None:  # noqa: ANN001
    """Argon2 with the smallest parameters: the same algorithm and checks, without spending ~0.1 s of CPU
    and 64 MiB on every login a test creates or tries (production keeps argon2-cffi's defaults)."""
    from argon2 import PasswordHasher

    from storage.repositories import console as console_repo

    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(console_repo, "_hasher", cheap)
    monkeypatch.setattr(console_repo, "_DUMMY_HASH", cheap.hash("not-a-real-password-khruakhai"))


@pytest.fixture
def seeded(runtime):  # noqa: ANN001, ANN201
    """Two provinces' organizations, members, an event each, a deadline with one report each, logins."""
    from datetime import date

    from bot.messages import Address
    from storage.repositories import console as console_repo
    from storage.repositories import events as events_repo
    from storage.repositories import members as members_repo
    from storage.repositories import organizations as orgs_repo
    from storage.repositories import reports as reports_repo

    ids: dict[str, int] = {}
    with runtime.db.session() as s:
        plk = orgs_repo.create(s, name="มูลนิธิพัฒนาเด็กและครอบครัวพิษณุโลก", kind="public_benefit", province="พิษณุโลก",
                               district="เมืองพิษณุโลก", contact_name="สมศรี ใจดี", phone="0812345678")
        plk2 = orgs_repo.create(s, name="กองทุนสวัสดิการชุมชนตำบลบ้านกร่าง", kind="community_welfare",
                                province="พิษณุโลก", district="เมืองพิษณุโลก")
        nma = orgs_repo.create(s, name="มูลนิธิเพื่อนหญิงโคราช", kind="public_benefit", province="นครราชสีมา",
                               district="เมืองนครราชสีมา")
        m1 = members_repo.create(s, address=Address("web", "somsri"), organization_id=plk.id, full_name="สมศรี ใจดี",
                                 position="ประธาน", phone="0812345678")
        m2 = members_repo.create(s, address=Address("web", "janpen"), organization_id=nma.id,
                                 full_name="จันทร์เพ็ญ ศรีสุข", position="เลขานุการ", phone="0817778888")
        start = local_to_utc(datetime(2026, 12, 10, 9, 0))
        ev_plk = events_repo.create(s, title="อบรมผู้บริหารองค์กรสาธารณประโยชน์ รุ่นที่ 5", starts_at=start,
                                    ends_at=start + timedelta(hours=7), venue="ห้องประชุม พมจ.พิษณุโลก",
                                    province="พิษณุโลก", capacity=2, seats_per_org=2)
        ev_nma = events_repo.create(s, title="เวทีเสวนาเครือข่ายโคราช", starts_at=start,
                                    ends_at=start + timedelta(hours=3), venue="ศาลากลางโคราช",
                                    province="นครราชสีมา", capacity=50)
        dl = reports_repo.create_deadline(s, title="รายงานผลการดำเนินงาน ปี 2569", due_date=date(2026, 12, 15))
        r_plk = reports_repo.start_report(s, organization_id=plk.id, deadline_id=dl.id, member_id=m1.id)
        act = reports_repo.new_activity(s, report=r_plk, member_id=m1.id,
                                        original_text="จัดกิจกรรมเยี่ยมบ้านผู้สูงอายุ 25 ต.ค. 69 ผู้เข้าร่วม 110 คน งบ 15,000 บาท")
        reports_repo.complete_activity(s, activity=act, values={"title": "เยี่ยมบ้านผู้สูงอายุ", "participants": 110})
        reports_repo.submit(s, report=r_plk, member_id=m1.id)
        r_nma = reports_repo.start_report(s, organization_id=nma.id, deadline_id=dl.id, member_id=m2.id)
        act2 = reports_repo.new_activity(s, report=r_nma, member_id=m2.id, original_text="อบรมอาชีพ")
        reports_repo.complete_activity(s, activity=act2, values={"title": "อบรมอาชีพสตรี", "participants": 30})
        reports_repo.submit(s, report=r_nma, member_id=m2.id)
        for email, province in (("plk@example.go.th", "พิษณุโลก"), ("nma@example.go.th", "นครราชสีมา"),
                                ("admin@example.go.th", None)):
            login = console_repo.create_login(s, email=email, password=PASSWORD, province=province)
            ids[email] = login.id  # type: ignore[assignment]
        ids.update(plk=plk.id, plk2=plk2.id, nma=nma.id, m1=m1.id, m2=m2.id, ev_plk=ev_plk.id, ev_nma=ev_nma.id,
                   deadline=dl.id, r_plk=r_plk.id, r_nma=r_nma.id)
    return ids


@pytest.fixture
def client(runtime):  # noqa: ANN001, ANN201
    with TestClient(create_app(runtime=runtime, start_scheduler=False), follow_redirects=False) as c:
        yield c


def login(client: TestClient, email: str, password: str = PASSWORD):  # noqa: ANN201
    page = client.get("/admin/login")
    return client.post("/admin/login", data={"email": email, "password": password, "csrf": csrf_of(page.text),
                                             "next": "/admin"})


@pytest.fixture
def as_plk(client, seeded):  # noqa: ANN001, ANN201
    res = login(client, "plk@example.go.th")
    assert res.status_code == 303, res.text
    return client


