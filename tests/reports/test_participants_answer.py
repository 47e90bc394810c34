"""The participants question reads the answer the way members give it: the total after a breakdown, the
people who came rather than the speakers."""
from __future__ import annotations

import pytest

from tests.reports.helpers import member


@pytest.mark.parametrize(("answer", "shown"), [
    ("ชาย 12 หญิง 30 รวม 42 คน", "42 คน"),
    ("วิทยากร 2 ท่าน ผู้เข้าอบรม 40 คนค่ะ", "40 คน"),
    ("สามสิบห้าคน", "35 คน"),
])
def test_the_participants_answer_is_the_total_of_those_who_came(new_chat, answer: str, shown: str) -> None:  # noqa: ANN001
    chat = member(new_chat, "boonmee", "ชมรมผู้สูงอายุบ้านนา")
    chat.say("ส่งรายงาน")
    chat.say("อบรมอาสาสมัครดูแลผู้สูงอายุ เมื่อ 3 พ.ย. 68 ใช้งบ 5,000 บาท จาก อบต.")
    assert "มีผู้เข้าร่วมกี่คน" in chat.text
    chat.say(answer)
    if "ส่งรูปกิจกรรม" in chat.text:
        chat.tap("ไม่มีรูป")
    rows = {f.label: f.value for f in chat.card.fields}
    assert rows["ผู้เข้าร่วม"] == shown
