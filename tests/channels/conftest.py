from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from bot.config import Settings
from bot.wiring import build
from bot.server import create_app
from tests.channels.helpers import LINE_SECRET, LINE_TOKEN, TG_SECRET, TG_TOKEN


@pytest.fixture
def channel_settings(settings: Settings, fake_line, fake_telegram) -> Settings:  # noqa: ANN001
    return settings.model_copy(update={
        "line_channel_secret": __import__("pydantic").SecretStr(LINE_SECRET),
        "line_channel_access_token": __import__("pydantic").SecretStr(LINE_TOKEN),
        "line_api_base_url": fake_line.url,
        "line_data_api_base_url": fake_line.data_url,
        "telegram_bot_token": __import__("pydantic").SecretStr(TG_TOKEN),
        "telegram_webhook_secret": __import__("pydantic").SecretStr(TG_SECRET),
        "telegram_api_base_url": fake_telegram.url,
    })


@pytest.fixture
def app_client(channel_settings: Settings, clock, monkeypatch) -> Iterator[tuple[TestClient, object]]:  # noqa: ANN001
    # The channels under test, without the officer console (another feature, tested on its own).
    import bot.server

    real_optional = bot.server._optional
    monkeypatch.setattr(bot.server, "_optional", lambda name: None if name == "bot.console" else real_optional(name))
    runtime = build(channel_settings, clock=clock)
    app = create_app(runtime=runtime, start_scheduler=False)
    with TestClient(app) as client:
        yield client, app
    runtime.db.dispose()


@pytest.fixture
def line_client(app_client):  # noqa: ANN001, ANN201
    client, app = app_client
    return client, app.state.line_channel


@pytest.fixture
def tg_client(app_client):  # noqa: ANN001, ANN201
    client, app = app_client
    return client, app.state.telegram_channel
