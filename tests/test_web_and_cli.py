"""The web chat, /healthz, `khruakhai chat` scripted through stdin, officer grant and the export."""
from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from bot.server import create_app

ROOT = Path(__file__).resolve().parent.parent
SIGNUP_LINES = ["สวัสดีค่ะ", "1", "มูลนิธิรักษ์น้ำน่าน", "ลงทะเบียนองค์กรใหม่", "1", "องค์กรสาธารณประโยชน์",
                "น่าน", "เมือง", "ข้าม", "ใช่", "สมศรี ใจดี", "ประธาน", "081 234 5678", "ยืนยัน"]


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


def _cli(args: list[str], settings, stdin: str | None = None) -> subprocess.CompletedProcess:  # noqa: ANN001
    env = dict(os.environ, DATABASE_URL=settings.database_url, PYTHAINLP_READ_ONLY="1")
    if settings.database_schema:
        env["DATABASE_SCHEMA"] = settings.database_schema
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], input=stdin, text=True, capture_output=True,
                          env=env, cwd=ROOT, timeout=120)


def test_cli_chat_signup_then_export(settings, tmp_path: Path) -> None:  # noqa: ANN001
    done = _cli(["chat", "--user", "cli-somsri"], settings, stdin="\n".join(SIGNUP_LINES) + "\n")
    assert done.returncode == 0, done.stderr
    assert "PDPA" in done.stdout and "[1] ยินยอม" in done.stdout
    assert "ลงทะเบียนเรียบร้อยแล้ว" in done.stdout

    out = tmp_path / "orgs.csv"
    exported = _cli(["export", "organizations", "--format", "csv", "--out", str(out)], settings)
    assert exported.returncode == 0, exported.stderr
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads Thai correctly
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert list(rows[0]) == ["id", "name", "kind", "province", "district", "certification_no", "contact_name",
                             "phone", "members", "verified", "created_at"]
    assert rows[0]["name"] == "มูลนิธิรักษ์น้ำน่าน" and rows[0]["kind"] == "public_benefit"
    assert rows[0]["phone"] == "0812345678" and rows[0]["members"] == "1" and rows[0]["verified"] == "false"

    xlsx = tmp_path / "orgs.xlsx"
    assert _cli(["export", "organizations", "--format", "xlsx", "--out", str(xlsx)], settings).returncode == 0
    sheet = load_workbook(xlsx).active
    assert sheet["B1"].value == "ชื่อองค์กร" and sheet["B2"].value == "มูลนิธิรักษ์น้ำน่าน"
    assert sheet["C2"].value == "องค์กรสาธารณประโยชน์"


def test_cli_officer_grant(settings) -> None:  # noqa: ANN001
    done = _cli(["officer", "grant", "--channel", "line", "--user-id", "U" + "a" * 32, "--province", "พิดโลก"],
                settings)
    assert done.returncode == 0, done.stderr
    assert "พิษณุโลก" in done.stdout
    bad = _cli(["officer", "grant", "--channel", "fax", "--user-id", "1"], settings)
    assert bad.returncode != 0 and "Traceback" not in bad.stderr
