"""Console access: logins, lockout, cookies, CSRF, province scoping, audit rows (SQLite and PostgreSQL)."""
from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from storage.models import Organization
from storage.models.console import AuditEntry, OfficerLogin
from tests.console.conftest import PASSWORD, csrf_of, login


def _audit(runtime, action: str) -> list[AuditEntry]:  # noqa: ANN001
    with runtime.db.session() as s:
        return list(s.exec(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def test_pages_need_a_login_and_come_back_after_it(client, seeded) -> None:  # noqa: ANN001
    res = client.get("/admin/orgs?kind=public_benefit")
    assert res.status_code == 303 and res.headers["location"].startswith("/admin/login?next=/admin/orgs")
    page = client.get(res.headers["location"])
    assert "เข้าสู่ระบบเจ้าหน้าที่" in page.text
    done = client.post("/admin/login", data={"email": "PLK@example.go.th ", "password": PASSWORD,
                                             "csrf": csrf_of(page.text), "next": "/admin/orgs?kind=public_benefit"})
    assert done.status_code == 303 and done.headers["location"] == "/admin/orgs?kind=public_benefit"
    assert "มูลนิธิพัฒนาเด็กและครอบครัวพิษณุโลก" in client.get("/admin/orgs?kind=public_benefit").text
    # an off-site "next" is ignored
    client.cookies.clear()
    page = client.get("/admin/login")
    evil = client.post("/admin/login", data={"email": "plk@example.go.th", "password": PASSWORD,
                                             "csrf": csrf_of(page.text), "next": "//evil.example/x"})
    assert evil.headers["location"] == "/admin"


def test_session_cookie_flags(client, seeded, runtime) -> None:  # noqa: ANN001
    res = login(client, "plk@example.go.th")
    cookie = res.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "path=/admin" in cookie
    assert "secure" not in cookie  # plain http on 127.0.0.1
    from fastapi.testclient import TestClient

    from bot.server import create_app

    https = runtime.settings.model_copy(update={"public_base_url": "https://khruakhai.example.go.th"})
    runtime.settings = https
    with TestClient(create_app(runtime=runtime, start_scheduler=False), follow_redirects=False) as c:
        assert "secure" in login(c, "plk@example.go.th").headers["set-cookie"].lower()


def test_wrong_passwords_lock_the_login_for_15_minutes(client, seeded, runtime, clock) -> None:  # noqa: ANN001
    for attempt in range(4):
        res = login(client, "plk@example.go.th", "wrong-password-1")
        assert res.status_code == 401 and "ไม่ถูกต้อง" in res.text
    res = login(client, "plk@example.go.th", "wrong-password-1")
    assert res.status_code == 403 and "ถูกล็อก" in res.text
    # the right password is refused while locked
    res = login(client, "plk@example.go.th")
    assert res.status_code == 403 and "15 นาที" in res.text
    assert [e.details["outcome"] for e in _audit(runtime, "login.failed")] == ["bad"] * 4 + ["locked"]
    assert len(_audit(runtime, "login.locked")) == 1
    clock.set(clock.now() + timedelta(minutes=16))
    res = login(client, "plk@example.go.th")
    assert res.status_code == 303
    with runtime.db.session() as s:
        row = s.exec(select(OfficerLogin).where(OfficerLogin.email == "plk@example.go.th")).one()
        assert row.failed_attempts == 0 and row.locked_until is None
    assert "$argon2" in row.password_hash and PASSWORD not in row.password_hash


def test_unknown_email_is_refused_like_a_wrong_password(client, seeded) -> None:  # noqa: ANN001
    res = login(client, "nobody@example.go.th")
    assert res.status_code == 401 and "อีเมลหรือรหัสผ่านไม่ถูกต้อง" in res.text


def test_every_post_needs_the_csrf_token(as_plk, seeded, runtime) -> None:  # noqa: ANN001
    client = as_plk
    url = f"/admin/orgs/{seeded['plk2']}/verify"
    assert client.post(url).status_code == 403
    assert client.post(url, data={"csrf": "forged"}).status_code == 403
    with runtime.db.session() as s:
        assert s.get(Organization, seeded["plk2"]).verified is False
    token = csrf_of(client.get(f"/admin/orgs/{seeded['plk2']}").text)
    assert client.post(url, data={"csrf": token}).status_code == 303
    with runtime.db.session() as s:
        assert s.get(Organization, seeded["plk2"]).verified is True
    (entry,) = _audit(runtime, "org.verify")
    assert entry.email == "plk@example.go.th" and entry.target_id == str(seeded["plk2"])
    assert entry.province == "พิษณุโลก"


def test_logout_ends_the_session_even_for_a_copied_cookie(as_plk) -> None:  # noqa: ANN001
    client = as_plk
    stolen = dict(client.cookies)
    token = csrf_of(client.get("/admin").text)
    assert client.post("/admin/logout", data={"csrf": token}).status_code == 303
    client.cookies.clear()
    for k, v in stolen.items():
        client.cookies.set(k, v, path="/admin")
    assert client.get("/admin").status_code == 303


def test_a_provincial_officer_sees_and_changes_only_their_province(as_plk, seeded, runtime) -> None:  # noqa: ANN001
    client = as_plk
    directory = client.get("/admin/orgs").text
    assert "มูลนิธิพัฒนาเด็กและครอบครัวพิษณุโลก" in directory and "มูลนิธิเพื่อนหญิงโคราช" not in directory
    # even asking for the other province in the filter does not widen the scope
    assert "มูลนิธิเพื่อนหญิงโคราช" not in client.get("/admin/orgs?province=นครราชสีมา").text
    token = csrf_of(directory)
    refused = [client.get(f"/admin/orgs/{seeded['nma']}"),
               client.post(f"/admin/orgs/{seeded['nma']}", data={"csrf": token, "name": "ถูกแก้", "kind": "other"}),
               client.post(f"/admin/orgs/{seeded['nma']}/verify", data={"csrf": token}),
               client.get(f"/admin/events/{seeded['ev_nma']}"),
               client.post(f"/admin/events/{seeded['ev_nma']}/publish", data={"csrf": token}),
               client.get(f"/admin/events/{seeded['ev_nma']}/export?fmt=csv"),
               client.get(f"/admin/reports/{seeded['r_nma']}"),
               client.post(f"/admin/reports/{seeded['r_nma']}/return", data={"csrf": token, "note": "แก้ไขด่วน"})]
    assert [r.status_code for r in refused] == [403] * len(refused)
    assert "จังหวัดอื่น" in refused[0].text
    with runtime.db.session() as s:
        org = s.get(Organization, seeded["nma"])
        assert org.name == "มูลนิธิเพื่อนหญิงโคราช" and not org.verified
        from storage.models.events import Event
        from storage.models.reports import Report

        assert s.get(Event, seeded["ev_nma"]).status == "draft"
        assert s.get(Report, seeded["r_nma"]).status == "submitted"
    export = client.get("/admin/orgs/export?fmt=csv")
    assert "มูลนิธิพัฒนาเด็กและครอบครัวพิษณุโลก" in export.text and "โคราช" not in export.text
    compliance = client.get(f"/admin/deadlines/{seeded['deadline']}").text
    assert "มูลนิธิพัฒนาเด็กและครอบครัวพิษณุโลก" in compliance and "มูลนิธิเพื่อนหญิงโคราช" not in compliance
    assert "เวทีเสวนาเครือข่ายโคราช" not in client.get("/admin/events").text
    assert client.get("/admin/orgs/999999").status_code == 404


def test_a_national_administrator_sees_every_province(client, seeded) -> None:  # noqa: ANN001
    assert login(client, "admin@example.go.th").status_code == 303
    directory = client.get("/admin/orgs").text
    assert "มูลนิธิพัฒนาเด็กและครอบครัวพิษณุโลก" in directory and "มูลนิธิเพื่อนหญิงโคราช" in directory
    only = client.get("/admin/orgs?province=นครราชสีมา").text
    assert "มูลนิธิเพื่อนหญิงโคราช" in only and "มูลนิธิพัฒนาเด็กและครอบครัวพิษณุโลก" not in only
    assert client.get(f"/admin/reports/{seeded['r_nma']}").status_code == 200


def test_audit_log_shows_changes_of_the_officers_province_only(client, seeded, runtime) -> None:  # noqa: ANN001
    assert login(client, "nma@example.go.th").status_code == 303
    token = csrf_of(client.get(f"/admin/orgs/{seeded['nma']}").text)
    res = client.post(f"/admin/orgs/{seeded['nma']}", data={
        "csrf": token, "name": "มูลนิธิเพื่อนหญิงโคราช", "kind": "public_benefit", "district": "ปากช่อง",
        "phone": "๐๘๑ ๗๗๗ ๘๘๘๘", "listed": "1"})
    assert res.status_code == 303
    (entry,) = _audit(runtime, "org.edit")
    assert entry.details["changes"]["district"] == ["เมืองนครราชสีมา", "ปากช่อง"]
    assert entry.details["changes"]["phone"] == [None, "***"]  # the audit log keeps no phone numbers
    with runtime.db.session() as s:  # Thai digits and spaces understood
        assert s.get(Organization, seeded["nma"]).phone == "0817778888"
    assert "แก้ไขข้อมูลองค์กร มูลนิธิเพื่อนหญิงโคราช (อำเภอ/เขต, เบอร์โทร)" in client.get("/admin/audit").text
    client.cookies.clear()
    assert login(client, "plk@example.go.th").status_code == 303
    assert "แก้ไขข้อมูลองค์กร" not in client.get("/admin/audit").text


def test_english_switch(as_plk) -> None:  # noqa: ANN001
    client = as_plk
    assert "ทำเนียบเครือข่าย" in client.get("/admin/orgs").text
    res = client.get("/admin/lang/en?next=/admin/orgs")
    assert res.status_code == 303 and res.headers["location"] == "/admin/orgs"
    page = client.get("/admin/orgs").text
    assert "Network directory" in page and '<html lang="en">' in page
