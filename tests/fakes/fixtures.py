"""pytest fixtures for the fake platform servers.

Import them into ``tests/conftest.py``::

    from tests.fakes.fixtures import fake_line, fake_line_server, fake_telegram, fake_telegram_server  # noqa: F401

``fake_line`` / ``fake_telegram`` (function scope) yield a :class:`FakeLine` / :class:`FakeTelegram`
already served on 127.0.0.1 (one server per test session, ``reset()`` before each test).  At teardown a
test fails if the fake recorded a spec violation, unless the test called ``fake.allow_violations()``
(for tests that send invalid requests on purpose).
"""

from __future__ import annotations

from typing import Iterator

import pytest

from .common import Faults
from .line_api import FakeLine
from .server import ThreadedServer
from .telegram_api import FakeTelegram


def _check(fake, name: str) -> None:
    bad = fake.unexpected_violations()
    if bad:
        lines = "\n".join(f"  - {v}" for v in bad[:10])
        pytest.fail(f"{name} recorded {len(bad)} request(s) the real platform would reject "
                    f"(call fake.allow_violations(kind) if intended):\n{lines}", pytrace=False)


@pytest.fixture(scope="session")
def fake_line_server() -> Iterator[FakeLine]:
    fake = FakeLine()
    srv = ThreadedServer(fake).start()
    try:
        yield fake
    finally:
        srv.stop()


@pytest.fixture
def fake_line(fake_line_server: FakeLine) -> Iterator[FakeLine]:
    fake_line_server.set_rate_limits(False)
    fake_line_server.faults = Faults()
    fake_line_server.reply_token_ttl = 60.0
    fake_line_server.quota_limit = None
    fake_line_server._initial_quota_used = 0
    fake_line_server.followers = 0
    fake_line_server.reset()
    yield fake_line_server
    _check(fake_line_server, "fake LINE API")


@pytest.fixture(scope="session")
def fake_telegram_server() -> Iterator[FakeTelegram]:
    fake = FakeTelegram()
    srv = ThreadedServer(fake).start()
    try:
        yield fake
    finally:
        srv.stop()


@pytest.fixture
def fake_telegram(fake_telegram_server: FakeTelegram) -> Iterator[FakeTelegram]:
    fake_telegram_server.rate_limits = False
    fake_telegram_server.faults = Faults()
    fake_telegram_server.fixed_retry_after = None
    fake_telegram_server.per_chat_rate = 1.0
    fake_telegram_server.per_chat_burst = 1.0
    fake_telegram_server.reset()
    yield fake_telegram_server
    _check(fake_telegram_server, "fake Telegram API")
