"""A server with the LINE and Telegram channels (against the fakes) and the officer console together."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from bot.config import Settings
from bot.wiring import build
from bot.server import create_app
from tests.channels.helpers import LINE_SECRET, LINE_TOKEN, TG_SECRET, TG_TOKEN


@pytest.fixture
def channel_settings(settings: Settings, fake_line, fake_telegram) -> Settings:  # noqa: ANN001
    return settings.model_copy(update={
        "line_channel_secret": SecretStr(LINE_SECRET), "line_channel_access_token": SecretStr(LINE_TOKEN),
        "line_api_base_url": fake_line.url, "line_data_api_base_url": fake_line.data_url,
        "telegram_bot_token": SecretStr(TG_TOKEN), "telegram_webhook_secret": SecretStr(TG_SECRET),
        "telegram_api_base_url": fake_telegram.url,
    })


@pytest.fixture
def server(channel_settings: Settings, clock) -> Iterator[tuple[TestClient, object]]:  # noqa: ANN001
    """(client, LINE channel) of an app with the channels and the console."""
    runtime = build(channel_settings, clock=clock)
    app = create_app(runtime=runtime, start_scheduler=False)
    with TestClient(app, follow_redirects=False) as client:
        yield client, app.state.line_channel
    runtime.db.dispose()
