"""CPU per reply POST: the server's HTTP client (`bot.intake.http.HttpClient`) against the LINE SDK's aiohttp
session (the way replies were posted before: a plain JSON body on `AsyncApiClient`'s own session).

    python bench/http_client.py                     # 3000 POSTs each, 16 at a time
    python bench/http_client.py --requests 10000 --concurrency 32

Starts the fake LINE API (`python -m tests.fakes.server line`, which validates every request) on 127.0.0.1,
then POSTs ``/v2/bot/chat/loading/start`` bodies (a small valid JSON body, as a reply is) through each
client in turn and prints the CPU time of this process per POST (the fake server runs in its own process
and is not counted), the wall time and the statuses. Both run on the same event loop implementation
(uvloop when installed, as `khruakhai serve` does).
"""
from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.webhook import free_port, start_process, stop_process  # noqa: E402

TOKEN = "bench-line-access-token"


async def run(post, n: int, concurrency: int) -> tuple[float, float, Counter]:  # noqa: ANN001
    users = ["U" + uuid.uuid4().hex for _ in range(64)]
    statuses: Counter = Counter()
    for i in range(50):  # warm up: connections open, code paths taken
        statuses[await post({"chatId": users[i % 64], "loadingSeconds": 20})] += 0
    queue = iter(range(n))

    async def worker() -> None:
        for i in queue:
            statuses[await post({"chatId": users[i % 64], "loadingSeconds": 20})] += 1

    cpu, wall = time.process_time(), time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return (time.process_time() - cpu) / n * 1000, time.perf_counter() - wall, statuses


async def bench(url: str, n: int, concurrency: int) -> None:
    import json

    import aiohttp
    import linebot.v3.messaging as sdk

    from bot.intake.http import HttpClient

    path = "/v2/bot/chat/loading/start"
    config = sdk.Configuration(host=url, access_token=TOKEN)
    config.connection_pool_maxsize = 64
    api = sdk.AsyncApiClient(config)
    session = api.rest_client.pool_manager
    session._trust_env = False  # as the channel had it: no proxy or netrc lookups per request

    async def post_sdk_session(body: dict) -> int:
        headers = dict(api.default_headers)
        headers["Content-Type"] = "application/json"
        headers["Accept"] = "application/json"
        async with session.post(url + path, data=json.dumps(body).encode("utf-8"), headers=headers,
                                timeout=aiohttp.ClientTimeout(total=10)) as resp:
            await resp.read()
            return resp.status

    client = HttpClient(headers={"Authorization": f"Bearer {TOKEN}", "User-Agent": "khruakhai"}, timeout=10)

    async def post_lean(body: dict) -> int:
        return (await client.post_json(url + path, body)).status

    print(f"{n} POSTs {path}, {concurrency} at a time, CPU of this process per POST")
    for name, post in (("LINE SDK aiohttp session", post_sdk_session), ("bot.intake.http.HttpClient", post_lean)):
        ms, wall, statuses = await run(post, n, concurrency)
        print(f"  {name:<28} {ms:6.3f} ms CPU/POST   {n / wall:7.0f} POST/s   statuses {dict(statuses)}", flush=True)
    await api.close()
    await client.aclose()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--requests", type=int, default=3000)
    ap.add_argument("--concurrency", type=int, default=16)
    args = ap.parse_args()
    import tempfile

    workdir = Path(tempfile.mkdtemp(prefix="khruakhai-http-bench-"))
    env = dict(os.environ, PYTHAINLP_READ_ONLY="1", PYTHONPATH=str(ROOT))
    fake = start_process([sys.executable, "-m", "tests.fakes.server", "line", "--port", str(free_port()),
                          "--token", TOKEN], env, workdir / "fake.log")
    try:
        line = fake.stdout.readline().strip()  # type: ignore[union-attr]
        if not line.startswith("READY"):
            raise RuntimeError(f"fake LINE server did not start: {line!r}")
        try:
            import uvloop

            runner = uvloop.run
        except ImportError:
            runner = asyncio.run
        runner(bench(line.split()[1], args.requests, args.concurrency))
    finally:
        stop_process(fake)


if __name__ == "__main__":
    main()
