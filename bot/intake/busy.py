"""The busy indicator: LINE's loading animation or Telegram's "typing…" while a slow turn runs."""
from __future__ import annotations

import asyncio


BUSY_SHED = 64  # turns waiting for the database beyond which busy indicators are skipped


async def with_busy_indicator(work: "asyncio.Future", after: float, show, waiting=None) -> object:  # noqa: ANN001
    """Await `work`; when it takes longer than `after` seconds, start `show()` (LINE's loading
    animation, Telegram's "typing…") once. A timer, cheaper per event than `asyncio.wait_for`.

    `waiting()` (the turns queued for the database): above `BUSY_SHED` the indicator is skipped. It is
    one more API call per message, and a server that far behind would spend on animations the time
    it needs for the replies, falling further behind with every one."""
    loop = asyncio.get_running_loop()
    shown: list[asyncio.Future] = []

    def fire() -> None:
        if waiting is None or waiting() <= BUSY_SHED:
            shown.append(asyncio.ensure_future(show()))

    timer = loop.call_later(after, fire)
    try:
        return await work
    finally:
        timer.cancel()
        if shown:
            await shown[0]
