"""The fake LINE / Telegram servers, proven with the real SDK clients."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import httpx
import pytest

_ROOT = Path(__file__).resolve().parents[1]
if str(_ROOT) not in sys.path:  # until pytest's pythonpath includes the repo root
    sys.path.insert(0, str(_ROOT))

from linebot.v3.messaging import (  # noqa: E402
    ApiClient,
    AsyncApiClient,
    AsyncMessagingApi,
    Configuration,
    FlexBox,
    FlexBubble,
    FlexButton,
    FlexMessage,
    FlexText,
    MessageAction,
    MessagingApi,
    MessagingApiBlob,
    MulticastRequest,
    PostbackAction,
    PushMessageRequest,
    QuickReply,
    QuickReplyItem,
    ReplyMessageRequest,
    RichMenuArea,
    RichMenuBounds,
    RichMenuRequest,
    RichMenuSize,
    TextMessage,
)
from linebot.v3.messaging.exceptions import ApiException  # noqa: E402
from linebot.v3.webhook import WebhookParser  # noqa: E402
import telegram  # noqa: E402
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup  # noqa: E402
from telegram import error as tg_error  # noqa: E402

from tests.fakes import line_webhook as wh  # noqa: E402
from tests.fakes.fixtures import (  # noqa: E402,F401
    fake_line,
    fake_line_server,
    fake_telegram,
    fake_telegram_server,
)

U1 = "U" + "1" * 32
U2 = "U" + "2" * 32


@pytest.fixture
def line_api(fake_line):
    with ApiClient(Configuration(host=fake_line.url, access_token=fake_line.access_token)) as client:
        yield MessagingApi(client)


@pytest.fixture
def line_blob(fake_line):
    with ApiClient(Configuration(host=fake_line.data_url, access_token=fake_line.access_token)) as client:
        yield MessagingApiBlob(client)


def _expect_400(fn, fake) -> dict:
    fake.allow_violations()
    with pytest.raises(ApiException) as ei:
        fn()
    assert ei.value.status == 400, ei.value.body
    return json.loads(ei.value.body)


# ====================================================================== LINE: happy paths
def test_line_reply_push_multicast_recorded(fake_line, line_api):
    tok = fake_line.issue_reply_token(U1)
    qr = QuickReply(items=[QuickReplyItem(action=MessageAction(label=f"ตัวเลือก {i}", text=str(i)))
                           for i in range(13)])
    line_api.reply_message(ReplyMessageRequest(reply_token=tok, messages=[TextMessage(text="สวัสดี", quick_reply=qr)]))
    line_api.push_message(PushMessageRequest(to=U1, messages=[TextMessage(text="ก" * 5000)]),
                          x_line_retry_key=str(uuid.uuid4()))
    line_api.multicast(MulticastRequest(to=[U1, U2], messages=[TextMessage(text="ประกาศ")]),
                       x_line_retry_key=str(uuid.uuid4()))
    assert fake_line.violations == []
    assert fake_line.texts_to(U1) == ["สวัสดี", "ก" * 5000, "ประกาศ"]
    assert fake_line.texts_to(U2) == ["ประกาศ"]
    assert [c["operation"] for c in fake_line.calls] == ["replyMessage", "pushMessage", "multicast"]
    assert fake_line.calls[0]["body"]["messages"][0]["quickReply"]["items"][0]["type"] == "action"


async def test_line_async_client_push_and_flex(fake_line):
    bubble = FlexBubble(body=FlexBox(layout="vertical", contents=[
        FlexText(text="งานอบรม", weight="bold"),
        FlexButton(action=PostbackAction(label="ลงทะเบียนเข้าร่วมงานอบรมประจำปี", data="reg:1")),
    ]))
    async with AsyncApiClient(Configuration(host=fake_line.url, access_token=fake_line.access_token)) as c:
        api = AsyncMessagingApi(c)
        await api.push_message(PushMessageRequest(to=U1, messages=[FlexMessage(alt_text="งาน", contents=bubble)]))
    assert fake_line.violations == []
    assert fake_line.messages_to(U1)[0]["contents"]["body"]["contents"][1]["action"]["data"] == "reg:1"


def test_line_quota_profile_loading_content(fake_line, line_api, line_blob):
    fake_line.quota_limit = 1000
    fake_line.quota_used = 990
    fake_line.set_profile(U1, "สมหญิง")
    assert line_api.get_message_quota().value == 1000
    assert line_api.get_message_quota_consumption().total_usage == 990
    assert line_api.get_profile(U1).display_name == "สมหญิง"
    from linebot.v3.messaging import ShowLoadingAnimationRequest
    line_api.show_loading_animation(ShowLoadingAnimationRequest(chat_id=U1, loading_seconds=20))
    assert fake_line.loading[0]["chatId"] == U1
    fake_line.add_content("555", b"\xff\xd8\xff jpeg", "image/jpeg")
    assert line_blob.get_message_content("555") == b"\xff\xd8\xff jpeg"
    assert fake_line.violations == []


def test_line_quota_exhausted_answers_429(fake_line, line_api):
    fake_line.quota_limit = 1
    line_api.push_message(PushMessageRequest(to=U1, messages=[TextMessage(text="1")]))
    with pytest.raises(ApiException) as ei:
        line_api.push_message(PushMessageRequest(to=U1, messages=[TextMessage(text="2")]))
    assert ei.value.status == 429 and "monthly limit" in ei.value.body
    assert fake_line.texts_to(U1) == ["1"]


def test_line_rich_menu_flow(fake_line, line_api, line_blob):
    req = RichMenuRequest(size=RichMenuSize(width=2500, height=843), selected=True, name="main",
                          chat_bar_text="เมนู", areas=[RichMenuArea(
                              bounds=RichMenuBounds(x=0, y=0, width=1250, height=843),
                              action=PostbackAction(label="ข้อมูลของฉัน", data="menu:me"))])
    rid = line_api.create_rich_menu(req).rich_menu_id
    with pytest.raises(ApiException):  # no image yet
        line_api.set_default_rich_menu(rid)
    fake_line.allow_violations()
    line_blob.set_rich_menu_image(rid, body=b"\x89PNG fake", _headers={"Content-Type": "image/png"})
    line_api.set_default_rich_menu(rid)
    assert fake_line.default_richmenu == rid
    assert [m.rich_menu_id for m in line_api.get_rich_menu_list().richmenus] == [rid]
    line_api.delete_rich_menu(rid)
    assert fake_line.richmenus == {} and fake_line.default_richmenu is None


# ====================================================================== LINE: rejections
def test_line_rejects_text_over_5000(fake_line, line_api):
    body = _expect_400(lambda: line_api.push_message(
        PushMessageRequest(to=U1, messages=[TextMessage(text="ก" * 5001)])), fake_line)
    assert body["details"][0]["property"] == "messages[0].text"
    assert len(fake_line.violations) == 1 and fake_line.delivered == {}


def test_line_rejects_six_messages(fake_line, line_api):
    _expect_400(lambda: line_api.push_message(
        # the SDK's pydantic models refuse this client-side; construct() bypasses them to hit the fake
        PushMessageRequest.construct(to=U1, messages=[TextMessage(text=str(i)) for i in range(6)])), fake_line)
    assert fake_line.violations[0]["details"][0]["property"] == "messages"


def test_line_rejects_14_quick_replies(fake_line, line_api):
    qr = QuickReply.construct(items=[QuickReplyItem(action=MessageAction(label=str(i), text=str(i)))
                                     for i in range(14)])
    tok = fake_line.issue_reply_token(U1)
    _expect_400(lambda: line_api.reply_message(
        ReplyMessageRequest(reply_token=tok, messages=[TextMessage(text="เลือก", quick_reply=qr)])), fake_line)
    assert fake_line.violations[0]["details"][0]["property"] == "messages[0].quickReply.items"
    # the token was not consumed by the rejected request
    line_api.reply_message(ReplyMessageRequest(reply_token=tok, messages=[TextMessage(text="ok")]))
    assert fake_line.texts_to(U1) == ["ok"]


def test_line_rejects_21_char_action_label(fake_line, line_api):
    qr = QuickReply(items=[QuickReplyItem(action=MessageAction(label="ก" * 21, text="x"))])
    body = _expect_400(lambda: line_api.push_message(
        PushMessageRequest(to=U1, messages=[TextMessage(text="เลือก", quick_reply=qr)])), fake_line)
    assert body["details"][0]["property"] == "messages[0].quickReply.items[0].action.label"


def test_line_rejects_501_multicast_ids(fake_line, line_api):
    ids = ["U" + uuid.uuid4().hex for _ in range(501)]
    _expect_400(lambda: line_api.multicast(MulticastRequest.construct(to=ids, messages=[TextMessage(text="x")])),
                fake_line)
    assert fake_line.violations[0]["details"][0]["property"] == "to"
    assert fake_line.delivered == {}


def test_line_rejects_unknown_message_type_and_bad_flex(fake_line):
    fake_line.allow_violations()
    h = {"Authorization": f"Bearer {fake_line.access_token}"}
    r = httpx.post(f"{fake_line.url}/v2/bot/message/push", headers=h,
                   json={"to": U1, "messages": [{"type": "txt", "text": "x"}]})
    assert r.status_code == 400 and "details" in r.json()
    flex = {"type": "flex", "altText": "x", "contents": {"type": "bubble", "body": {
        "type": "box", "layout": "vertical", "contents": [{"type": "button", "action": {"type": "postback"}}]}}}
    r = httpx.post(f"{fake_line.url}/v2/bot/message/push", headers=h, json={"to": U1, "messages": [flex]})
    assert r.status_code == 400
    assert any("data" in d["message"] for d in r.json()["details"])  # PostbackAction.data required
    r = httpx.post(f"{fake_line.url}/v2/bot/message/push", headers={"Authorization": "Bearer wrong"},
                   json={"to": U1, "messages": [{"type": "text", "text": "x"}]})
    assert r.status_code == 401
    assert len(fake_line.violations) == 3


def test_line_wrong_host_is_a_violation(fake_line):
    fake_line.allow_violations()
    h = {"Authorization": f"Bearer {fake_line.access_token}"}
    assert httpx.get(f"{fake_line.url}/v2/bot/message/1/content", headers=h).status_code == 404
    assert httpx.get(f"{fake_line.data_url}/v2/bot/message/quota", headers=h).status_code == 404
    assert len(fake_line.violations) == 2


def test_line_retry_key_replay_409(fake_line, line_api):
    key = str(uuid.uuid4())
    req = PushMessageRequest(to=U1, messages=[TextMessage(text="เตือนความจำ")])
    first = line_api.push_message_with_http_info(req, x_line_retry_key=key)
    with pytest.raises(ApiException) as ei:
        line_api.push_message(req, x_line_retry_key=key)
    assert ei.value.status == 409
    assert ei.value.headers["x-line-accepted-request-id"] == first.headers["x-line-request-id"]
    assert fake_line.texts_to(U1) == ["เตือนความจำ"]
    fake_line.advance_time(24 * 3600 + 1)  # keys are remembered for 24 h
    line_api.push_message(req, x_line_retry_key=key)
    assert len(fake_line.texts_to(U1)) == 2
    assert fake_line.violations == []


def test_line_retry_key_must_be_uuid(fake_line, line_api):
    _expect_400(lambda: line_api.push_message(PushMessageRequest(to=U1, messages=[TextMessage(text="x")]),
                                              x_line_retry_key="not-a-uuid"), fake_line)
    assert "Retry-Key" in fake_line.violations[0]["message"]


def test_line_reply_token_single_use_and_expiry(fake_line, line_api):
    tok = fake_line.issue_reply_token(U1)
    line_api.reply_message(ReplyMessageRequest(reply_token=tok, messages=[TextMessage(text="1")]))
    body = _expect_400(lambda: line_api.reply_message(
        ReplyMessageRequest(reply_token=tok, messages=[TextMessage(text="2")])), fake_line)
    assert body == {"message": "Invalid reply token"}
    tok2 = fake_line.issue_reply_token(U1)
    fake_line.advance_time(61)
    _expect_400(lambda: line_api.reply_message(
        ReplyMessageRequest(reply_token=tok2, messages=[TextMessage(text="3")])), fake_line)
    _expect_400(lambda: line_api.reply_message(
        ReplyMessageRequest(reply_token="never-issued", messages=[TextMessage(text="4")])), fake_line)
    assert fake_line.texts_to(U1) == ["1"]
    assert [v["message"] for v in fake_line.violations] == [
        "Invalid reply token (already used)", "Invalid reply token (expired)", "Invalid reply token (unknown)"]


def test_line_rate_limit_429_without_retry_after(fake_line, line_api):
    fake_line.set_rate_limits({"multicast": (1.0, 1.0)})
    req = MulticastRequest(to=[U1], messages=[TextMessage(text="x")])
    line_api.multicast(req)
    with pytest.raises(ApiException) as ei:
        line_api.multicast(req)
    assert ei.value.status == 429
    assert "retry-after" not in {k.lower() for k in ei.value.headers}
    assert json.loads(ei.value.body) == {"message": "The API rate limit has been exceeded. Try again later."}
    assert len(fake_line.texts_to(U1)) == 1 and fake_line.violations == []


def test_line_fault_injection_is_deterministic(fake_line, line_api):
    def run() -> list[int]:
        out = []
        for i in range(30):
            try:
                line_api.push_message(PushMessageRequest(to=U1, messages=[TextMessage(text=str(i))]))
                out.append(200)
            except ApiException as e:
                out.append(e.status)
        return out

    from tests.fakes.common import Faults
    fake_line.faults = Faults(fail_429=0.2, fail_500=0.2, seed=7)
    a = run()
    delivered = len(fake_line.texts_to(U1))
    fake_line.faults.reset()
    assert run() == a
    assert {429, 500, 200} <= set(a) and delivered == a.count(200)


def test_line_accept_then_500_then_retry_gets_409(fake_line, line_api):
    from tests.fakes.common import Faults
    fake_line.faults = Faults(accept_then_500=1.0)
    key = str(uuid.uuid4())
    req = PushMessageRequest(to=U1, messages=[TextMessage(text="once")])
    with pytest.raises(ApiException) as ei:
        line_api.push_message(req, x_line_retry_key=key)
    assert ei.value.status == 500
    fake_line.faults = Faults()
    with pytest.raises(ApiException) as ei:
        line_api.push_message(req, x_line_retry_key=key)
    assert ei.value.status == 409
    assert fake_line.texts_to(U1) == ["once"]


def test_line_blocked_user(fake_line, line_api):
    fake_line.block(U2)
    line_api.multicast(MulticastRequest(to=[U1, U2], messages=[TextMessage(text="x")]))
    line_api.push_message(PushMessageRequest(to=U2, messages=[TextMessage(text="y")]))
    assert fake_line.texts_to(U1) == ["x"] and fake_line.texts_to(U2) == []
    assert len(fake_line.undelivered) == 2


# ====================================================================== LINE: separate process
def test_line_server_as_separate_process():
    env = {**os.environ, "PYTHONPATH": str(_ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "tests.fakes.server", "line", "--port", "0",
                             "--rate-limits", "--fail-500", "0.0"],
                            cwd=_ROOT, env=env, stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert line.startswith("READY "), line
        url = line.split()[1]
        h = {"Authorization": "Bearer test-line-access-token"}
        tok = httpx.post(f"{url}/__fake/reply-token", json={"to": U1}).json()["replyToken"]
        r = httpx.post(f"{url}/v2/bot/message/reply", headers=h,
                       json={"replyToken": tok, "messages": [{"type": "text", "text": "hi"}]})
        assert r.status_code == 200, r.text
        state = httpx.get(f"{url}/__fake/state").json()
        assert state["delivered_counts"] == {U1: 1} and state["violations"] == []
        d = httpx.get(f"{url}/__fake/deliveries", params={"since": 0}).json()
        assert d["next"] == 1 and d["items"][0]["to"] == U1
    finally:
        proc.terminate()
        proc.wait(timeout=5)


# ====================================================================== Telegram
@pytest.fixture
async def bot(fake_telegram):
    async with Bot(fake_telegram.token, base_url=fake_telegram.base_url,
                   base_file_url=fake_telegram.base_file_url) as b:
        yield b


async def test_tg_send_message_with_inline_keyboard(fake_telegram, bot):
    kb = InlineKeyboardMarkup([[InlineKeyboardButton("ใช่", callback_data="yes"),
                                InlineKeyboardButton("ไม่", callback_data="no")]])
    msg = await bot.send_message(42, "<b>ยืนยัน</b> การลงทะเบียน?", parse_mode="HTML", reply_markup=kb)
    assert msg.message_id > 0 and msg.chat.id == 42 and msg.reply_markup == kb
    await bot.edit_message_reply_markup(42, msg.message_id, reply_markup=None)
    await bot.answer_callback_query("123", text="บันทึกแล้ว")
    await bot.send_chat_action(42, "typing")
    await bot.set_my_commands([("start", "เริ่ม"), ("menu", "เมนู")])
    assert fake_telegram.violations == []
    assert fake_telegram.texts_to(42) == ["<b>ยืนยัน</b> การลงทะเบียน?"]
    call = fake_telegram.calls_to("sendMessage")[0]
    assert call["form"] and call["content_type"] == "application/x-www-form-urlencoded"
    assert [c["method"] for c in fake_telegram.calls][:1] == ["getMe"]


async def test_tg_callback_data_over_64_bytes(fake_telegram, bot):
    fake_telegram.allow_violations()
    kb = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="ก" * 22)]])  # 66 UTF-8 bytes
    with pytest.raises(tg_error.BadRequest):
        await bot.send_message(42, "เลือก", reply_markup=kb)
    assert "callback_data" in fake_telegram.violations[0]["description"]
    assert fake_telegram.delivered == {}


async def test_tg_text_rules(fake_telegram, bot):
    fake_telegram.allow_violations()
    with pytest.raises(tg_error.BadRequest):
        await bot.send_message(42, "x" * 4097)
    await bot.send_message(42, "x" * 4096)
    with pytest.raises(tg_error.BadRequest, match="parse entities"):
        await bot.send_message(42, "ราคา 5 < 10 <บาท>", parse_mode="HTML")
    with pytest.raises(tg_error.BadRequest, match="reserved"):
        await bot.send_message(42, "สวัสดี. ครับ", parse_mode="MarkdownV2")
    await bot.send_message(42, "สวัสดี\\. *ครับ*", parse_mode="MarkdownV2")
    assert len(fake_telegram.violations) == 3 and len(fake_telegram.texts_to(42)) == 2


async def test_tg_rate_limit_raises_retry_after(fake_telegram, bot):
    fake_telegram.rate_limits = True
    await bot.send_message(42, "1")
    with pytest.raises(tg_error.RetryAfter) as ei:
        await bot.send_message(42, "2")  # > 1 message/s in one chat
    ra = ei.value.retry_after
    assert (ra if isinstance(ra, int) else ra.total_seconds()) >= 1
    await bot.send_message(43, "other chat is fine")
    assert fake_telegram.violations == []


async def test_tg_sending_before_retry_after_is_a_violation(fake_telegram, bot):
    from tests.fakes.common import Faults

    fake_telegram.faults = Faults(fail_429=1.0)
    with pytest.raises(tg_error.RetryAfter):
        await bot.send_message(42, "1")
    fake_telegram.faults = Faults()
    with pytest.raises(tg_error.RetryAfter):
        await bot.send_message(42, "2")  # at once: Telegram says wait, and the fake records it
    await bot.send_message(43, "another chat is not held")
    assert [v["kind"] for v in fake_telegram.violations] == ["retry_after"]
    assert fake_telegram.texts_to(42) == []
    fake_telegram.allow_violations("retry_after")


async def test_tg_global_rate_limit(fake_telegram, bot):
    fake_telegram.rate_limits = True
    fake_telegram.reset()
    import math
    import time

    codes = []
    started = time.monotonic()
    for i in range(60):
        try:
            await bot.send_message(1000 + i, "x")
            codes.append(200)
        except tg_error.RetryAfter:
            codes.append(429)
    elapsed = time.monotonic() - started
    # A burst of 30, then the bucket refills at 30/s while we send: on a slow machine a few more pass.
    assert 30 <= codes.count(200) <= 30 + math.ceil(30 * elapsed) + 1
    assert 429 in codes


async def test_tg_blocked_is_forbidden(fake_telegram, bot):
    fake_telegram.block(42)
    with pytest.raises(tg_error.Forbidden, match="blocked"):
        await bot.send_message(42, "สวัสดี")
    assert fake_telegram.violations == []


async def test_tg_edit_errors_and_not_modified(fake_telegram, bot):
    msg = await bot.send_message(42, "a")
    with pytest.raises(tg_error.BadRequest, match="not modified"):
        await bot.edit_message_text("a", chat_id=42, message_id=msg.message_id)
    with pytest.raises(tg_error.BadRequest, match="not found"):
        await bot.edit_message_text("b", chat_id=42, message_id=999999)
    edited = await bot.edit_message_text("b", chat_id=42, message_id=msg.message_id)
    assert edited.text == "b" and fake_telegram.violations == []


async def test_tg_get_updates_long_poll_and_webhook(fake_telegram, bot):
    fake_telegram.queue_update(wh.tg_start_update(42, "ABC123", update_id=10))
    ups = await bot.get_updates(offset=0, timeout=0)
    assert ups[0].message.text == "/start ABC123" and ups[0].message.entities[0].type == "bot_command"

    def waiting() -> list[dict]:
        return [c for c in fake_telegram.calls if c["method"] == "getUpdates" and c["status"] is None
                and (c.get("params") or {}).get("timeout") == 5]

    def later():  # the update arrives while the long poll is held open, not before
        deadline = time.monotonic() + 10
        while not waiting() and time.monotonic() < deadline:
            time.sleep(0.005)
        fake_telegram.queue_update(wh.tg_callback_update(42, "choice:1", update_id=11))

    threading.Thread(target=later).start()
    ups = await bot.get_updates(offset=11, timeout=5)
    assert [u.update_id for u in ups] == [11] and ups[0].callback_query.data == "choice:1"
    [poll] = [c for c in fake_telegram.calls if c["method"] == "getUpdates" and (c.get("params") or {}).get("timeout") == 5]
    assert poll["status"] == 200  # one call, held open until the update came

    await bot.set_webhook("https://bot.example.org/webhooks/telegram", secret_token="s3cret_token")
    info = await bot.get_webhook_info()
    assert info.url == "https://bot.example.org/webhooks/telegram"
    with pytest.raises(tg_error.Conflict):
        await bot.get_updates(timeout=0)
    await bot.delete_webhook()
    assert fake_telegram.violations == []


async def test_tg_get_file_download(fake_telegram, bot):
    fid = fake_telegram.add_file(b"\xff\xd8photo")
    f = await bot.get_file(fid)
    assert bytes(await f.download_as_bytearray()) == b"\xff\xd8photo"


async def test_tg_raw_requests(fake_telegram):
    fake_telegram.allow_violations()
    base = f"{fake_telegram.url}/bot{fake_telegram.token}"
    r = httpx.post(f"{fake_telegram.url}/bot1:wrong/getMe")
    assert r.status_code == 401 and r.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    r = httpx.post(f"{base}/sendMesage", json={"chat_id": 1, "text": "x"})
    assert r.status_code == 404
    r = httpx.post(f"{base}/sendMessage", json={"chat_id": 1, "text": "x", "colour": "red"})
    assert r.status_code == 400 and "colour" in r.json()["description"]
    r = httpx.post(f"{base}/sendMessage", json={"chat_id": 1, "text": "x", "reply_markup": {
        "inline_keyboard": [[{"text": "a", "callback_data": "1", "url": "https://x.org"}]]}})
    assert r.status_code == 400 and "exactly one" in r.json()["description"]
    r = httpx.post(f"{base}/sendMessage", json={"chat_id": 1, "text": "ok", "reply_markup": {
        "inline_keyboard": [[{"text": "a", "callback_data": "1"}]]}})
    assert r.status_code == 200 and r.json()["result"]["reply_markup"]["inline_keyboard"][0][0]["text"] == "a"
    r = httpx.post(f"{base}/sendMessage", data={"chat_id": "1", "text": "x", "disable_notification": "maybe"})
    assert r.status_code == 400
    r = httpx.post(f"{base}/setMyCommands", json={"commands": [{"command": "Start", "description": "x"}]})
    assert r.status_code == 400
    assert len(fake_telegram.violations) == 6


# ====================================================================== webhook builders
def test_line_webhook_builders_validate_and_parse_with_sdk():
    u, g = wh.new_user_id(), wh.new_group_id()
    events = [wh.text_event(u, "สวัสดี"), wh.image_event(u), wh.sticker_event(u), wh.location_event(u),
              wh.postback_event(u, "action=reg&id=1", params={"date": "2025-03-01"}),
              wh.follow_event(u), wh.follow_event(u, is_unblocked=True), wh.unfollow_event(u),
              wh.join_event(g), wh.leave_event(g), wh.text_event(u, "ในกลุ่ม", group_id=g, redelivery=True)]
    raw, headers = wh.signed_request(events, "secret")
    parsed = WebhookParser("secret").parse(raw.decode("utf-8"), headers["X-Line-Signature"])
    assert [type(e).__name__ for e in parsed] == [
        "MessageEvent", "MessageEvent", "MessageEvent", "MessageEvent", "PostbackEvent", "FollowEvent",
        "FollowEvent", "UnfollowEvent", "JoinEvent", "LeaveEvent", "MessageEvent"]
    assert parsed[0].message.text == "สวัสดี" and parsed[-1].delivery_context.is_redelivery is True
    assert len({e.webhook_event_id for e in parsed}) == len(parsed)
    assert wh.validate_webhook(wh.callback_body([])) == []  # LINE's verification call


def test_line_webhook_corrupted_fails():
    u = wh.new_user_id()
    ev = wh.text_event(u, "x")
    del ev["webhookEventId"]
    ev["mode"] = "sleeping"
    ev["message"]["type"] = "txt"
    errs = wh.validate_webhook(wh.callback_body([ev], destination="bot"))
    props = {e["property"] for e in errs}
    assert {"destination", "events[0]", "events[0].mode", "events[0].message.type"} <= props
    with pytest.raises(AssertionError):
        wh.signed_request([ev], "secret")
    ev2 = wh.follow_event(u)
    ev2["deliveryContext"] = {}
    assert wh.validate_webhook(wh.callback_body([ev2]))


def test_line_signature_matches_sdk():
    from linebot.v3.exceptions import InvalidSignatureError
    raw, headers = wh.signed_request([wh.text_event(wh.new_user_id(), "ก")], "s1")
    with pytest.raises(InvalidSignatureError):
        WebhookParser("s2").parse(raw.decode(), headers["X-Line-Signature"])


def test_tg_update_builders_validate_and_parse():
    b = Bot("123456789:TEST")
    for upd in (wh.tg_text_update(42, "สวัสดี"), wh.tg_start_update(42, "XYZ"),
                wh.tg_callback_update(42, "c:1"), wh.tg_text_update(-1001234, "hi", user_id=7)):
        assert wh.validate_tg_update(upd) == [], upd
        assert telegram.Update.de_json(upd, b).update_id == upd["update_id"]
    bad = wh.tg_text_update(42, "x")
    bad["message"]["chat"]["id"] = "forty-two"
    bad["message"]["colour"] = 1
    errs = wh.validate_tg_update(bad)
    assert any("chat.id" in e for e in errs) and any("colour" in e for e in errs)
    assert wh.validate_tg_update({"update_id": 1})


def test_line_allow_violations_by_kind(fake_line, line_api):
    """A test of the push fallback excuses only reply-token violations; anything else still fails."""
    fake_line.allow_violations("reply_token")
    tok = fake_line.issue_reply_token(U1)
    fake_line.advance_time(55)
    line_api.reply_message(ReplyMessageRequest(reply_token=tok, messages=[TextMessage(text="fresh")]))
    fake_line.advance_time(10)
    tok2 = fake_line.issue_reply_token(U1, ttl=1)
    fake_line.advance_time(2)
    with pytest.raises(ApiException):
        line_api.reply_message(ReplyMessageRequest(reply_token=tok2, messages=[TextMessage(text="late")]))
    line_api.push_message(PushMessageRequest(to=U1, messages=[TextMessage(text="late")]))
    assert fake_line.texts_to(U1) == ["fresh", "late"]
    assert fake_line.unexpected_violations() == [] and len(fake_line.violations) == 1
    with pytest.raises(ApiException):
        line_api.push_message(PushMessageRequest.construct(to="nobody", messages=[TextMessage(text="x")]))
    assert [v["kind"] for v in fake_line.unexpected_violations()] == ["recipient"]
    fake_line.allow_violations()


async def test_tg_uploads_multipart(fake_telegram, bot):
    import io
    from telegram import InputMediaPhoto
    p = await bot.send_photo(42, photo=io.BytesIO(b"\xff\xd8jpg"), caption="ใบเสร็จ")
    assert fake_telegram.calls_to("sendPhoto")[0]["content_type"].startswith("multipart/form-data")
    f = await bot.get_file(p.photo[-1].file_id)
    assert bytes(await f.download_as_bytearray()) == b"\xff\xd8jpg"
    msgs = await bot.send_media_group(42, [InputMediaPhoto(io.BytesIO(b"a")), InputMediaPhoto(io.BytesIO(b"b"))])
    assert len(msgs) == 2 and fake_telegram.violations == []
