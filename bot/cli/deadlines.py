"""`khruakhai deadline create|list`, `khruakhai export reports` and `khruakhai reports fetch-photos`."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from bot.cli import app
from bot.cli.export import THAI_HELP, Format, export_app
from bot.export import Column, thai_date_value, write_table

deadline_app = typer.Typer(help="Report deadlines: create and list.", no_args_is_help=True)
app.add_typer(deadline_app, name="deadline")
reports_app = typer.Typer(help="Activity reports: maintenance.", no_args_is_help=True)
app.add_typer(reports_app, name="reports")

KINDS = {"public_benefit": "องค์กรสาธารณประโยชน์", "community_welfare": "องค์กรสวัสดิการชุมชน", "other": "อื่น ๆ"}


def _kind(value: str) -> str:
    from bot.org_kinds import kind_named

    kind = kind_named(value)
    if kind is None:
        raise typer.BadParameter(f"unknown kind: {value} (public_benefit, community_welfare, other)")
    return kind


def _due(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        from bot.clock import clock
        from bot.thai import parse_date

        found = parse_date(value, today=clock.today())
        if found is None:
            raise typer.BadParameter(f"not a date: {value} (use YYYY-MM-DD)") from None
        return found


@deadline_app.command("create")
def create(title: str = typer.Option(..., "--title", help="e.g. รายงานผลการดำเนินงานประจำปี 2569"),
           due: str = typer.Option(..., "--due", help="Due date, YYYY-MM-DD."),
           province: list[str] = typer.Option([], "--province", help="Only this province (repeatable)."),
           kind: list[str] = typer.Option([], "--kind", help="Only this kind of organization (repeatable).")) -> None:
    """Create a reporting deadline; prints its id."""
    from bot.cli.common import resolve_province, runtime
    from storage.repositories import reports as repo

    provinces = [resolve_province(p) for p in province]
    kinds = [_kind(k) for k in kind]
    due_date = _due(due)
    with runtime().db.session() as session:
        deadline = repo.create_deadline(session, title=title, due_date=due_date, kinds=kinds,
                                        provinces=provinces)  # type: ignore[arg-type]
        deadline_id = deadline.id
    typer.echo(deadline_id)


@deadline_app.command("list")
def list_(province: str | None = typer.Option(None, help="Only deadlines that concern this province.")) -> None:
    """Every deadline with how many organizations have submitted."""
    from bot.cli.common import resolve_province, runtime
    from storage.repositories import reports as repo

    prov = resolve_province(province)
    with runtime().db.session() as session:
        for d in repo.list_deadlines(session, province=prov, limit=10_000):
            submitted, missing = repo.compliance(session, deadline=d, province=prov)
            who = ", ".join(d.provinces or ["ทุกจังหวัด"])
            if d.kinds:
                who += " / " + ", ".join(KINDS.get(k, k) for k in d.kinds)
            typer.echo(f"{d.id}\t{d.due_date.isoformat()}\t{d.title}\t{who}\t"
                       f"{len(submitted)}/{len(submitted) + len(missing)} submitted")


REPORT_COLUMNS = (
    Column("report_id", "รหัสรายงาน"),
    Column("deadline_id", "รหัสกำหนดส่ง"),
    Column("organization", "องค์กร"),
    Column("organization_kind", "ประเภทองค์กร", lambda k: KINDS.get(k, k)),
    Column("province", "จังหวัด"),
    Column("activity", "กิจกรรม"),
    Column("start_date", "วันที่เริ่ม", thai_date_value),
    Column("end_date", "วันที่สิ้นสุด", thai_date_value),
    Column("participants", "จำนวนผู้เข้าร่วม (คน)"),
    Column("budget_thb", "งบประมาณ (บาท)", float),
    Column("funding_source", "แหล่งงบประมาณ"),
    Column("target_group", "กลุ่มเป้าหมาย"),
    Column("photos", "จำนวนรูป"),
    Column("submitted_by", "ผู้ส่ง"),
    Column("submitted_at", "วันที่ส่ง", thai_date_value),
)


@export_app.command("reports")
def export_reports(deadline: int | None = typer.Option(None, "--deadline", help="Only this deadline's reports."),
                   format: Format = typer.Option(Format.csv, "--format"),  # noqa: A002
                   out: Path = typer.Option(..., "--out", help="File to write."),
                   province: str | None = typer.Option(None, help="Only this province."),
                   thai: bool = typer.Option(False, "--thai", help=THAI_HELP)) -> None:
    """Submitted activity reports: one row per activity."""
    from bot.cli.common import resolve_province, runtime
    from storage.repositories import reports as repo

    prov = resolve_province(province)
    with runtime().db.session() as session:
        if deadline is not None and repo.get_deadline(session, deadline_id=deadline) is None:
            raise typer.BadParameter(f"no deadline {deadline}")
        rows = list(repo.export_rows(session, deadline_id=deadline, province=prov))
    write_table(out, format.value, REPORT_COLUMNS, rows, title="reports", thai=thai)
    typer.echo(f"wrote {len(rows)} activities to {out}")


@reports_app.command("fetch-photos")
def fetch_photos() -> None:
    """Fetch now the photos members sent on LINE or Telegram that still wait for their bytes (the server's
    job does this after every turn; this is for a server run without its scheduler)."""
    from bot.cli.common import runtime
    from bot.content_fetchers import content_fetchers
    from bot.photo_fetch import fetch_all_due_now

    rt = runtime()
    outcomes = fetch_all_due_now(rt, content_fetchers(rt))
    typer.echo(f"fetched {outcomes['stored']} photos, {outcomes['retry']} to try again, "
               f"{outcomes['gone']} no longer on LINE/Telegram, {outcomes['missing']} given up, "
               f"{outcomes['rejected']} not images")
