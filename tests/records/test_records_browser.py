"""In headless Chromium at a phone's 390×844 and a desktop's 1280×800, under the console's CSP: a report sent
without a deadline is found on the list of all reports and accepted; an organization's page shows its record
and makes a member its primary contact; a member waiting to join is approved after a confirmation."""
from __future__ import annotations

import pytest
from sqlmodel import select

from bot.messages import Address
from bot.server import create_app
from storage.models import Member, Organization
from storage.repositories import members as members_repo
from storage.repositories import memberships
from storage.repositories import reports as reports_repo
from tests.console.browser import AppServer, browser_page, chromium_missing, log_in
from tests.console.conftest import PASSWORD

pytestmark = pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or "")
SIZES = pytest.mark.parametrize("size", [(390, 844), (1280, 800)], ids=["phone", "desktop"])


def _csp_watch(page) -> list[str]:  # noqa: ANN001
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    return violations


@SIZES
def test_a_report_without_a_deadline_is_found_and_accepted(runtime, seeded, size) -> None:  # noqa: ANN001
    with runtime.db.session() as s:
        report = reports_repo.start_report(s, organization_id=seeded["plk"], deadline_id=None, member_id=seeded["m1"])
        act = reports_repo.new_activity(s, report=report, member_id=seeded["m1"], original_text="อบรมอาสาสมัคร 30 คน")
        reports_repo.complete_activity(s, activity=act, values={"title": "อบรมอาสาสมัครดูแลผู้สูงอายุ"})
        reports_repo.submit(s, report=report, member_id=seeded["m1"])
    with AppServer(create_app(runtime=runtime, start_scheduler=False)) as server, \
            browser_page(width=size[0], height=size[1]) as page:
        violations = _csp_watch(page)
        log_in(page, server.url, "plk@example.go.th", PASSWORD)
        page.goto(f"{server.url}/admin/deadlines")
        page.click("#all-reports-link")
        page.select_option("#deadline", "none")
        page.click("#report-filters button[type=submit]")
        assert page.inner_text("#report-count") == "1 รายงาน"
        page.click("#all-reports a")
        assert page.inner_text("#report-status") == "ได้รับแล้ว"
        page.click("#accept-report")
        assert page.inner_text("#report-status") == "ตรวจรับแล้ว"
        assert "ตรวจรับรายงานแล้ว" in page.inner_text("[role=status]")
    assert violations == []


@SIZES
def test_an_organizations_page_names_its_primary_contact(runtime, seeded, size) -> None:  # noqa: ANN001
    with AppServer(create_app(runtime=runtime, start_scheduler=False)) as server, \
            browser_page(width=size[0], height=size[1]) as page:
        violations = _csp_watch(page)
        log_in(page, server.url, "plk@example.go.th", PASSWORD)
        page.goto(f"{server.url}/admin/orgs/{seeded['plk']}")
        assert "รายงานผลการดำเนินงาน ปี 2569" in page.inner_text("#org-reports")
        assert "ยังไม่มี" in page.inner_text("#org-messages")
        page.click("#org-members button:has-text('ตั้งเป็นผู้ติดต่อหลัก')")
        assert "ผู้ติดต่อหลัก" in page.inner_text("#org-members tbody tr")
        assert "ตั้งผู้แทนองค์กรแล้ว" in page.inner_text("[role=status]")
        assert "ตั้งคุณเป็นผู้แทน" in page.inner_text("#org-messages")  # the member was told
    assert violations == []


@SIZES
def test_an_officer_approves_a_join_after_confirming(runtime, seeded, size) -> None:  # noqa: ANN001
    with runtime.db.session() as s:
        org = s.get(Organization, seeded["plk"])
        memberships.make_representative(s, org=org, member=s.get(Member, seeded["m1"]))
        newcomer = members_repo.create(s, address=Address("web", "wilai"), organization_id=None,
                                       full_name="วิไล สุขใจ", position="เหรัญญิก", phone="0898765432")
        memberships.request_join(s, org=org, member=newcomer)
    with AppServer(create_app(runtime=runtime, start_scheduler=False)) as server, \
            browser_page(width=size[0], height=size[1]) as page:
        violations = _csp_watch(page)
        log_in(page, server.url, "plk@example.go.th", PASSWORD)
        page.goto(f"{server.url}/admin/orgs")
        page.click("#joins-link")
        assert "วิไล สุขใจ" in page.inner_text("#joins")
        page.click("#joins button:has-text('อนุมัติ') >> nth=0")
        assert "อนุมัติให้ วิไล สุขใจ เป็นสมาชิกในนาม" in page.inner_text("#confirm-message")
        page.click("#confirm-yes")
        assert "ไม่มีคำขอที่รออนุมัติ" in page.inner_text("#joins")
    with runtime.db.session() as s:
        member = s.exec(select(Member).where(Member.full_name == "วิไล สุขใจ")).one()
        assert member.organization_id == seeded["plk"]
    assert violations == []
