"""A real headless Chromium (Debian's /usr/bin/chromium) driven by Playwright, and the app served by uvicorn
in a background thread — shared by the browser tests and tests/console/screenshots.py."""
from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import uvicorn

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def chromium_missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if not os.path.exists(CHROMIUM):
        return f"{CHROMIUM} is missing (install Debian's chromium: `make test` does it as root)"
    return None


class AppServer:
    """uvicorn serving the app (with its lifespan: channels start) on 127.0.0.1 and an ephemeral port."""

    def __init__(self, app: Any) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self._sock = sock
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [sock]}, name="console-app",
                                       daemon=True)

    def __enter__(self) -> "AppServer":
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the app server did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        with contextlib.suppress(OSError):
            self._sock.close()


@contextlib.contextmanager
def browser_page(*, width: int = 1280, height: int = 900, locale: str = "th-TH") -> Iterator[Any]:
    """A fresh page in a fresh headless Chromium context (downloads allowed)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": width, "height": height}, locale=locale,
                                          accept_downloads=True)
            page = context.new_page()
            page.set_default_timeout(15000)
            yield page
            context.close()
        finally:
            browser.close()


def log_in(page: Any, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/admin/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/admin")


@contextlib.contextmanager
def live_console(settings: Any, clock: Any, fake_line: Any, **overrides: Any) -> Iterator[tuple[Any, Any, Any]]:
    """The whole app with LINE pointed at the fake LINE server, served on a local port for Chromium:
    (server, app, runtime). `overrides` change other settings (e.g. public_base_url)."""
    from pydantic import SecretStr

    from bot.wiring import build
    from bot.server import create_app
    from tests.channels.helpers import LINE_SECRET, LINE_TOKEN

    line_settings = settings.model_copy(update={
        "line_channel_secret": SecretStr(LINE_SECRET), "line_channel_access_token": SecretStr(LINE_TOKEN),
        "line_api_base_url": fake_line.url, "line_data_api_base_url": fake_line.data_url, **overrides})
    runtime = build(line_settings, clock=clock)
    app = create_app(runtime=runtime, start_scheduler=False)
    try:
        with AppServer(app) as server:
            yield server, app, runtime
    finally:
        runtime.db.dispose()
