"""Which function fetches the content a member sent on each channel (channel → ``async fetch_content(ref)
-> bytes``), built once by whoever starts the process (the server, the CLI) and handed to the photo job
(bot/photo_fetch.py): the channel adapters' own ``fetch_content`` — the server's mounted adapter, with its
one HTTP client, or a short-lived one where no channel is mounted (`bot.channels.adapters`).

A fetcher raises `ContentGone` when the platform says it no longer has the content (LINE answers 404
for content past its keeping time; Telegram refuses a file id it no longer knows), and anything else for
a failure worth another try.
"""
from __future__ import annotations

from bot.channels import adapters
from bot.photo_fetch import ContentFetcher
from bot.runtime import Runtime


def content_fetchers(runtime: Runtime) -> dict[str, ContentFetcher]:
    fetchers: dict[str, ContentFetcher] = {}
    for channel, enabled in (("line", runtime.settings.line_enabled), ("telegram", runtime.settings.telegram_enabled)):
        if enabled:
            fetchers[channel] = _fetcher(runtime, channel)
    return fetchers


def _fetcher(runtime: Runtime, channel: str) -> ContentFetcher:
    async def fetch_content(ref: str) -> bytes:
        return await adapters.fetch_content(runtime, channel, ref)

    return fetch_content
