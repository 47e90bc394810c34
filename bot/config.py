"""Configuration from the environment and `.env` (pydantic-settings): one `Settings` object, built once by
the entry point (`get_settings`, or the test's own) and passed down; no other module reads the environment."""
from __future__ import annotations

from functools import lru_cache
from ipaddress import ip_address
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


DEFAULT_SECRET_KEY = "change-me-in-production"
MIN_SECRET_KEY_BYTES = 32


class DeliveryConfig(BaseSettings):
    """Knobs of the delivery engine (env ``DELIVERY_<NAME>``)."""

    model_config = SettingsConfigDict(env_prefix="DELIVERY_", env_file=".env", env_file_encoding="utf-8",
                                      extra="ignore")

    # LINE token buckets per endpoint (requests/s, burst); LINE documents 200/s multicast, 2,000/s push.
    line_multicast_rate: float = 200.0
    line_multicast_burst: float = 5.0  # small: LINE counts per second and does not document a burst
    line_push_rate: float = 2000.0
    line_push_burst: float = 100.0
    line_multicast_size: int = 500  # user ids per multicast call (LINE's maximum is 500)
    line_concurrency: int = 32  # LINE calls in flight
    line_lookahead: int = 40  # batches planned (claimed, keys committed) ahead of the senders
    line_record_group: int = 20  # LINE batches whose outcomes are written in one transaction
    line_record_max_delay: float = 2.0  # s an outcome may wait while the planner still claims rows
    # Telegram: messages/s overall (bot-wide) and the minimum gap between two messages to one chat.
    telegram_rate: float = 30.0
    telegram_burst: float = 3.0  # lets the bucket make up for timer overshoot; still 30/s on average
    telegram_chat_interval: float = 1.05  # 1/s per chat, with a margin for network jitter
    telegram_concurrency: int = 32
    # Telegram messages "in flight": sent (or being sent) and their answer not yet committed. This is
    # the most a crash can send twice (the Bot API has no idempotency key); 8 carries 30/s up to a
    # round trip + commit of ~250 ms.
    telegram_in_flight: int = 8
    http_timeout: float = 15.0
    # Inline retries (inside one drain pass) for 429 / 5xx / timeouts.
    inline_retries: int = 4
    retry_base_seconds: float = 0.2  # first retry after 0.05–0.2 s, doubling up to the cap
    retry_cap_seconds: float = 8.0
    telegram_max_inline_wait: float = 30.0  # a longer retry_after goes back to the database
    # Rescheduling in the database after inline retries are used up; then failed for good.
    reschedule_base_seconds: float = 30.0
    reschedule_cap_seconds: float = 3600.0
    max_attempts: int = 8
    # Claims: a claimed row is reclaimable by another worker after the lease (a crashed process).
    lease_seconds: float = 120.0
    claim_line: int = 5000
    claim_telegram: int = 300
    claim_web: int = 500
    drain_interval_seconds: float = 3.0
    reminder_scan_seconds: float = 60.0
    broadcast_check_seconds: float = 15.0
    # Check the LINE monthly quota before a broadcast to at least this many LINE recipients.
    quota_check_min: int = 100
    # How often the scheduler reads LINE's monthly quota and usage into the database (the officer's chat
    # turn reads that stored figure: no call to LINE while the turn holds the database). A figure older
    # than `quota_max_age_seconds` is not trusted and the check is skipped, as when LINE cannot be asked.
    quota_refresh_seconds: float = 600.0
    quota_max_age_seconds: float = 3600.0


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = "sqlite:///khruakhai.db"
    # PostgreSQL only: a schema to work in (the test suite gives each run its own).
    database_schema: str | None = None
    bot_timezone: str = "Asia/Bangkok"
    default_locale: str = "th"

    line_channel_secret: SecretStr | None = None
    line_channel_access_token: SecretStr | None = None
    line_api_base_url: str = "https://api.line.me"
    line_data_api_base_url: str = "https://api-data.line.me"

    telegram_bot_token: SecretStr | None = None
    telegram_webhook_secret: SecretStr | None = None
    telegram_api_base_url: str = "https://api.telegram.org"
    # Fetch updates by long polling instead of a webhook (`serve --telegram-polling`).
    telegram_polling: bool = False
    # The durable inbox of webhook events (bot/intake/inbox.py): how long a server process's claim on
    # an event it has not finished lasts. It is renewed while the process works; once it runs out (the
    # process died) another process, or this one after a restart, recovers the event.
    inbox_lease_seconds: float = Field(30.0, gt=0)
    # How many expired events one recovery claim takes (with the rest of those members' events).
    inbox_recover_batch: int = Field(200, gt=0)
    # While messages keep arriving (another one came less than 50 ms before), an engine turn waits this
    # long for others to share its database transaction (bot/intake/turns.py). 0 = never wait;
    # unset = 20 on PostgreSQL, 0 on SQLite (where turns share the thread of the inbox's writes).
    turn_batch_linger_ms: float | None = Field(None, ge=0, le=1000)

    # Proactive messages wait outside these hours (Asia/Bangkok) unless urgent.
    quiet_hours_start: int = Field(21, ge=0, le=23)
    quiet_hours_end: int = Field(7, ge=0, le=23)
    # The provincial office this LINE OA serves (one OA per office), e.g. "น่าน": a new organization's
    # province in sign-up is this one unless the member types another. Unset: the province is asked.
    office_province: str | None = None
    # Office hours of the provincial offices (Asia/Bangkok, Monday to Friday): a member who asks the office
    # is told roughly when to expect an answer, counted in these hours (docs/tickets.md).
    office_hours_start: int = Field(8, ge=0, le=23)
    office_hours_end: int = Field(17, ge=1, le=24)
    # Questions to the office: the answer is promised within this many office hours, and the province's
    # officers are reminded of a question still waiting after `ticket_remind_office_hours` (at most 3 times).
    ticket_answer_office_hours: int = Field(8, ge=1)
    ticket_remind_office_hours: int = Field(4, ge=1)
    # An answered question takes the member's follow-ups for this many days; after that a message starts anew.
    ticket_follow_up_days: int = Field(7, ge=1)
    # Conversation state older than this is dropped with a polite note.
    conversation_ttl_hours: int = 24
    # Retention (docs/security.md, "How long we keep things"), pruned by the scheduler every hour.
    # Delivery records (sent, failed or unreachable outbox rows with their texts, LINE send batches): at
    # least 30 days, because a reminder's key must outlive the reminder's own window (a deadline's last
    # reminder comes 7 days after the due date): a key pruned earlier could let a late scan send twice.
    retention_delivery_days: int = Field(90, ge=30)
    # Finished webhook events (their keys stop a redelivered webhook from being answered twice) and web
    # chat messages the page never fetched.
    retention_inbox_days: int = Field(7, ge=1)
    # A conversation left half-way (e.g. a sign-up with a name and a phone typed but never confirmed).
    retention_unfinished_conversation_days: int = Field(7, ge=1)
    # Run the APScheduler jobs (reminder scan, outbox drain) inside `serve`.
    scheduler_enabled: bool = True
    # The web chat at / (for trying the bot; `make run` turns it on). Visitors are anonymous cookie ids.
    web_chat_enabled: bool = False
    # Seed demo organizations and an event into an empty database at `make run`.
    seed_demo: bool = False
    # Secret for web console session cookies, CSRF tokens and the web chat's cookie. At least 32 bytes
    # (e.g. `python -c "import secrets; print(secrets.token_urlsafe(48))"`); `serve` refuses to start
    # without one unless PUBLIC_BASE_URL is a loopback address (see `secret_key_problem`).
    secret_key: SecretStr = SecretStr(DEFAULT_SECRET_KEY)
    public_base_url: str = "http://127.0.0.1:8000"
    # How long the download links of a certificate sent in the chat work (its verification page always does).
    certificate_link_hours: int = Field(72, ge=1)
    # Console: wrong passwords from one client address (any accounts) within 15 minutes before that
    # address must wait (each account also locks after 5 in a row).
    login_failures_per_address: int = Field(20, ge=1)
    # Photos members send on LINE or Telegram arrive as references; a scheduled job fetches their bytes
    # after the turn (bot/photo_fetch.py) at least this often (and right after a turn that stored one).
    photo_fetch_interval_seconds: float = Field(15.0, gt=0)
    # The delivery engine's knobs, from the ``DELIVERY_*`` environment variables (docs/delivery.md).
    delivery: DeliveryConfig = Field(default_factory=DeliveryConfig)

    @property
    def public_url_is_loopback(self) -> bool:
        host = (urlsplit(self.public_base_url).hostname or "").lower()
        if host == "localhost":
            return True
        try:
            return ip_address(host).is_loopback
        except ValueError:
            return False

    def secret_key_problem(self) -> str | None:
        """Why SECRET_KEY cannot sign the console's sessions (unset, the default, or too short), or None."""
        secret = self.secret_key.get_secret_value() if self.secret_key else ""
        if not secret or secret == DEFAULT_SECRET_KEY:
            return "SECRET_KEY is not set (it is the default)"
        if len(secret.encode()) < MIN_SECRET_KEY_BYTES:
            return f"SECRET_KEY is shorter than {MIN_SECRET_KEY_BYTES} bytes"
        return None

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.bot_timezone)

    @property
    def line_enabled(self) -> bool:
        return bool(self.line_channel_secret and self.line_channel_access_token)

    @property
    def telegram_enabled(self) -> bool:
        return bool(self.telegram_bot_token)


@lru_cache
def get_settings() -> Settings:
    return Settings()
