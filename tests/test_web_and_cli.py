"""The web chat, /healthz, `khruakhai chat` scripted through stdin, officer grant and the export."""
from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from bot.server import create_app

ROOT = Path(__file__).resolve().parent.parent
SIGNUP_LINES = ["สวัสดีค่ะ", "1", "มูลนิธิรักษ์น้ำน่าน", "ลงทะเบียนองค์กรใหม่", "องค์กรสาธารณประโยชน์",
                "น่าน", "เมือง", "สมศรี ใจดี ประธาน 081 234 5678", "ยืนยัน"]


def test_healthz_and_web_chat_signup(runtime) -> None:  # noqa: ANN001
    runtime.settings.web_chat_enabled = True  # as in `make run`; the client keeps the chat's cookie
    with TestClient(create_app(runtime=runtime, start_scheduler=False)) as client:
        health = client.get("/healthz")
        assert health.status_code == 200 and health.json()["database"] == "ok"
        page = client.get("/")
        assert page.status_code == 200 and "เครือข่าย" in page.text
        last = None
        for line in SIGNUP_LINES:
            body = {"text": line}
            if last and line.isdigit():
                body = {"postback": last[int(line) - 1]["value"]}
            elif last:
                match = next((c for c in last if c["label"] == line), None)
                if match:
                    body = {"postback": match["value"]}
            res = client.post("/chat/api/messages", json=body)
            assert res.status_code == 200
            replies = res.json()["replies"]
            last = [c for r in replies for c in (r["choices"] or (r["card"] or {}).get("buttons", []))] or last
        assert "ลงทะเบียนเรียบร้อยแล้ว" in replies[-1]["text"]
        assert client.post("/chat/api/messages", json={"user": "x"}).status_code == 422
        assert client.post("/chat/api/messages", json={"user": "../etc", "text": "hi"}).status_code == 422
        assert client.get("/chat/api/inbox", params={"user": "webuser"}).json() == {"replies": []}


def test_cli_runs_as_a_program(sqlite_template: Path, tmp_path: Path) -> None:
    """`python -m bot.cli` itself, once (on SQLite: the entry point does not depend on the database): stdin
    read line by line, the exit code. The other CLI tests run the commands in this process."""
    db = tmp_path / "cli.db"
    shutil.copy(sqlite_template, db)
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{db}", PYTHAINLP_READ_ONLY="1")
    env.pop("DATABASE_SCHEMA", None)
    done = subprocess.run([sys.executable, "-m", "bot.cli", "chat", "--user", "cli-somsri"],
                          input="\n".join(SIGNUP_LINES) + "\n", text=True, capture_output=True, env=env, cwd=ROOT,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert "PDPA" in done.stdout and "[1] ยินยอม" in done.stdout
    assert "ลงทะเบียนเรียบร้อยแล้ว" in done.stdout


def test_cli_chat_signup_then_export(cli, tmp_path: Path) -> None:  # noqa: ANN001
    done = cli(["chat", "--user", "cli-somsri"], input="\n".join(SIGNUP_LINES) + "\n")
    assert done.exit_code == 0, done.output
    assert "PDPA" in done.stdout and "[1] ยินยอม" in done.stdout
    assert "ลงทะเบียนเรียบร้อยแล้ว" in done.stdout

    out = tmp_path / "orgs.csv"
    exported = cli(["export", "organizations", "--format", "csv", "--out", str(out)])
    assert exported.exit_code == 0, exported.output
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads Thai correctly
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert list(rows[0]) == ["id", "name", "kind", "province", "district", "certification_no", "contact_name",
                             "phone", "members", "verified", "created_at"]
    assert rows[0]["name"] == "มูลนิธิรักษ์น้ำน่าน" and rows[0]["kind"] == "public_benefit"
    assert rows[0]["phone"] == "0812345678" and rows[0]["members"] == "1" and rows[0]["verified"] == "false"

    xlsx = tmp_path / "orgs.xlsx"
    assert cli(["export", "organizations", "--format", "xlsx", "--out", str(xlsx)]).exit_code == 0
    sheet = load_workbook(xlsx).active
    assert sheet["B1"].value == "ชื่อองค์กร" and sheet["B2"].value == "มูลนิธิรักษ์น้ำน่าน"
    assert sheet["C2"].value == "องค์กรสาธารณประโยชน์"


def test_cli_officer_grant(cli, runtime) -> None:  # noqa: ANN001
    from storage.repositories import members as members_repo

    done = cli(["officer", "grant", "--channel", "line", "--user-id", "U" + "a" * 32, "--province", "พิดโลก"])
    assert done.exit_code == 0, done.output
    assert "พิษณุโลก" in done.stdout
    with runtime.db.session() as s:
        member = members_repo.by_address(s, address="line:U" + "a" * 32)
        assert (member.role, member.officer_province) == ("officer", "พิษณุโลก")
    bad = cli(["officer", "grant", "--channel", "fax", "--user-id", "1"])
    assert bad.exit_code == 2 and isinstance(bad.exception, SystemExit)  # a usage error, not a crash
