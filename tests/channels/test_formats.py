"""Reply → LINE / Telegram message conversion, checked against the platforms' specs."""
from __future__ import annotations

from bot.channels.line_format import chunk_messages, shorten, to_line_messages
from bot.channels.telegram_format import split_text, to_telegram_messages
from bot.messages import Card, CardField, Choice, Reply
from tests.fakes.spec import line_context_checks, line_messaging_spec, telegram_spec


def _line_errors(chunk: list[dict]) -> list:
    body = {"to": "U" + "0" * 32, "messages": chunk}
    return line_messaging_spec().validate("PushMessageRequest", body) + line_context_checks(body)


def _tg_errors(message: dict) -> list[str]:
    import json

    params = {"chat_id": 1, **{k: (json.dumps(v) if isinstance(v, dict) else v) for k, v in message.items()}}
    return telegram_spec().check_method("sendMessage", params, True)[1]


CARD = Card(title="อบรมผู้บริหาร <รุ่น ๔> & สัมมนา", text="ณ โรงแรม \"ท็อปแลนด์\"",
            fields=tuple(CardField(f"หัวข้อ {i}", "ค่า " * 5) for i in range(6)) + (CardField("ว่าง", ""),),
            buttons=(Choice("ลงทะเบียนเข้าร่วมอบรมหลักสูตรผู้บริหารองค์กร", "go:event.register:12"),
                     Choice("ยกเลิก", "go:event.cancel:12")),
            image_url="https://example.org/x.jpg", link_url="https://example.org/event/12")


def test_line_messages_are_valid_and_limited() -> None:
    choices = tuple(Choice(f"{i}. มูลนิธิเพื่อการพัฒนาเด็กและเยาวชนจังหวัดพิษณุโลก", f"org:{i}") for i in range(13))
    replies = [Reply(text="ก" * 12_001, choices=choices), Reply(text="สรุป", card=CARD, choices=choices[:2])]
    messages = to_line_messages(replies)
    assert [m["type"] for m in messages] == ["text", "text", "text", "text", "flex"]
    assert all(len(m["text"]) <= 5000 for m in messages if m["type"] == "text")
    items = messages[2]["quickReply"]["items"]
    assert len(items) == 13
    assert all(len(i["action"]["label"]) <= 20 for i in items)
    assert items[0]["action"]["label"].endswith("…")
    assert items[0]["action"]["displayText"].startswith("0. มูลนิธิเพื่อการพัฒนาเด็ก")
    chunks = chunk_messages(messages)
    assert [len(c) for c in chunks] == [5]
    for chunk in chunks:
        assert _line_errors(chunk) == []


def test_chunks_keep_the_quick_reply_on_their_last_message() -> None:
    messages = to_line_messages([Reply(text=f"m{i}", choices=(Choice("ใช่", "yes"),)) for i in range(7)])
    chunks = chunk_messages(messages)
    assert [len(c) for c in chunks] == [5, 2]
    for chunk in chunks:
        assert "quickReply" in chunk[-1] and all("quickReply" not in m for m in chunk[:-1])


def test_shorten_is_sensible_for_thai_and_english() -> None:
    assert shorten("สมาคมผู้สูงอายุ") == "สมาคมผู้สูงอายุ"
    cut = shorten("ข้อมูลของฉันทั้งหมดที่นี่นะคะ")
    assert len(cut) <= 20 and cut.endswith("…")
    assert shorten("Register for the training course now") == "Register for the…"
    # never leave a dangling vowel or tone mark at the cut
    import unicodedata

    for text in ("กิ่งก้านสาขาเครือข่ายที่ยั่งยืนมั่นคง", "เเเเเเเเเเเเเเเเเเเเเเเ", "ก" + "่" * 30):
        out = shorten(text)
        assert len(out) <= 20
        assert not unicodedata.category(out[0]).startswith("M")


def test_telegram_messages_are_valid_html_and_keyboards() -> None:
    choices = tuple(Choice(f"ค้นหา {i} " + "มูลนิธิ" * 5, "ค้นหา " + "มูลนิธิ" * 10) for i in range(3))
    replies = [Reply(text="x" * 9000, choices=choices), Reply(text="<b>not bold</b>", card=CARD)]
    messages = to_telegram_messages(replies)
    assert len(messages) == 5
    for m in messages:
        assert _tg_errors(m) == [], m
    assert "reply_markup" in messages[2] and "reply_markup" not in messages[0]
    card = messages[4]
    assert card["parse_mode"] == "HTML" and "&lt;รุ่น ๔&gt; &amp;" in card["text"]
    assert "parse_mode" not in messages[3]  # plain text is sent as is
    rows = card["reply_markup"]["inline_keyboard"]
    assert rows[-1][0]["url"] == "https://example.org/event/12"


def test_split_text_prefers_boundaries() -> None:
    text = ("บรรทัด " * 50 + "\n") * 40
    parts = split_text(text, 1000)
    assert all(len(p) <= 1000 for p in parts)
    assert "".join(parts).replace("\n", "").replace(" ", "") == text.replace("\n", "").replace(" ", "")


def test_telegram_keyboard_shows_a_button_once_when_card_and_choices_both_offer_it() -> None:
    from bot.channels.telegram_format import to_telegram_messages
    from bot.messages import Card, CardField, Choice, Reply

    edit, menu = Choice("แก้ไขข้อมูล", "go:profile.edit"), Choice("เมนู", "menu")
    reply = Reply(card=Card(title="ข้อมูลของฉัน", fields=(CardField("ชื่อ", "สมศรี"),), buttons=(edit,)),
                  choices=(edit, menu))
    msg = to_telegram_messages([reply])[-1]
    labels = [b["text"] for row in msg["reply_markup"]["inline_keyboard"] for b in row]
    assert labels == ["แก้ไขข้อมูล", "เมนู"]
