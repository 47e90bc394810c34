"""`khruakhai line setup` and `khruakhai telegram set-webhook` against the fake platforms."""
from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from bot.cli import app
from tests.channels.helpers import LINE_SECRET, LINE_TOKEN, TG_SECRET, TG_TOKEN


@pytest.fixture
def env(monkeypatch, fake_line, fake_telegram, tmp_path):  # noqa: ANN001, ANN201
    from bot.config import get_settings

    values = {"LINE_CHANNEL_SECRET": LINE_SECRET, "LINE_CHANNEL_ACCESS_TOKEN": LINE_TOKEN,
              "LINE_API_BASE_URL": fake_line.url, "LINE_DATA_API_BASE_URL": fake_line.data_url,
              "TELEGRAM_BOT_TOKEN": TG_TOKEN, "TELEGRAM_WEBHOOK_SECRET": TG_SECRET,
              "TELEGRAM_API_BASE_URL": fake_telegram.url, "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"}
    for k, v in values.items():
        monkeypatch.setenv(k, v)
    monkeypatch.chdir(tmp_path)  # no stray .env
    get_settings.cache_clear()
    yield values
    get_settings.cache_clear()


def test_line_setup_creates_the_default_rich_menu(env, fake_line, tmp_path) -> None:  # noqa: ANN001
    out = tmp_path / "menu.png"
    result = CliRunner().invoke(app, ["line", "setup", "--save-image", str(out)])
    assert result.exit_code == 0, result.output
    rid = fake_line.default_richmenu
    assert rid and rid in fake_line.richmenu_images
    image, ctype = fake_line.richmenu_images[rid]
    assert ctype == "image/png" and image == out.read_bytes() and len(image) < 1024 * 1024
    menu = fake_line.richmenus[rid]
    labels = [a["action"]["displayText"] for a in menu["areas"]]
    assert "ข้อมูลของฉัน" in labels and "ค้นหาเครือข่าย" in labels
    assert all(a["action"]["type"] == "postback" for a in menu["areas"])
    assert menu["chatBarText"] == "เมนู"
    # running it again replaces the old menu
    assert CliRunner().invoke(app, ["line", "setup"]).exit_code == 0
    assert len(fake_line.richmenus) == 1 and fake_line.default_richmenu != rid


def test_telegram_set_webhook(env, fake_telegram) -> None:  # noqa: ANN001
    result = CliRunner().invoke(app, ["telegram", "set-webhook", "https://bot.example.org"])
    assert result.exit_code == 0, result.output
    assert fake_telegram.webhook["url"] == "https://bot.example.org/webhooks/telegram"
    assert fake_telegram.webhook["secret_token"] == TG_SECRET
    # the command list people see when they type "/" in Telegram, Thai by default and English for English apps
    by_language = {json.loads(key)[1]: {c["command"]: c["description"] for c in cmds}
                   for key, cmds in fake_telegram.commands.items()}
    assert set(by_language) == {"", "en"}
    assert by_language[""] == {"start": "เริ่มต้น / สมัครใช้งาน", "menu": "เมนูหลัก", "help": "วิธีใช้",
                               "cancel": "ยกเลิกสิ่งที่ทำอยู่", "lang": "เปลี่ยนภาษา ไทย/English"}
    assert list(by_language["en"]) == ["start", "menu", "help", "cancel", "lang"]
    assert CliRunner().invoke(app, ["telegram", "set-webhook", "http://insecure"]).exit_code != 0
    assert CliRunner().invoke(app, ["telegram", "info"]).exit_code == 0
    assert CliRunner().invoke(app, ["telegram", "delete-webhook"]).exit_code == 0
    assert fake_telegram.webhook["url"] == ""
