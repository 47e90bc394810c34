"""Run a fake on 127.0.0.1: in a background thread (tests) or as its own process (benchmarks).

In-process::

    fake = FakeLine()
    with serve_in_thread(fake) as url:      # url == fake.url
        ...

Separate process::

    python -m tests.fakes.server line --port 18080 [--rate-limits] [--fail-429 0.01] [--fail-500 0.01]
    python -m tests.fakes.server telegram --port 18081 --rate-limits

Recorded state over HTTP (both fakes): ``GET /__fake/state`` (counts, per-recipient delivery counts,
violations), ``GET /__fake/deliveries?since=N`` and ``GET /__fake/calls?since=N`` (incremental),
``GET /__fake/violations``, ``POST /__fake/reset``.  LINE also: ``POST /__fake/reply-token``
``{"to": id[, "replyToken": t][, "ttl": s]}`` and ``POST /__fake/block`` ``{"userId"}``; Telegram:
``POST /__fake/update`` (queue an Update) and ``POST /__fake/block`` ``{"chat_id"}``.
The process prints ``READY <url>`` on stdout once it accepts connections.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import socket
import threading
import time
from typing import Any, Iterator

import uvicorn


class ThreadedServer:
    """uvicorn serving ``fake.app`` in a daemon thread on an ephemeral port."""

    def __init__(self, fake: Any, host: str = "127.0.0.1", port: int = 0):
        self.fake = fake
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # proto set: asyncio enables TCP_NODELAY only then
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        self._sock = sock
        self.port = sock.getsockname()[1]
        self.url = f"http://{host}:{self.port}"
        config = uvicorn.Config(fake.app, log_level="warning", access_log=False, lifespan="off",
                                timeout_keep_alive=30)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [sock]},
                                       name=f"fake-{type(fake).__name__}", daemon=True)

    def start(self) -> "ThreadedServer":
        self.fake.url = self.url
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("fake server did not start")
            time.sleep(0.005)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=5)
        with contextlib.suppress(OSError):
            self._sock.close()


@contextlib.contextmanager
def serve_in_thread(fake: Any) -> Iterator[str]:
    srv = ThreadedServer(fake).start()
    try:
        yield srv.url
    finally:
        srv.stop()


def build_fake(kind: str, args: argparse.Namespace) -> Any:
    if kind == "line":
        from .line_api import FakeLine
        kw: dict[str, Any] = {}
        if args.token:
            kw["access_token"] = args.token
        return FakeLine(rate_limits=args.rate_limits, fail_429=args.fail_429, fail_500=args.fail_500,
                        accept_then_500=args.accept_then_500, seed=args.seed,
                        quota_limit=args.quota_limit, reply_token_ttl=args.reply_token_ttl, **kw)
    from .telegram_api import FakeTelegram
    kw = {}
    if args.token:
        kw["token"] = args.token
    return FakeTelegram(rate_limits=args.rate_limits, fail_429=args.fail_429, fail_500=args.fail_500,
                        seed=args.seed, **kw)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m tests.fakes.server")
    ap.add_argument("kind", choices=["line", "telegram"])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--token", help="LINE channel access token / Telegram bot token the fake accepts")
    ap.add_argument("--rate-limits", action="store_true", help="enforce the platform rate limits")
    ap.add_argument("--fail-429", type=float, default=0.0, help="fraction of sends answered 429")
    ap.add_argument("--fail-500", type=float, default=0.0, help="fraction of sends answered 500")
    ap.add_argument("--accept-then-500", type=float, default=0.0,
                    help="LINE: fraction of sends delivered but answered 500 (tests retry keys)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--quota-limit", type=int, default=None, help="LINE monthly quota (default: none)")
    ap.add_argument("--reply-token-ttl", type=float, default=60.0)
    args = ap.parse_args(argv)
    fake = build_fake(args.kind, args)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # proto set: asyncio enables TCP_NODELAY only then
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((args.host, args.port))
    port = sock.getsockname()[1]
    fake.url = f"http://{args.host}:{port}"
    config = uvicorn.Config(fake.app, log_level="warning", access_log=False, lifespan="off",
                            timeout_keep_alive=30, backlog=2048)
    server = uvicorn.Server(config)

    def announce() -> None:
        while not server.started:
            time.sleep(0.01)
        print(f"READY {fake.url}", flush=True)

    threading.Thread(target=announce, daemon=True).start()
    # It records every call: with the collector's defaults, full collections walking that growing
    # record paused the fake (and so the bot's replies) for longer and longer in a benchmark.
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
    server.run(sockets=[sock])


if __name__ == "__main__":
    main()
