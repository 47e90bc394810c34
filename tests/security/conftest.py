"""The channels' fixtures (signed LINE webhooks and Telegram updates against the fakes)."""
from tests.channels.conftest import app_client, channel_settings, line_client, tg_client  # noqa: F401
