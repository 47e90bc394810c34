"""Menus joined to a reply's own buttons offer each action once (the issue saw "การลงทะเบียนของฉัน" twice)."""
from __future__ import annotations

import pytest


@pytest.mark.parametrize("said", ["การลงทะเบียนของฉัน", "อบรม"])
def test_a_reply_offers_each_action_once(chat, seeded, said) -> None:  # noqa: ANN001
    """A menu joined to a reply's own buttons: "การลงทะเบียนของฉัน" (or any action) is offered once."""
    chat.say(said)
    values = [c.value for c in chat.choices]
    assert values and len(values) == len(set(values)), chat.labels
    assert chat.labels.count("การลงทะเบียนของฉัน") <= 1
