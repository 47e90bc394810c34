"""Buttons too long for LINE are cut at the end of a Thai word, with "…", never mid-word."""
from __future__ import annotations

from pythainlp.tokenize import word_tokenize

from bot.labels import shorten
from tests.events.helpers import add_member, make_event

LONG = "อบรมเชิงปฏิบัติการการจัดทำแผนพัฒนาองค์กรสวัสดิการชุมชน"


def _whole_words(label: str, full: str) -> bool:
    """`label` (without its "…") is the first few words of `full`, as PyThaiNLP splits it."""
    head, words, built = label.removesuffix("…"), word_tokenize(full, engine="newmm", keep_whitespace=True), ""
    for word in words:
        if built == head:
            return True
        built += word
    return built == head


def test_an_event_button_is_cut_at_a_word_with_an_ellipsis(runtime, new_chat) -> None:  # noqa: ANN001
    add_member(runtime, "somsri")
    make_event(runtime, title=LONG)
    chat = new_chat("somsri")
    chat.say("อบรม")
    (label,) = [x for x in chat.labels if x.startswith("1.")]
    assert label.endswith("…") and len(label) <= 20
    assert _whole_words(label, "1. " + LONG), label


def test_the_helper_keeps_short_labels_and_cuts_long_ones_at_words() -> None:
    assert shorten("สมาคมผู้สูงอายุ") == "สมาคมผู้สูงอายุ"
    assert shorten("ตัวฉันเอง (นางสมศรี ใจดี)") == "ตัวฉันเอง (นางสมศรี…"
    cut = shorten(LONG, 40)
    assert cut.endswith("…") and len(cut) <= 40 and _whole_words(cut, LONG)
