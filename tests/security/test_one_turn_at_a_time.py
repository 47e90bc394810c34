"""One member, one turn at a time, across processes: two real `khruakhai serve` processes on one PostgreSQL
database, a member's messages sent back to back to one and then the other (each as soon as the previous one
was acknowledged, not waiting for the answer): no apology, and each answer follows its message, in order.
Several members at once, so their turns overlap in both processes."""
from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx
import pytest

from bot import i18n
from tests.channels.helpers import LINE_SECRET, LINE_TOKEN
from tests.serve_process import ServeProcess
from tests.fakes import line_webhook as lw

# What a member types: a sign-up, each member with an organization of their own. The answer each message
# must get is what the same messages get one by one in this process (`_expected`).
ORGS = ["มูลนิธิรักษ์น้ำน่าน", "สมาคมผู้สูงอายุตราด", "ชมรมอาสาพัฒนาบ้านกร่าง", "กองทุนสวัสดิการชุมชนนาจาน"]


def _script(org: str) -> list[str]:
    return ["สวัสดีค่ะ", "ยินยอม", org, "ลงทะเบียนองค์กรใหม่", "องค์กรสาธารณประโยชน์", "น่าน", "อ.เมือง", "สมศรี ใจดี",
            "ประธาน", "081-234-5678", "ยืนยัน"]


def _expected(runtime, n: int, script: list[str]) -> list[str]:  # noqa: ANN001
    """A phrase of the answer to each message, sent one at a time through the engine (the last, "ยืนยัน",
    is not sent: it would register the organization the member is about to register)."""
    from tests.transcript import Chat

    chat, out = Chat(runtime, f"probe{n}"), []
    for text in script[:-1]:
        chat.say(text)
        last = chat.replies[-1]
        out.append((last.text or last.card.title).splitlines()[0][:25])  # type: ignore[union-attr]
    return out + ["ลงทะเบียนเรียบร้อยแล้ว"]


MEMBERS = len(ORGS)


class Serve(ServeProcess):
    def __init__(self, settings, fake, log: Path) -> None:  # noqa: ANN001
        super().__init__(log, dict(DATABASE_URL=settings.database_url, LINE_CHANNEL_SECRET=LINE_SECRET,
                                   LINE_CHANNEL_ACCESS_TOKEN=LINE_TOKEN, LINE_API_BASE_URL=fake.url,
                                   LINE_DATA_API_BASE_URL=fake.data_url), database_schema=settings.database_schema)


def test_a_members_back_to_back_messages_on_two_servers(settings, runtime, fake_line, tmp_path) -> None:  # noqa: ANN001
    if settings.database_url.startswith("sqlite"):
        pytest.skip("several server processes share a database on PostgreSQL (SQLite: one process)")
    scripts = [_script(org) for org in ORGS]
    expected = [_expected(runtime, n, script) for n, script in enumerate(scripts)]
    servers = [Serve(settings, fake_line, tmp_path / f"serve{i}.log") for i in range(2)]
    try:
        for s in servers:
            s.wait_ready()
        users = [lw.new_user_id() for _ in range(MEMBERS)]
        tokens: dict[str, list[str]] = {u: [] for u in users}
        failures: list[str] = []

        def member(uid: str, first: int, script: list[str]) -> None:
            with httpx.Client(timeout=30) as http:
                for i, text in enumerate(script):
                    token = fake_line.issue_reply_token(uid)
                    tokens[uid].append(token)
                    body, headers = lw.signed_request([lw.text_event(uid, text, reply_token=token)], LINE_SECRET)
                    res = http.post(servers[(first + i) % 2].url + "/webhooks/line", content=body, headers=headers)
                    if res.status_code != 200:
                        failures.append(f"{uid}: {res.status_code}")

        threads = [threading.Thread(target=member, args=(u, n % 2, scripts[n])) for n, u in enumerate(users)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        assert failures == []

        def answered() -> dict[str, str]:
            out = {}
            for call in fake_line.calls:
                body = call.get("body") or {}
                if call["operation"] == "replyMessage" and call["status"] == 200:
                    out[body["replyToken"]] = " ".join(lw_text(m) for m in body["messages"])
            return out

        deadline = time.monotonic() + 90
        while len(answered()) < sum(map(len, scripts)) and time.monotonic() < deadline:
            time.sleep(0.2)
        replies = answered()
        apology = i18n.t("engine.apology", "th", ref="").split("(")[0].strip()[:12]
        for n, uid in enumerate(users):
            got = [replies.get(token, "<no reply>") for token in tokens[uid]]
            assert not any(apology in g for g in got), got
            for text, phrase, reply in zip(scripts[n], expected[n], got):
                assert phrase in reply, (uid, text, phrase, reply[:200])
    finally:
        for s in servers:
            s.stop()


def lw_text(message: dict) -> str:
    from tests.channels.helpers import line_text

    return line_text(message)
