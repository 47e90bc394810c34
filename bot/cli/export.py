from __future__ import annotations

import sys
from collections.abc import Iterable
from enum import Enum
from pathlib import Path

import typer

from bot.cli import app
from bot.export import Column, thai_date_value, write_table

export_app = typer.Typer(help="Export lists for Excel (CSV with BOM, or XLSX with Thai headers).",
                         no_args_is_help=True)
app.add_typer(export_app, name="export")


THAI_HELP = ("Thai layout for people (Thai column names and statuses, Bangkok times, Buddhist-Era dates); "
             "by default CSV keeps the documented machine-readable columns.")


class Format(str, Enum):
    csv = "csv"
    xlsx = "xlsx"


ORG_COLUMNS = (
    Column("id", "รหัส"),
    Column("name", "ชื่อองค์กร"),
    Column("kind", "ประเภท", lambda k: {"public_benefit": "องค์กรสาธารณประโยชน์",
                                          "community_welfare": "องค์กรสวัสดิการชุมชน"}.get(k, "อื่น ๆ")),
    Column("province", "จังหวัด"),
    Column("district", "อำเภอ/เขต"),
    Column("certification_no", "เลขที่หนังสือรับรอง"),
    Column("contact_name", "ผู้ติดต่อ"),
    Column("phone", "เบอร์โทร"),
    Column("members", "จำนวนสมาชิก"),
    Column("verified", "ยืนยันแล้ว"),
    Column("created_at", "วันที่ลงทะเบียน", thai_date_value),
)


@export_app.command("organizations")
def organizations(format: Format = typer.Option(Format.csv, "--format"),  # noqa: A002
                  out: Path = typer.Option(..., "--out", help="File to write."),
                  province: str | None = typer.Option(None, help="Only this province."),
                  progress: bool = typer.Option(True, help="Show a progress bar (on a terminal)."),
                  thai: bool = typer.Option(False, "--thai", help=THAI_HELP)) -> None:
    """The network directory: one row per organization (written as read: 50,000 rows in flat memory)."""
    from bot.cli.common import resolve_province, runtime
    from storage.repositories import organizations as orgs_repo

    prov = resolve_province(province)
    with runtime().db.read_session() as session:
        total = orgs_repo.export_count(session, province=prov)
        rows = orgs_repo.export_rows(session, province=prov)
        written = write_with_progress(out, format.value, ORG_COLUMNS, rows, "organizations", total, progress, thai)
    typer.echo(f"wrote {written} organizations to {out}")


def write_with_progress(out: Path, fmt: str, columns: tuple[Column, ...], rows: Iterable[dict], title: str,
                        total: int, progress: bool, thai: bool = False) -> int:
    """`write_table` with a progress bar on stderr (when asked and there is a terminal)."""
    if not progress or not sys.stderr.isatty():
        return write_table(out, fmt, columns, rows, title=title, thai=thai)
    with typer.progressbar(length=total, label=f"{title} → {out.name}", file=sys.stderr) as bar:
        done = 0

        def advance(n: int) -> None:
            nonlocal done
            bar.update(n - done)
            done = n

        return write_table(out, fmt, columns, rows, title=title, progress=advance, thai=thai)
