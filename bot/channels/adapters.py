"""The channel adapters of this process: the ones the server mounted (`bot.channels.mount.mount_channels`), which
the outbox sends on too — one HTTP client and one rate limiter per channel — or short-lived ones for tools
and code that runs where no channel is mounted."""
from __future__ import annotations

from typing import Any

from bot.channels.line import LineAdapter, LineBulkSender
from bot.channels.telegram import TelegramAdapter, TelegramBulkSender

ADAPTERS = {"line": LineAdapter, "telegram": TelegramAdapter}


def mounted(runtime: Any) -> dict[str, Any]:
    """channel name → the adapter this process serves (filled by `mount_channels`)."""
    adapters = getattr(runtime, "_adapters", None)
    if adapters is None:
        adapters = runtime._adapters = {}
    return adapters


def line_sender(runtime: Any, cfg: Any) -> LineBulkSender:
    """The outbox's LINE sender: on the mounted adapter's client and rate limiter when there is one."""
    adapter = mounted(runtime).get("line")
    if adapter is not None:
        return adapter.bulk_sender(cfg)
    return LineBulkSender(LineAdapter(runtime.settings, cfg), cfg, owned=True)  # its own client, closed with it


def telegram_sender(runtime: Any, cfg: Any) -> TelegramBulkSender:
    """The outbox's Telegram sender: on the mounted adapter's client and rate limiter when there is one."""
    adapter = mounted(runtime).get("telegram")
    if adapter is not None:
        return adapter.bulk_sender(cfg)
    return TelegramBulkSender(TelegramAdapter(runtime.settings, cfg), cfg, owned=True)


async def fetch_content(runtime: Any, channel: str, ref: str) -> bytes:
    """The bytes of a photo or file a member sent on `channel` (`Attachment.fetch_ref`)."""
    adapter = mounted(runtime).get(channel)
    if adapter is not None:
        return await adapter.fetch_content(ref)
    adapter = ADAPTERS[channel](runtime.settings, runtime.settings.delivery)
    try:
        return await adapter.fetch_content(ref)
    finally:
        await adapter.aclose()
