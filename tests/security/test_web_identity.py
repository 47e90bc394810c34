"""Who is who in the browser chat: an anonymous id in a signed cookie, never a name the client sends,
never an officer's powers; the chat is off unless switched on."""
from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from itsdangerous import URLSafeSerializer

from bot import i18n, web_inbox
from bot.clock import db_now
from bot.config import Settings
from bot.messages import Address, Reply
from bot.server import create_app
from storage.models import Member
from storage.repositories import members as members_repo

ROOT = Path(__file__).resolve().parents[2]


def _client(runtime) -> TestClient:  # noqa: ANN001
    runtime.settings.web_chat_enabled = True
    return TestClient(create_app(runtime=runtime, start_scheduler=False))


def _address(client: TestClient, runtime) -> str:  # noqa: ANN001
    secret = runtime.settings.secret_key.get_secret_value()
    return "web:" + URLSafeSerializer(secret, salt="khruakhai.webchat").loads(client.cookies["khruakhai_chat"])


def _texts(res) -> str:  # noqa: ANN001
    return "\n".join(r["text"] or "" for r in res.json()["replies"])


def test_web_chat_is_off_unless_switched_on(runtime) -> None:  # noqa: ANN001
    assert Settings(_env_file=None).web_chat_enabled is False
    with TestClient(create_app(runtime=runtime, start_scheduler=False)) as client:
        assert client.get("/").status_code == 404
        assert client.post("/chat/api/messages", json={"text": "สวัสดีค่ะ"}).status_code == 404
        assert client.get("/chat/api/inbox").status_code == 404
    run_recipe = (ROOT / "Makefile").read_text().split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert "WEB_CHAT_ENABLED=true" in run_recipe  # the demo of `make run` has it on


def test_a_web_user_is_a_random_id_in_a_signed_httponly_cookie(runtime) -> None:  # noqa: ANN001
    with _client(runtime) as client:
        page = client.get("/")
        cookie = page.headers["set-cookie"]
        assert "khruakhai_chat=" in cookie and "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
        me = _address(client, runtime)
        assert len(me) == len("web:") + 32
        # naming somebody is refused, with or without a cookie
        refused = client.post("/chat/api/messages", json={"user": "somsri", "text": "สวัสดีค่ะ"})
        assert refused.status_code == 422
        # a cookie not signed by the server is a new stranger, not the name inside it
        with TestClient(create_app(runtime=runtime, start_scheduler=False)) as other:
            forged = other.post("/chat/api/messages", json={"text": "สวัสดีค่ะ"},
                                headers={"cookie": "khruakhai_chat=somsri"})
            assert forged.status_code == 200
            stranger = _address(other, runtime)
            assert stranger not in ("web:somsri", me)
        with runtime.db.session() as session:
            assert members_repo.by_address(session, address="web:somsri") is None


def test_the_inbox_gives_only_the_cookies_own_messages(runtime) -> None:  # noqa: ANN001
    with _client(runtime) as client:
        client.get("/")
        me = _address(client, runtime)
        with runtime.db.session() as session:
            web_inbox.put(session, address="web:somsri", replies=[Reply(text="ของสมศรี")])
            web_inbox.put(session, address=me, replies=[Reply(text="ของฉัน")])
        got = client.get("/chat/api/inbox", params={"user": "somsri"}).json()["replies"]
        assert [r["text"] for r in got] == ["ของฉัน"]
        with TestClient(create_app(runtime=runtime, start_scheduler=False)) as no_cookie:
            assert no_cookie.get("/chat/api/inbox", params={"user": "somsri"}).json() == {"replies": []}
    with runtime.db.session() as session:
        left = web_inbox.take(session, address="web:somsri")
    assert [r.text for r in left] == ["ของสมศรี"]  # still waiting for somsri


def test_officer_powers_never_reach_the_browser(runtime) -> None:  # noqa: ANN001
    ask_text = i18n.t("broadcast.ask_text", "th")
    with runtime.db.session() as session:  # an officer of the terminal chat, as in the README's tour
        officer = members_repo.grant_officer(session, address=Address("web", "somsri"), province=None)
        officer.consent_at = db_now()
    with _client(runtime) as client:
        client.get("/")
        # a stranger cannot become somsri: their "ประกาศ" starts a sign-up, not a broadcast
        assert ask_text not in _texts(client.post("/chat/api/messages", json={"text": "ประกาศ"}))
        # even the browser's own identity, made an officer, gets no officer powers in the browser
        me = _address(client, runtime)
        with runtime.db.session() as session:
            member = members_repo.grant_officer(session, address=me, province=None)
            member.consent_at = db_now()
            member.full_name = "ทดลอง"
        client.post("/chat/api/messages", json={"text": "ยกเลิก"})  # out of the sign-up the stranger began
        assert ask_text not in _texts(client.post("/chat/api/messages", json={"text": "ประกาศ"}))
        res = client.post("/chat/api/messages", json={"postback": "go:broadcast"})
        assert i18n.t("engine.officers_only", "th") in _texts(res)
        menu = client.post("/chat/api/messages", json={"text": "เมนู"}).json()["replies"]
        labels = [c["label"] for r in menu for c in r["choices"]]
        assert i18n.t("menu.broadcast", "th") not in labels
    with runtime.db.session() as session:
        assert session.get(Member, officer.id).is_officer  # the terminal's officer keeps the role


@pytest.mark.skipif(__import__("tests.console.browser", fromlist=["x"]).chromium_missing() is not None,
                    reason="no chromium")
def test_the_chat_page_works_in_a_browser_under_its_policy(runtime) -> None:  # noqa: ANN001
    from tests.console.browser import AppServer, browser_page

    runtime.settings.web_chat_enabled = True
    violations: list[str] = []
    with AppServer(create_app(runtime=runtime, start_scheduler=False)) as server, browser_page() as page:
        page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
        page.goto(server.url + "/")
        page.fill("#text", "สวัสดีค่ะ")
        page.press("#text", "Enter")
        page.wait_for_selector(".msg.bot")
        assert "PDPA" in page.inner_text("#log")
        page.click(".choices button:has-text('ยินยอม')")
        page.wait_for_function("document.querySelectorAll('.msg.bot').length >= 2")
        assert "องค์กร" in page.inner_text("#log")
        cookies = {c["name"]: c for c in page.context.cookies()}
        assert cookies["khruakhai_chat"]["httpOnly"] is True
        assert page.evaluate("document.cookie") == ""  # the page's script cannot read who it is
    assert violations == []
