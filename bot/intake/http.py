"""The one HTTP client the server sends with: keep-alive HTTP/1.1 on asyncio, responses parsed by httptools.

Replies, pushes, the loading animation, profile and content fetches and the outbox all go through it.
Compared with the LINE SDK's aiohttp session it skips what a JSON POST to a known API does not need
(cookie jars, proxy and netrc lookups, tracing hooks, header multidicts, per-request timer objects):
bench/http_client.py measures the CPU per POST of both against the fake LINE server.

* One pool of idle connections per origin (scheme, host, port); a connection is reused while the server
  keeps it alive; at most `max_connections` per origin are open, further requests wait for one.
* TLS through `ssl` (``https://``), with the system's default context.
* Responses with Content-Length, chunked, or read until the server closes.
* One timeout per request (connect + send + answer): `HttpTimeout`. Connection failures: `HttpError`.
  A request on a reused connection that the server had closed meanwhile (nothing answered) is sent once
  more on a fresh connection.
"""
from __future__ import annotations

import asyncio
import ssl
import weakref
from typing import Any
from urllib.parse import urlsplit

import httptools
import orjson

Origin = tuple[str, str, int]


class HttpError(Exception):
    """The request could not be completed (connection refused, reset, or closed before the answer)."""


class HttpTimeout(HttpError):
    """No complete answer within the timeout."""


class HttpResponse:
    __slots__ = ("status", "headers", "body")

    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status = status
        self.headers = headers  # lower-case names
        self.body = body

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def json(self) -> Any:
        return orjson.loads(self.body)


class _Connection(asyncio.Protocol):
    """One keep-alive connection; one request at a time."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.waiter: asyncio.Future | None = None
        self.closed = False
        self.answered = False  # any byte of the current response arrived
        self._headers: dict[str, str] = {}
        self._body: list[bytes] = []
        self._header_name = b""

    # --- asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.answered = True
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(HttpError(f"bad response: {exc}"))
            self.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            status = self.parser.get_status_code() if self._headers else 0
            if status and "content-length" not in self._headers and "chunked" not in \
                    self._headers.get("transfer-encoding", ""):
                self.on_message_complete()  # a body delimited by the end of the connection
            else:
                self._fail(HttpError("connection closed before the answer"))

    # --- httptools callbacks
    def on_message_begin(self) -> None:
        self._headers = {}
        self._body = []

    def on_header(self, name: bytes, value: bytes) -> None:
        self._headers[name.decode("latin-1").lower()] = value.decode("latin-1")

    def on_body(self, body: bytes) -> None:
        self._body.append(body)

    def on_message_complete(self) -> None:
        waiter, self.waiter = self.waiter, None
        if not self.parser.should_keep_alive():
            self.close()
        if waiter is not None and not waiter.done():
            waiter.set_result(HttpResponse(self.parser.get_status_code(), self._headers, b"".join(self._body)))

    # ---
    def send(self, data: bytes) -> asyncio.Future:
        self.waiter = self.loop.create_future()
        self.answered = False
        self.transport.write(data)  # type: ignore[union-attr]
        return self.waiter

    def _fail(self, exc: Exception) -> None:
        waiter, self.waiter = self.waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_exception(exc)

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()


class _Pool:
    def __init__(self, origin: Origin, limit: int) -> None:
        self.origin = origin
        self.idle: list[_Connection] = []
        self.slots = asyncio.Semaphore(limit)


class HttpClient:
    """Keep-alive HTTP/1.1 client. Connections belong to the event loop that opened them: each loop using the
    client (the server's; a tool's `asyncio.run`) gets pools of its own."""

    def __init__(self, *, headers: dict[str, str] | None = None, timeout: float = 15.0,
                 max_connections: int = 64) -> None:
        self.timeout = timeout
        self.max_connections = max_connections
        self._default = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items()).encode("latin-1")
        self._loops: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[Origin, _Pool]] = \
            weakref.WeakKeyDictionary()
        self._ssl: ssl.SSLContext | None = None
        self._targets: dict[tuple[str, str], tuple[Origin, bytes]] = {}  # parsed URLs

    async def post_json(self, url: str, body: Any, *, headers: dict[str, str] | None = None,
                        timeout: float | None = None) -> HttpResponse:
        data = orjson.dumps(body)
        return await self.request("POST", url, data, headers=headers, timeout=timeout,
                                  content_type="application/json")

    async def get(self, url: str, *, headers: dict[str, str] | None = None,
                  timeout: float | None = None) -> HttpResponse:
        return await self.request("GET", url, None, headers=headers, timeout=timeout)

    async def request(self, method: str, url: str, body: bytes | None = None, *, headers: dict[str, str] | None = None,
                      timeout: float | None = None, content_type: str | None = None) -> HttpResponse:
        loop = asyncio.get_running_loop()
        pools = self._loops.get(loop)
        if pools is None:
            pools = self._loops[loop] = {}
        key = (method, url)
        target = self._targets.get(key)
        if target is None:
            target = self._targets[key] = self._target(method, url)
            if len(self._targets) > 1024:  # profile and content URLs name users and messages
                self._targets.clear()
        origin, request_line = target
        pool = pools.get(origin)
        if pool is None:
            pool = pools[origin] = _Pool(origin, self.max_connections)
        head = [request_line, self._default]
        if headers:
            head.append("".join(f"{k}: {v}\r\n" for k, v in headers.items()).encode("latin-1"))
        if content_type:
            head.append(f"Content-Type: {content_type}\r\n".encode("latin-1"))
        if body is not None or method in ("POST", "PUT", "PATCH"):
            head.append(b"Content-Length: %d\r\n" % len(body or b""))
        head.append(b"\r\n")
        if body:
            head.append(body)
        data = b"".join(head)
        deadline = loop.time() + (self.timeout if timeout is None else timeout)
        async with pool.slots:
            for _ in range(2):
                conn, reused = await self._connection(pool, deadline)
                try:
                    response = await self._exchange(conn, data, deadline)
                except HttpError as exc:
                    conn.close()
                    if reused and not conn.answered and not isinstance(exc, HttpTimeout):
                        continue  # the server had closed the idle connection: once more on a new one
                    raise
                except BaseException:  # cancelled mid-request: the connection's state is unknown
                    conn.close()
                    raise
                if not conn.closed:
                    pool.idle.append(conn)
                return response
        raise HttpError("connection closed before the answer")

    @staticmethod
    def _target(method: str, url: str) -> tuple[Origin, bytes]:
        """The origin of `url` and the request line with the Host header."""
        u = urlsplit(url)
        https = u.scheme == "https"
        origin = (u.scheme, u.hostname or "localhost", u.port or (443 if https else 80))
        path = (u.path or "/") + (f"?{u.query}" if u.query else "")
        host = origin[1] if origin[2] == (443 if https else 80) else f"{origin[1]}:{origin[2]}"
        return origin, f"{method} {path} HTTP/1.1\r\nHost: {host}\r\n".encode("latin-1")

    async def _connection(self, pool: _Pool, deadline: float) -> tuple[_Connection, bool]:
        while pool.idle:
            conn = pool.idle.pop()
            if not conn.closed and not conn.transport.is_closing():  # type: ignore[union-attr]
                return conn, True
        loop = asyncio.get_running_loop()
        scheme, host, port = pool.origin
        kwargs: dict[str, Any] = {}
        if scheme == "https":
            if self._ssl is None:
                self._ssl = ssl.create_default_context()
            kwargs = {"ssl": self._ssl, "server_hostname": host}
        try:
            _, conn = await asyncio.wait_for(
                loop.create_connection(lambda: _Connection(loop), host, port, **kwargs), max(0.0, deadline - loop.time()))
        except asyncio.TimeoutError as exc:
            raise HttpTimeout(f"connect to {host}:{port} timed out") from exc
        except OSError as exc:
            raise HttpError(f"connect to {host}:{port}: {exc}") from exc
        return conn, False

    @staticmethod
    async def _exchange(conn: _Connection, data: bytes, deadline: float) -> HttpResponse:
        waiter = conn.send(data)
        loop = conn.loop

        def expire() -> None:
            if not waiter.done():
                waiter.set_exception(HttpTimeout("no answer in time"))

        timer = loop.call_at(deadline, expire)
        try:
            return await waiter
        finally:
            timer.cancel()

    async def aclose(self) -> None:
        """Close this loop's idle connections (another loop's go with that loop)."""
        for pool in self._loops.pop(asyncio.get_running_loop(), {}).values():
            for conn in pool.idle:
                conn.close()
            pool.idle.clear()
