"""The channels' fixtures (signed LINE webhooks and Telegram updates against the fakes) and the console's
seeded data."""
from tests.channels.conftest import app_client, channel_settings, line_client, tg_client  # noqa: F401
from tests.console.conftest import seeded  # noqa: F401
