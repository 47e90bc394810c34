"""No cell of an export runs as a formula in Excel, and one member's odd name never breaks an export."""
from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from tests.console.conftest import as_plk, client, seeded  # noqa: F401  (console fixtures)

POISON = {
    "name": "=HYPERLINK(\"http://evil.example\",\"คลิก\")",
    "contact_name": "@SUM(1+1)*cmd|' /C calc'!A0",
    "district": "+1+1",
    "certification_no": "-2+3",
}


def _poison(runtime, org_id: int, *, nul_name: bool = False) -> None:  # noqa: ANN001
    from storage.models import Organization

    with runtime.db.session() as s:
        org = s.get(Organization, org_id)
        for key, value in POISON.items():
            setattr(org, key, value)
        if nul_name:  # PostgreSQL itself refuses a NUL: there, other characters XML cannot carry
            org.contact_name = ("สมศรี\x00 ใจดี\x0b" if runtime.db.is_sqlite else "สมศรี\x01 ใจดี\x0b\x1f")
        s.add(org)


def _dangerous(value: object) -> bool:
    return isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r")


def test_console_csv_export_writes_formulas_as_text(as_plk, seeded, runtime) -> None:  # noqa: ANN001, F811
    _poison(runtime, seeded["plk"])
    res = as_plk.get("/admin/orgs/export?fmt=csv")
    assert res.status_code == 200
    rows = list(csv.reader(io.StringIO(res.content.decode("utf-8-sig"))))
    cells = [c for row in rows for c in row]
    assert not [c for c in cells if _dangerous(c)]
    assert "'" + POISON["name"] in cells and "'" + POISON["contact_name"] in cells
    assert "'+1+1" in cells and "'-2+3" in cells


def test_console_xlsx_export_has_only_string_cells_for_text(as_plk, seeded, runtime) -> None:  # noqa: ANN001, F811
    _poison(runtime, seeded["plk"])
    res = as_plk.get("/admin/orgs/export?fmt=xlsx")
    assert res.status_code == 200
    sheet = load_workbook(io.BytesIO(res.content)).active
    cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert not [c.value for c in cells if _dangerous(c.value)]
    assert "'" + POISON["name"] in [c.value for c in cells]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_nul_in_one_name_does_not_break_the_cli_export(runtime, seeded, tmp_path, monkeypatch, fmt) -> None:  # noqa: ANN001, F811
    from bot.cli import app
    from bot.config import get_settings

    _poison(runtime, seeded["plk"], nul_name=True)
    monkeypatch.setenv("DATABASE_URL", runtime.settings.database_url)
    if runtime.settings.database_schema:
        monkeypatch.setenv("DATABASE_SCHEMA", runtime.settings.database_schema)
    get_settings.cache_clear()
    out = tmp_path / f"orgs.{fmt}"
    try:
        res = CliRunner().invoke(app, ["export", "organizations", "--format", fmt, "--out", str(out)])
    finally:
        get_settings.cache_clear()
    assert res.exit_code == 0, res.output
    if fmt == "xlsx":
        rows = [[c.value for c in row] for row in load_workbook(out).active.iter_rows()]
    else:
        rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    flat = [v for row in rows for v in row]
    assert "สมศรี ใจดี" in flat  # the odd characters are gone, the name is still there
    assert "มูลนิธิเพื่อนหญิงโคราช" in flat  # the other organizations are exported too
    assert not [v for v in flat if _dangerous(v)]
