"""`khruakhai deadline create|list` and `khruakhai export reports` (CSV with ISO dates, XLSX with Thai
headers and Buddhist-Era dates): the one-sentence report becomes the right row."""
from __future__ import annotations

import csv
from pathlib import Path

from openpyxl import load_workbook

from tests.reports.helpers import member, report_one_sentence

COLUMNS = ["report_id", "deadline_id", "organization", "organization_kind", "province", "activity", "start_date",
           "end_date", "participants", "budget_thb", "funding_source", "target_group", "photos", "submitted_by",
           "submitted_at"]


def test_deadline_cli_then_chat_report_then_export(cli, runtime, new_chat, tmp_path: Path) -> None:  # noqa: ANN001
    created = cli(["deadline", "create", "--title", "รายงานผลการดำเนินงานประจำปี 2569", "--due", "2026-12-09",
                    "--province", "พิษณุโลก", "--kind", "public_benefit"])
    assert created.exit_code == 0, created.output
    deadline_id = int(created.stdout.strip())
    bad = cli(["deadline", "create", "--title", "x", "--due", "2026-12-09", "--province", "ไม่มีจังหวัดนี้"])
    assert bad.exit_code != 0 and "unknown province" in bad.stderr

    chat = member(new_chat, "somsri", "มูลนิธิรักษ์น้ำพิษณุโลก")
    report_one_sentence(chat, deadline_label="รายงานผลการดำเนินงาน")
    outside = member(new_chat, "somchai", "ชมรมผู้สูงอายุวังทอง", phone="0891112222")
    outside.say("ส่งรายงาน")
    outside.tap("กิจกรรมอื่น")
    outside.say("อบรมอาสาสมัคร 1-2 พ.ย. 69 ผู้เข้าร่วม 30 คน ไม่ใช้งบ กลุ่มเป้าหมาย อาสาสมัคร")
    outside.tap("ไม่มีรูป")
    outside.tap("ยืนยัน")

    listed = cli(["deadline", "list"])
    assert listed.exit_code == 0, listed.output
    assert f"{deadline_id}\t2026-12-09\tรายงานผลการดำเนินงานประจำปี 2569" in listed.stdout
    assert "1/2 submitted" in listed.stdout  # both organizations owe it; one sent it

    out = tmp_path / "reports.csv"
    done = cli(["export", "reports", "--deadline", str(deadline_id), "--format", "csv", "--out", str(out)])
    assert done.exit_code == 0, done.output
    with out.open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0].keys()) == COLUMNS
    assert len(rows) == 1
    row = rows[0]
    assert row["deadline_id"] == str(deadline_id) and row["organization"] == "มูลนิธิรักษ์น้ำพิษณุโลก"
    assert row["organization_kind"] == "public_benefit" and row["province"] == "พิษณุโลก"
    assert "เยี่ยมบ้านผู้สูงอายุ" in row["activity"]
    assert (row["start_date"], row["end_date"]) == ("2025-10-25", "2025-10-25")
    assert (row["participants"], row["budget_thb"]) == ("110", "15000")
    assert row["funding_source"] == "กองทุนส่งเสริมการจัดสวัสดิการสังคม" and row["target_group"] == "ผู้สูงอายุ"
    assert row["photos"] == "0" and row["submitted_by"] == "somsri ใจดี"
    assert row["submitted_at"].startswith("2026-11-25")

    every = tmp_path / "all.xlsx"
    done = cli(["export", "reports", "--format", "xlsx", "--out", str(every)])
    assert done.exit_code == 0, done.output
    sheet = load_workbook(every).active
    values = list(sheet.values)
    assert values[0][:3] == ("รหัสรายงาน", "รหัสกำหนดส่ง", "องค์กร") and len(values[0]) == len(COLUMNS)
    assert len(values) == 3  # both reports, one activity each
    first = dict(zip(COLUMNS, values[1]))
    assert first["start_date"] == "25 ต.ค. 2568" and first["organization_kind"] == "องค์กรสาธารณประโยชน์"
    assert first["budget_thb"] == 15000 and first["submitted_at"].startswith("25 พ.ย. 2569")
    second = dict(zip(COLUMNS, values[2]))
    assert second["deadline_id"] is None and second["start_date"] == "1 พ.ย. 2569" and second["end_date"] == "2 พ.ย. 2569"
