"""Which function fetches the content a member sent on each channel (channel → ``async fetch_content(ref)
-> bytes``), built once by whoever starts the process (the server, the CLI) and handed to the photo job
(bot/photo_fetch.py). The one place that knows the channels' download functions: point it at the channel
adapters' own ``fetch_content`` when they have one.

A fetcher raises `ContentGone` when the platform says it no longer has the content (LINE answers 404
for content past its keeping time; Telegram refuses a file id it no longer knows), and anything else for
a failure worth another try.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram.error import BadRequest

from bot.channels.line import fetch_line_content
from bot.channels.telegram import fetch_telegram_file
from bot.messages import ContentGone
from bot.photo_fetch import ContentFetcher
from bot.runtime import Runtime

GONE_STATUSES = (404, 410)


def content_fetchers(runtime: Runtime) -> dict[str, ContentFetcher]:
    fetchers: dict[str, ContentFetcher] = {}
    if runtime.settings.line_enabled:
        fetchers["line"] = _gone_when_platform_says_so(lambda ref: fetch_line_content(runtime, ref))
    if runtime.settings.telegram_enabled:
        fetchers["telegram"] = _gone_when_platform_says_so(lambda ref: fetch_telegram_file(runtime, ref))
    return fetchers


def _gone_when_platform_says_so(fetch: Callable[[str], Awaitable[bytes]]) -> ContentFetcher:
    async def fetch_content(ref: str) -> bytes:
        try:
            return await fetch(ref)
        except ContentGone:
            raise
        except Exception as exc:
            if _platform_no_longer_has_it(exc):
                raise ContentGone(ref) from exc
            raise

    return fetch_content


def _platform_no_longer_has_it(exc: Exception) -> bool:
    status = getattr(exc, "status", None) or getattr(getattr(exc, "response", None), "status_code", None)
    if status in GONE_STATUSES:  # the LINE SDK's ApiException, an httpx status error
        return True
    return isinstance(exc, BadRequest) and "file" in str(exc).lower()  # Telegram: "invalid file_id"
