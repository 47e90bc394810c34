from __future__ import annotations

from enum import Enum
from pathlib import Path

import typer

from bot.cli import app
from bot.export import Column, thai_date_value, write_table

export_app = typer.Typer(help="Export lists for Excel (CSV with BOM, or XLSX with Thai headers).",
                         no_args_is_help=True)
app.add_typer(export_app, name="export")


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
                  province: str | None = typer.Option(None, help="Only this province.")) -> None:
    """The network directory: one row per organization."""
    from bot.cli.common import resolve_province, runtime
    from storage.repositories import organizations as orgs_repo

    prov = resolve_province(province)
    with runtime().db.session() as session:
        rows = [{"id": o.id, "name": o.name, "kind": o.kind, "province": o.province, "district": o.district,
                 "certification_no": o.certification_no, "contact_name": o.contact_name, "phone": o.phone,
                 "members": n, "verified": o.verified, "created_at": o.created_at}
                for o, n in orgs_repo.all_for_export(session, province=prov)]
    write_table(out, format.value, ORG_COLUMNS, rows, title="organizations")
    typer.echo(f"wrote {len(rows)} organizations to {out}")
