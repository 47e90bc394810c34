"""Every report is on the console's record: with or without a deadline, filtered and searched; accepted
(the members are told), returned, a typo fixed with the old and new words in the audit log, and a report
sent outside any deadline counted for a deadline it answers."""
from __future__ import annotations

from sqlmodel import select

from storage.models import OutboxMessage
from storage.models.reports import Report
from storage.repositories import reports as reports_repo
from tests.console.conftest import csrf_of


def _outside_deadline(runtime, seeded, text: str = "จัดอบรมอาสาสมัครดูแลผู้สูงอายุ 30 คน") -> int:  # noqa: ANN001
    with runtime.db.session() as s:
        report = reports_repo.start_report(s, organization_id=seeded["plk"], deadline_id=None, member_id=seeded["m1"])
        act = reports_repo.new_activity(s, report=report, member_id=seeded["m1"], original_text=text)
        reports_repo.complete_activity(s, activity=act, values={"title": "อบรมอาสาสมัครดูแลผู้สูงอายุ",
                                                                "participants": 30})
        reports_repo.submit(s, report=report, member_id=seeded["m1"])
        return report.id  # type: ignore[return-value]


def test_a_report_sent_without_a_deadline_is_listed_and_found(as_plk, seeded, runtime) -> None:  # noqa: ANN001
    outside = _outside_deadline(runtime, seeded)
    page = as_plk.get("/admin/reports").text
    assert f'/admin/reports/{outside}"' in page and f'/admin/reports/{seeded["r_plk"]}"' in page
    assert f'/admin/reports/{seeded["r_nma"]}"' not in page  # another province's report
    assert "2 รายงาน" in page and "ไม่ระบุกำหนดส่ง" in page
    only_outside = as_plk.get("/admin/reports?deadline=none").text
    assert f'/admin/reports/{outside}"' in only_outside and f'/admin/reports/{seeded["r_plk"]}"' not in only_outside
    found = as_plk.get("/admin/reports?q=อาสาสมัคร").text
    assert "1 รายงาน" in found and f'/admin/reports/{outside}"' in found
    assert "ไม่พบรายงาน" in as_plk.get("/admin/reports?kind=community_welfare").text
    assert "ไม่พบรายงาน" in as_plk.get("/admin/reports?since=2099-01-01").text
    # days typed in Thai, as people write them (Buddhist-era years; a day without a year is the last one)
    assert "ไม่พบรายงาน" in as_plk.get("/admin/reports?until=1 ต.ค. 2569").text
    assert "2 รายงาน" in as_plk.get("/admin/reports?since=1 ต.ค.").text
    assert "1 รายงาน" in as_plk.get(f"/admin/reports?deadline={seeded['deadline']}&state=received").text


def test_accepting_tells_the_members_and_a_return_undoes_it(as_plk, seeded, runtime) -> None:  # noqa: ANN001
    url = f"/admin/reports/{seeded['r_plk']}"
    page = as_plk.get(url).text
    assert "ได้รับแล้ว" in page
    done = as_plk.post(url + "/accept", data={"csrf": csrf_of(page)})
    assert done.status_code == 303 and "report_accepted" in done.headers["location"]
    page = as_plk.get(url).text
    assert "ตรวจรับแล้ว" in page and 'id="accept-report"' not in page
    with runtime.db.session() as s:
        told = [m for m in s.exec(select(OutboxMessage)) if m.key.startswith(f"report:accepted:{seeded['r_plk']}:")]
        assert len(told) == 1 and "ตรวจรับรายงาน" in told[0].content[0]["text"]
    assert "ตรวจรับแล้ว" in as_plk.get("/admin/reports?state=accepted").text
    as_plk.post(url + "/return", data={"csrf": csrf_of(page), "note": "กรุณาแนบรูปกิจกรรมด้วยค่ะ"})
    with runtime.db.session() as s:
        report = s.get(Report, seeded["r_plk"])
        assert report.status == "returned" and report.accepted_at is None
    assert "ส่งกลับให้แก้ไข" in as_plk.get(url).text


def test_a_typo_is_fixed_and_the_audit_log_says_old_and_new(as_plk, seeded, runtime) -> None:  # noqa: ANN001
    url = f"/admin/reports/{seeded['r_plk']}"
    page = as_plk.get(url).text
    with runtime.db.session() as s:
        (act,) = reports_repo.activities(s, report_id=seeded["r_plk"])
    fix = f"{url}/activities/{act.id}/fix"
    rewrite = as_plk.post(fix, data={"csrf": csrf_of(page), "field": "title", "text": "ประชุมใหญ่สามัญประจำปี"})
    assert "not_a_typo" in rewrite.headers["location"]
    done = as_plk.post(fix, data={"csrf": csrf_of(page), "field": "title", "text": "เยี่ยมบ้านผู้สูงอายุในชุมชน"})
    assert "typo_fixed" in done.headers["location"]
    assert "เยี่ยมบ้านผู้สูงอายุในชุมชน" in as_plk.get(url).text
    audit = as_plk.get("/admin/audit").text
    assert "แก้คำผิดในรายงานของมูลนิธิพัฒนาเด็กและครอบครัวพิษณุโลก ช่องชื่อกิจกรรม" in audit
    assert "“เยี่ยมบ้านผู้สูงอายุ” → “เยี่ยมบ้านผู้สูงอายุในชุมชน”" in audit
    assert "report.fix_text" not in audit


def test_a_report_outside_a_deadline_counts_once_attached(as_plk, seeded, runtime) -> None:  # noqa: ANN001
    from datetime import date

    with runtime.db.session() as s:
        later = reports_repo.create_deadline(s, title="รายงานกิจกรรมผู้สูงอายุ ไตรมาส 1", due_date=date(2027, 3, 31),
                                             provinces=["พิษณุโลก"])
        later_id = later.id
    outside = _outside_deadline(runtime, seeded)
    before = as_plk.get(f"/admin/deadlines/{later_id}").text
    assert "ยังไม่ส่ง" in before
    page = as_plk.get(f"/admin/reports/{outside}").text
    assert "รายงานกิจกรรมผู้สูงอายุ ไตรมาส 1" in page
    assert "รายงานผลการดำเนินงาน ปี 2569" not in page.split('id="attach"')[1]  # already reported for that one
    done = as_plk.post(f"/admin/reports/{outside}/attach", data={"csrf": csrf_of(page), "deadline_id": later_id})
    assert done.status_code == 303
    with runtime.db.session() as s:
        assert s.get(Report, outside).deadline_id == later_id
        counts = reports_repo.compliance_counts(s, deadline=reports_repo.get_deadline(s, deadline_id=later_id),
                                                province="พิษณุโลก")
        assert counts["submitted"] == 1
    again = as_plk.post(f"/admin/reports/{outside}/attach", data={"csrf": csrf_of(page), "deadline_id": later_id})
    assert again.status_code == 409
    assert "รายงานกิจกรรมผู้สูงอายุ ไตรมาส 1" in as_plk.get("/admin/audit").text
