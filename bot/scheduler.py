"""Jobs inside `khruakhai serve`: the due-reminders scan, the outbox drain and scheduled broadcasts.

`start(runtime)` starts an APScheduler 3 `AsyncIOScheduler` on the running event loop and returns a
coroutine function that stops it. Jobs:

* ``reminders`` every minute (`DELIVERY_REMINDER_SCAN_SECONDS`): `bot.reminders.send_due_reminders`
  as of now; reminders are derived from data with unique keys, so a scan after downtime catches up and
  a repeated scan (or one in another process) never sends twice.
* ``drain`` every few seconds (`DELIVERY_DRAIN_INTERVAL_SECONDS`): wakes the drain worker, a single
  task that runs `Drainer.drain` until nothing is due and then waits for the next wake-up (a long
  broadcast is one long pass, not a pile of overlapping jobs).
* ``broadcasts`` (`DELIVERY_BROADCAST_CHECK_SECONDS`): scheduled broadcasts whose time has come are
  expanded into the outbox, then the drain is woken.
* ``line-statistics`` every hour: `bot.reach.fetch_statistics` stores LINE's opens and clicks of the
  broadcasts and reminders of the last 30 days (outside any conversation turn or transaction).
* ``line-quota`` (`DELIVERY_QUOTA_REFRESH_SECONDS`, 10 minutes): `bot.quota.refresh_line_quota` stores
  LINE's monthly quota and usage; the officer's broadcast conversation warns from that figure.
* ``photos``: a worker that fetches the bytes of photos members sent on LINE or Telegram
  (`bot.photo_fetch`), every `PHOTO_FETCH_INTERVAL_SECONDS` and right after a turn that stored one, with
  the channels' content fetchers given to `start`.
* ``retention`` every hour: `bot.retention.prune` deletes what is past its period (`RETENTION_*`
  settings; docs/security.md, "How long we keep things").

Every process running this shares the work through the database (row claims, unique keys).
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta, timezone

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.config import DeliveryConfig
from bot.broadcast_expand import prepare_due_broadcasts
from bot.delivery import Drainer
from bot.photo_fetch import Fetchers, fetch_all_due, wake_after_new_references
from bot.quota import refresh_line_quota
from bot.reach import fetch_statistics
from bot.reminders import send_due_reminders
from bot.retention import prune
from bot.runtime import Runtime

log = logging.getLogger(__name__)
RETENTION_EVERY_SECONDS = 3600


def start(runtime: Runtime, cfg: DeliveryConfig | None = None, *,
          fetchers: Fetchers | None = None) -> Callable[[], Awaitable[None]]:
    """`fetchers`: the channels' content fetchers (bot/content_fetchers.py); none, no photo fetching here."""
    cfg = cfg or runtime.settings.delivery
    loop = asyncio.get_running_loop()
    drainer = Drainer(runtime, cfg)
    wake = asyncio.Event()
    photos_wake = asyncio.Event()
    stopping = asyncio.Event()

    async def drain_worker() -> None:
        while not stopping.is_set():
            wake.clear()
            try:
                stats = await drainer.drain()
                if stats.outcomes:
                    log.debug("drain: %s", dict(stats.outcomes))
            except Exception:  # noqa: BLE001 - log and keep the worker alive
                log.exception("outbox drain failed")
            if stopping.is_set():
                break
            try:
                await asyncio.wait_for(wake.wait(), timeout=max(cfg.drain_interval_seconds * 10, 30))
            except asyncio.TimeoutError:
                pass

    def kick() -> None:
        loop.call_soon_threadsafe(wake.set)

    async def photo_worker() -> None:
        while not stopping.is_set():
            photos_wake.clear()
            try:
                outcomes = await fetch_all_due(runtime, fetchers or {})
                if outcomes:
                    log.info("photos: %s", dict(outcomes))
            except Exception:  # noqa: BLE001 - log and keep the worker alive
                log.exception("photo fetching failed")
            try:
                await asyncio.wait_for(photos_wake.wait(), timeout=runtime.settings.photo_fetch_interval_seconds)
            except asyncio.TimeoutError:
                pass

    def wake_photos() -> None:  # called from the database thread right after a turn's commit
        try:
            loop.call_soon_threadsafe(photos_wake.set)
        except RuntimeError:  # the loop has closed (shutting down)
            pass

    async def quota_job() -> None:
        try:
            await asyncio.to_thread(refresh_line_quota, runtime.settings, runtime.db, runtime.clock)
        except Exception:  # noqa: BLE001
            log.exception("reading the LINE quota failed")

    async def reminders_job() -> None:
        try:
            report = await asyncio.to_thread(send_due_reminders, runtime)
            if report.count("queued") or report.count("waiting"):
                log.info("reminders: %d queued, %d waiting for the morning",
                         report.count("queued"), report.count("waiting"))
                kick()
        except Exception:  # noqa: BLE001
            log.exception("reminder scan failed")

    async def broadcasts_job() -> None:
        try:
            if await asyncio.to_thread(prepare_due_broadcasts, runtime):
                kick()
        except Exception:  # noqa: BLE001
            log.exception("scheduled broadcasts failed")

    async def retention_job() -> None:
        try:
            gone = await asyncio.to_thread(prune, runtime.db, runtime.settings, runtime.clock.now())
            if gone:
                log.info("retention: deleted %s", dict(gone))
        except Exception:  # noqa: BLE001
            log.exception("retention pruning failed")

    async def statistics_job() -> None:
        try:
            await asyncio.to_thread(fetch_statistics, runtime)
        except Exception:  # noqa: BLE001
            log.exception("LINE statistics failed")

    scheduler = AsyncIOScheduler(event_loop=loop, timezone=runtime.settings.tz)
    soon = datetime.now(timezone.utc) + timedelta(seconds=1)
    scheduler.add_job(reminders_job, "interval", seconds=cfg.reminder_scan_seconds, id="reminders",
                      next_run_time=soon, max_instances=1, coalesce=True, misfire_grace_time=30)
    scheduler.add_job(kick, "interval", seconds=cfg.drain_interval_seconds, id="drain",
                      max_instances=1, coalesce=True)
    scheduler.add_job(broadcasts_job, "interval", seconds=cfg.broadcast_check_seconds, id="broadcasts",
                      max_instances=1, coalesce=True)
    if runtime.settings.line_enabled:
        scheduler.add_job(quota_job, "interval", seconds=cfg.quota_refresh_seconds, id="line-quota",
                          next_run_time=soon, max_instances=1, coalesce=True)
    scheduler.add_job(retention_job, "interval", seconds=RETENTION_EVERY_SECONDS, id="retention",
                      next_run_time=soon + timedelta(seconds=60), max_instances=1, coalesce=True)
    scheduler.add_job(statistics_job, "interval", seconds=RETENTION_EVERY_SECONDS, id="line-statistics",
                      next_run_time=soon + timedelta(seconds=120), max_instances=1, coalesce=True)
    scheduler.start()
    worker = loop.create_task(drain_worker(), name="outbox-drain")
    photos = loop.create_task(photo_worker(), name="photos") if fetchers else None
    stop_waking = wake_after_new_references(wake_photos) if fetchers else None
    log.info("scheduler started (worker %s)", drainer.worker)

    async def stop() -> None:
        stopping.set()
        wake.set()
        photos_wake.set()
        scheduler.shutdown(wait=False)
        if stop_waking is not None:
            stop_waking()
        if photos is not None:
            try:
                await asyncio.wait_for(asyncio.shield(photos), timeout=5)
            except (asyncio.TimeoutError, Exception):  # noqa: BLE001
                photos.cancel()
        try:
            await asyncio.wait_for(asyncio.shield(worker), timeout=5)
        except (asyncio.TimeoutError, Exception):  # noqa: BLE001
            worker.cancel()
        await drainer.aclose()

    stop.scheduler = scheduler  # type: ignore[attr-defined]  (what is scheduled, for `khruakhai` and tests)
    return stop
