"""The channel fixtures (signed LINE webhooks against the fake LINE server) for the report tests."""
from tests.channels.conftest import app_client, channel_settings, line_client, tg_client  # noqa: F401
