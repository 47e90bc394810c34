"""The HTTP server: channels' webhooks, the web chat, health, and (later) the officer console."""
from __future__ import annotations

import importlib
import logging
import time
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from bot.config import Settings
from bot.content_fetchers import content_fetchers
from bot.runtime import Runtime
from bot.wiring import build, register_all

log = logging.getLogger(__name__)


def _optional(module: str):  # noqa: ANN202
    """Import a capability module if this build has it (channels and jobs arrive one by one)."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name == module:
            return None
        raise


def create_app(settings: Settings | None = None, *, runtime: Runtime | None = None,
               start_scheduler: bool | None = None) -> FastAPI:
    """The app for `settings` (built once by the entry point), or around an existing `runtime`."""
    register_all()  # also when the caller built the runtime
    if runtime is None:
        if settings is None:
            raise TypeError("create_app needs the settings or a runtime")
        runtime = build(settings)
    settings = runtime.settings
    run_scheduler = settings.scheduler_enabled if start_scheduler is None else start_scheduler

    @asynccontextmanager
    async def lifespan(app: FastAPI):  # noqa: ANN202
        started = time.perf_counter()
        from bot.thai import warm_up

        # province tables, normalizer, parser paths and the word tokenizer's trie (button labels are cut at
        # word ends: bot/labels.py) now, not on a member's first message
        warm_up(tokenizer=True)
        log.info("Thai text warmed up in %.0f ms", (time.perf_counter() - started) * 1000)
        stoppers = []
        for hook in getattr(app.state, "startup_hooks", []):
            stop = await hook(runtime)
            if stop is not None:
                stoppers.append(stop)
        scheduler = _optional("bot.scheduler")
        if run_scheduler and scheduler is not None:
            stoppers.append(scheduler.start(runtime, fetchers=app.state.content_fetchers))
        try:
            yield
        finally:
            for stop in reversed(stoppers):
                result = stop()
                if hasattr(result, "__await__"):
                    await result
            runtime.db.dispose()

    app = FastAPI(title="khruakhai", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.runtime = runtime
    app.state.startup_hooks = []

    @app.get("/healthz")
    def healthz() -> JSONResponse:
        ok = runtime.db.ping()
        return JSONResponse({"status": "ok" if ok else "degraded", "database": "ok" if ok else "unreachable"},
                            status_code=200 if ok else 503)

    from bot.channels.mount import mount_channels

    started = mount_channels(app, runtime)
    log.info("channels started: %s", ", ".join(started))
    # how the bytes of what members send are fetched, after their turn (the photo job; tests run it by hand)
    app.state.content_fetchers = content_fetchers(runtime)
    from bot import certificates, checkin

    checkin.mount(app, settings)  # /qr/<token>.png: the QR code of a registration's confirmation
    certificates.mount(app, runtime)  # /certificates/<token>.png|.pdf and /verify/<code>
    console = _optional("bot.console")
    if console is not None:
        console.mount(app, runtime)
    return app
