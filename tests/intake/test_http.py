"""The server's HTTP client (`bot.intake.http.HttpClient`) against small raw HTTP/1.1 servers: every way a
response can be framed arrives whole, a kept-alive connection is reused, one the server closed while idle
is replaced without the caller noticing, and a server that never answers ends in `HttpTimeout`."""
from __future__ import annotations

import asyncio
import json

import pytest

from bot.intake.http import HttpClient, HttpError, HttpTimeout


class RawServer:
    """Answers each request with `respond(request_bytes) -> bytes | None` (None: say nothing)."""

    def __init__(self, respond, *, close_after: bool = False) -> None:  # noqa: ANN001
        self.respond = respond
        self.close_after = close_after
        self.connections = 0
        self.requests: list[bytes] = []

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                               if line.lower().startswith(b"content-length:")), 0)
                request = head + (await reader.readexactly(length) if length else b"")
                self.requests.append(request)
                answer = self.respond(request)
                if answer is None:
                    await asyncio.sleep(3600)
                writer.write(answer)
                await writer.drain()
                if self.close_after:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def __aenter__(self) -> str:
        self.server = await asyncio.start_server(self.handle, "127.0.0.1", 0)
        return f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"

    async def __aexit__(self, *exc) -> None:  # noqa: ANN002
        self.server.close()


def ok_json(body: dict) -> bytes:
    data = json.dumps(body).encode()
    return b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(data), data)


def test_json_post_keeps_the_connection_and_sends_what_the_api_reads() -> None:
    async def main() -> None:
        server = RawServer(lambda req: ok_json({"echo": json.loads(req.split(b"\r\n\r\n", 1)[1])}))
        async with server as url:
            client = HttpClient(headers={"Authorization": "Bearer t"})
            answers = [await client.post_json(f"{url}/v2/bot/message/push", {"to": "U1", "text": "สวัสดี"},
                                              headers={"X-Line-Retry-Key": f"k{i}"}) for i in range(3)]
            await client.aclose()
        assert [a.json() for a in answers] == [{"echo": {"to": "U1", "text": "สวัสดี"}}] * 3
        assert server.connections == 1  # kept alive
        first = server.requests[0].decode()
        assert first.startswith("POST /v2/bot/message/push HTTP/1.1\r\n")
        assert "Authorization: Bearer t\r\n" in first and "X-Line-Retry-Key: k0\r\n" in first
        assert "Content-Type: application/json\r\n" in first

    asyncio.run(main())


def test_chunked_and_close_delimited_bodies_arrive_whole() -> None:
    chunked = (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
               b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
    until_close = b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nall of it"

    async def main() -> None:
        async with RawServer(lambda req: chunked) as url:
            client = HttpClient()
            assert (await client.get(url + "/a")).body == b"hello world"
            assert (await client.get(url + "/b")).body == b"hello world"
            await client.aclose()
        async with RawServer(lambda req: until_close, close_after=True) as url:
            client = HttpClient()
            response = await client.get(url + "/file")
            assert (response.status, response.body) == (200, b"all of it")
            assert (await client.get(url + "/file")).body == b"all of it"  # a new connection for the next
            await client.aclose()

    asyncio.run(main())


def test_a_connection_the_server_closed_while_idle_is_replaced() -> None:
    async def main() -> None:
        server = RawServer(lambda req: ok_json({"ok": True}), close_after=True)  # no Connection: close header
        async with server as url:
            client = HttpClient()
            for _ in range(3):
                assert (await client.post_json(url + "/x", {})).json() == {"ok": True}
            await client.aclose()
        assert server.connections == 3 and len(server.requests) == 3

    asyncio.run(main())


def test_no_answer_is_a_timeout_and_no_server_an_error() -> None:
    async def main() -> None:
        async with RawServer(lambda req: None) as url:
            client = HttpClient(timeout=0.2)
            with pytest.raises(HttpTimeout):
                await client.post_json(url + "/slow", {})
            await client.aclose()
        with pytest.raises(HttpError):
            await HttpClient(timeout=2).get(url + "/gone")  # the server is closed now

    asyncio.run(main())
