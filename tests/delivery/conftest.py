"""Fixtures for delivery tests: a runtime wired to the fake LINE and Telegram servers, and members."""
from __future__ import annotations

import uuid

import pytest

from bot.config import Settings
from bot.config import DeliveryConfig
from bot.runtime import Runtime
from bot.wiring import build
from storage.models import Member, MemberIdentity, Organization


# Telegram allows one message a second per chat; the tests configure the bot for one per 0.2 s (and
# the fake, where a test turns its limits on, for one per 0.1 s) so that several parts to one chat take
# a fraction of a second, with a margin for a busy machine's jitter.
PER_CHAT_GAP = 0.1


@pytest.fixture
def cfg() -> DeliveryConfig:
    # fast inline retries so fault-injection tests stay quick
    return DeliveryConfig(_env_file=None, retry_base_seconds=0.02, retry_cap_seconds=0.1,
                          reschedule_base_seconds=0.0, reschedule_cap_seconds=0.0, lease_seconds=30,
                          telegram_chat_interval=2 * PER_CHAT_GAP)


@pytest.fixture
def wired_settings(database_url, fake_line, fake_telegram) -> Settings:  # noqa: ANN001
    url, schema = database_url
    return Settings(_env_file=None, database_url=url, database_schema=schema, scheduler_enabled=False,
                    line_channel_secret="test-line-channel-secret",
                    line_channel_access_token=fake_line.access_token, line_api_base_url=fake_line.url,
                    line_data_api_base_url=fake_line.data_url,
                    telegram_bot_token=fake_telegram.token, telegram_api_base_url=fake_telegram.url)


@pytest.fixture
def wired(wired_settings: Settings, clock) -> Runtime:  # noqa: ANN001
    rt = build(wired_settings, clock=clock)
    yield rt
    rt.db.dispose()


def line_id(n: int) -> str:
    return "U" + uuid.UUID(int=n + 1).hex


def add_members(rt: Runtime, n: int, *, province: str = "น่าน", kind: str = "public_benefit",
                channel: str = "line", start: int = 0, opt_out: bool = False) -> list[str]:
    """`n` signed-up members, one organization each; returns their addresses."""
    addresses = []
    with rt.db.session() as s:
        orgs = [Organization(name=f"องค์กร {start + i}", name_key=f"k{start + i}", kind=kind, province=province)
                for i in range(n)]
        s.add_all(orgs)
        s.flush()
        members = [Member(organization_id=o.id, full_name=f"สมาชิก {start + i}", consent_at=rt.clock.now(),
                          announcements_opt_out=opt_out) for i, o in enumerate(orgs)]
        s.add_all(members)
        s.flush()
        for i, m in enumerate(members):
            k = start + i
            user = line_id(k) if channel == "line" else str(100000 + k) if channel == "telegram" else f"user{k}"
            address = f"{channel}:{user}"
            s.add(MemberIdentity(member_id=m.id, address=address, channel=channel))
            addresses.append(address)
    return addresses


def on_real_time(rt: Runtime) -> None:
    """Let `rt` run on the real clock (the scheduler, the CLI) with no quiet hours, so what a test sees does
    not depend on the hour it runs at (21:00–07:00 in Bangkok would hold every message until morning)."""
    rt.clock.set(None)
    rt.settings.quiet_hours_start = rt.settings.quiet_hours_end = 0  # equal: no quiet hours
