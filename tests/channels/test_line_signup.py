from __future__ import annotations

from tests.channels.helpers import LineUser, sign_up


def test_whole_signup_through_signed_line_webhooks(line_client, fake_line) -> None:  # noqa: ANN001
    client, channel = line_client
    user = LineUser(client, fake_line, channel)
    fake_line.set_profile(user.user_id, "สมศรี")
    user.follow()
    assert "ยินดีต้อนรับ" in user.text and "PDPA" in user.text, "follow gets a welcome"
    sign_up(user, first="")
    assert not fake_line.violations
    assert "ข้อมูลของฉัน" in [a.get("label") for a in user.actions]  # the main menu follows
