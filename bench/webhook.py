"""LINE webhook load test: signed text events at increasing rates against real `khruakhai serve` processes.

    python bench/webhook.py                                  # SQLite, one server process
    python bench/webhook.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench --processes 2

What it does (everything on 127.0.0.1, bounded in count and time):
  1. starts a fake LINE API process (`python -m tests.fakes.server line`) that validates every request;
  2. starts 1 (SQLite) or N (PostgreSQL) `khruakhai serve` processes pointed at it, on a fresh database;
  3. for each rate step, registers one reply token per event with the fake, then posts signed webhook
     bodies (one text event each, from --users members) open-loop at that rate, alternating between the
     server processes; a fraction (--dup-fraction) of the bodies is posted a second time, as LINE's
     redelivery would, to check that duplicates change nothing under load;
  4. waits for the replies, then matches every reply/push the fake received to its event (by reply token,
     or by the push's X-Line-Retry-Key, derived from the webhookEventId).

Prints per step: events/s accepted, p50/p99 acknowledgement latency, p50/p99 time until the reply reached
the fake server, lost replies (events with none) and duplicated replies (events with more than one), and
the CPU time per event of the server processes, the fake LINE server, this client and PostgreSQL's
backends (all on one machine: what the others take, the server cannot have).
Target on the 2-core reference machine: 500 events/s, p99 ack < 100 ms, p99 reply < 1 s, 0 lost, 0 duplicated.
"""
from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import hmac
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SECRET = "bench-line-channel-secret"
TOKEN = "bench-line-access-token"
RETRY_NAMESPACE = uuid.UUID("6f1c1f7e-3c0b-4a52-9d0e-6b8f2b1d0c11")  # = bot.channels.line.RETRY_NAMESPACE
TEXTS = ("สวัสดีค่ะ", "ยินยอม", "มูลนิธิรักษ์น้ำน่าน", "เมนู", "ช่วยเหลือ", "ยกเลิก")


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def start_process(cmd: list[str], env: dict[str, str], log_path: Path) -> subprocess.Popen:
    log = open(log_path, "w")  # noqa: SIM115
    return subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE if "tests.fakes.server" in cmd else log,
                            stderr=log, cwd=str(ROOT), text=True, start_new_session=True)


def stop_process(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def wait_http(session, url: str, timeout: float = 60.0) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            async with session.get(url) as r:
                if r.status == 200:
                    return
        except Exception:  # noqa: BLE001
            pass
        await asyncio.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


def signed(body: dict) -> tuple[bytes, dict[str, str]]:
    raw = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    sig = base64.b64encode(hmac.new(SECRET.encode(), raw, hashlib.sha256).digest()).decode()
    return raw, {"Content-Type": "application/json; charset=utf-8", "X-Line-Signature": sig}


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes so far (0 for one that is gone)."""
    import psutil

    total = 0.0
    for pid in pids:
        try:
            t = psutil.Process(pid).cpu_times()
            total += t.user + t.system
        except psutil.Error:
            pass
    return total


class _Conn(asyncio.Protocol):
    """One keep-alive HTTP/1.1 connection of `Poster`: one request at a time, answers read by
    Content-Length (uvicorn always sends it for the webhook's answers)."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buf = b""
        self.waiter: asyncio.Future | None = None
        self.closed = False

    def connection_made(self, transport) -> None:  # noqa: ANN001
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buf += data
        end = self.buf.find(b"\r\n\r\n")
        if end < 0 or self.waiter is None:
            return
        head = self.buf[:end].split(b"\r\n")
        length = 0
        for line in head[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        if len(self.buf) < end + 4 + length:
            return
        self.buf = self.buf[end + 4 + length:]
        waiter, self.waiter = self.waiter, None
        if not waiter.done():
            waiter.set_result(int(head[0].split(b" ", 2)[1]))

    def connection_lost(self, exc) -> None:  # noqa: ANN001
        self.closed = True
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(ConnectionResetError("connection lost"))


class Poster:
    """Webhook POSTs on a pool of keep-alive connections per server, without an HTTP client library.
    The client shares the machine with the server it measures; aiohttp spent ~0.5 ms of CPU per post."""

    def __init__(self, limit: int = 128) -> None:
        self.limit = limit
        self.idle: dict[tuple[str, int], list[_Conn]] = {}
        self.count: dict[tuple[str, int], int] = {}
        self.free: dict[tuple[str, int], asyncio.Condition] = {}

    async def post(self, url: str, body: bytes, headers: dict[str, str]) -> int:
        from urllib.parse import urlsplit

        u = urlsplit(url)
        key = (u.hostname or "127.0.0.1", u.port or 80)
        cond = self.free.setdefault(key, asyncio.Condition())
        idle = self.idle.setdefault(key, [])
        async with cond:
            while not idle and self.count.get(key, 0) >= self.limit:
                await cond.wait()
            conn = idle.pop() if idle else None
            if conn is None:
                self.count[key] = self.count.get(key, 0) + 1
        try:
            if conn is None or conn.closed:
                _, conn = await asyncio.get_running_loop().create_connection(_Conn, *key)
            head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
            conn.waiter = asyncio.get_running_loop().create_future()
            conn.transport.write(f"POST {u.path} HTTP/1.1\r\nHost: {key[0]}:{key[1]}\r\n{head}"  # type: ignore[union-attr]
                                 f"Content-Length: {len(body)}\r\n\r\n".encode("latin-1") + body)
            status = await conn.waiter
        except BaseException:
            if conn is not None and conn.transport is not None:
                conn.transport.close()
            async with cond:
                self.count[key] -= 1
                cond.notify()
            raise
        async with cond:
            idle.append(conn)
            cond.notify()
        return status


async def run_step(session, fake_url: str, servers: list[str], users: list[str], rate: int, seconds: float,  # noqa: ANN001
                   dup_fraction: float, counter: list[int], drain_timeout: float, cpu_pids: dict) -> dict:
    from tests.fakes.line_webhook import new_ulid

    n = int(rate * seconds)
    events = []
    for i in range(n):
        uid = users[(counter[0] + i) % len(users)]
        token = uuid.uuid4().hex
        events.append({"uid": uid, "token": token, "id": new_ulid(), "text": TEXTS[(counter[0] + i) // len(users) % len(TEXTS)]})
    counter[0] += n
    # reply tokens must be known to the fake (as LINE issues them): register them before the clock starts
    sem = asyncio.Semaphore(32)

    async def register(ev: dict) -> None:
        async with sem:
            async with session.post(f"{fake_url}/__fake/reply-token", json={"to": ev["uid"], "replyToken": ev["token"]}) as r:
                await r.read()

    await asyncio.gather(*(register(ev) for ev in events))
    async with session.get(f"{fake_url}/__fake/calls?since=0") as r:
        calls_before = (await r.json())["next"]

    if "database" in cpu_pids:  # PostgreSQL's backends (the server processes' pooled connections)
        import psutil

        cpu_pids["database"] = [p.pid for p in psutil.process_iter(["name"]) if p.info["name"] == "postgres"]
    cpu_before = {k: cpu_seconds(v) for k, v in cpu_pids.items()}
    acks: list[float] = []
    statuses: dict[int, int] = {}
    sent_at: dict[str, float] = {}
    step_dup = max(1, int(1 / dup_fraction)) if dup_fraction > 0 else 0
    poster = Poster()

    async def post(ev: dict, idx: int, again: bool) -> None:
        body = {"destination": "U" + "0" * 31 + "1", "events": [{
            "type": "message", "mode": "active", "timestamp": int(time.time() * 1000),
            "source": {"type": "user", "userId": ev["uid"]}, "webhookEventId": ev["id"],
            "deliveryContext": {"isRedelivery": again}, "replyToken": ev["token"],
            "message": {"type": "text", "id": str(10**17 + idx), "text": ev["text"], "quoteToken": ev["token"]}}]}
        raw, headers = signed(body)
        url = servers[idx % len(servers)] + "/webhooks/line"
        t0 = time.perf_counter()
        if not again:
            sent_at[ev["token"]] = time.time()
        for attempt in range(2):  # a connection that dropped is retried once, as LINE redelivers
            try:
                status = await poster.post(url, raw, headers)
                statuses[status] = statuses.get(status, 0) + 1
                break
            except (ConnectionError, OSError):
                if attempt == 0:
                    statuses["retried"] = statuses.get("retried", 0) + 1
                    continue
                statuses[-1] = statuses.get(-1, 0) + 1
                return
            except Exception:  # noqa: BLE001
                statuses[-1] = statuses.get(-1, 0) + 1
                return
        if not again:
            acks.append((time.perf_counter() - t0) * 1000)

    tasks = []
    start = time.perf_counter()
    for i, ev in enumerate(events):
        delay = start + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(post(ev, i, False)))
        if step_dup and i % step_dup == step_dup - 1:
            tasks.append(asyncio.create_task(post(ev, i + 1, True)))  # the other process, when there are two
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - start

    # wait until every event has its reply (or the drain timeout passes)
    by_token = {ev["token"]: ev for ev in events}
    by_key = {str(uuid.uuid5(RETRY_NAMESPACE, f"line:{ev['id']}:0")): ev for ev in events}
    got: dict[str, list[float]] = {}
    since = calls_before
    deadline = time.monotonic() + drain_timeout
    while True:
        async with session.get(f"{fake_url}/__fake/calls?since={since}") as r:
            page = await r.json()
        since = page["next"]
        for call in page["items"]:
            if call.get("status") not in (200,):
                continue
            ev = None
            if call["operation"] == "replyMessage":
                ev = by_token.get((call.get("body") or {}).get("replyToken"))
            elif call["operation"] == "pushMessage" and call.get("retry_key"):
                ev = by_key.get(call["retry_key"])
            if ev is not None:
                got.setdefault(ev["token"], []).append(call["at"])
        if len(got) >= len(events) or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.25)
    cpu_ms = {k: (cpu_seconds(v) - cpu_before[k]) * 1000 / max(1, n) for k, v in cpu_pids.items()}
    reply_ms = [(min(ts) - sent_at[tok]) * 1000 for tok, ts in got.items() if tok in sent_at]
    lost = len(events) - len(got)
    duplicated = sum(len(ts) - 1 for ts in got.values() if len(ts) > 1)
    async with session.get(f"{fake_url}/__fake/violations") as r:
        violations = len(await r.json())
    return {"rate": rate, "events": n, "accepted_per_s": statuses.get(200, 0) / elapsed if elapsed else 0,
            "elapsed": elapsed, "statuses": statuses, "ack_p50": pct(acks, 50), "ack_p99": pct(acks, 99),
            "reply_p50": pct(reply_ms, 50), "reply_p99": pct(reply_ms, 99), "lost": lost, "duplicated": duplicated,
            "violations": violations, "cpu_ms": cpu_ms}


async def main_async(args: argparse.Namespace) -> int:
    import aiohttp

    workdir = Path(tempfile.mkdtemp(prefix="khruakhai-bench-"))
    procs: list[subprocess.Popen] = []
    py = sys.executable
    env = dict(os.environ, PYTHAINLP_READ_ONLY="1", PYTHONPATH=str(ROOT))
    started = time.monotonic()
    try:
        fake_port = free_port()
        fake = start_process([py, "-m", "tests.fakes.server", "line", "--port", str(fake_port), "--token", TOKEN],
                             env, workdir / "fake.log")
        procs.append(fake)
        line = fake.stdout.readline().strip()  # type: ignore[union-attr]
        if not line.startswith("READY"):
            raise RuntimeError(f"fake LINE server did not start: {line!r}")
        fake_url = line.split()[1]

        db_url = args.database_url or f"sqlite:///{workdir}/bench.db"
        schema = None
        if db_url.startswith("postgresql"):
            schema = f"bench_{uuid.uuid4().hex[:8]}"
            from sqlalchemy import create_engine, text

            admin = create_engine(db_url)
            with admin.begin() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            admin.dispose()
        from storage.migrate import upgrade

        upgrade(db_url, schema=schema)
        nproc = args.processes or (1 if db_url.startswith("sqlite") else 2)
        servers = []
        server_env = dict(env, DATABASE_URL=db_url, LINE_CHANNEL_SECRET=SECRET, LINE_CHANNEL_ACCESS_TOKEN=TOKEN,
                          LINE_API_BASE_URL=fake_url, LINE_DATA_API_BASE_URL=fake_url + "/__data",
                          SCHEDULER_ENABLED="false", SEED_DEMO="false")
        server_env.pop("TELEGRAM_BOT_TOKEN", None)
        if schema:
            server_env["DATABASE_SCHEMA"] = schema
        for i in range(nproc):
            port = free_port()
            launcher = [args.launcher] if args.launcher else ["-m", "bot.cli"]
            procs.append(start_process([py, *launcher, "serve", "--port", str(port), "--no-migrate"],
                                       server_env, workdir / f"serve{i}.log"))
            servers.append(f"http://127.0.0.1:{port}")

        connector = aiohttp.TCPConnector(limit=256)
        async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=30)) as session:
            for s in servers:
                await wait_http(session, s + "/healthz")
            users = ["U" + uuid.uuid4().hex for _ in range(args.users)]
            print(f"database: {'SQLite' if db_url.startswith('sqlite') else 'PostgreSQL'}  server processes: {nproc}  "
                  f"users: {args.users}  step: {args.seconds:.0f} s  dup fraction: {args.dup_fraction}")
            print(f"{'rate':>6} {'events':>7} {'acc/s':>7} {'ack p50':>8} {'ack p99':>8} {'reply p50':>10} "
                  f"{'reply p99':>10} {'lost':>5} {'dup':>4} {'viol':>5}  CPU ms/event (server, fake, client, PostgreSQL)  statuses")
            cpu_pids = {"server": [p.pid for p in procs[1:]], "fake": [procs[0].pid], "client": [os.getpid()]}
            if schema:
                cpu_pids["database"] = []
            counter = [0]
            worst_ok = True
            for rate in args.rates:
                if time.monotonic() - started > args.max_seconds:
                    print("time budget reached; stopping")
                    break
                r = await run_step(session, fake_url, servers, users, rate, args.seconds, args.dup_fraction,
                                   counter, args.drain_timeout, cpu_pids)
                cpu = r["cpu_ms"]
                print(f"{r['rate']:>6} {r['events']:>7} {r['accepted_per_s']:>7.0f} {r['ack_p50']:>6.1f}ms "
                      f"{r['ack_p99']:>6.1f}ms {r['reply_p50']:>8.0f}ms {r['reply_p99']:>8.0f}ms {r['lost']:>5} "
                      f"{r['duplicated']:>4} {r['violations']:>5}  {cpu['server']:>6.2f} {cpu['fake']:>5.2f} "
                      f"{cpu['client']:>5.2f} {cpu['database'] if 'database' in cpu else float('nan'):>5.2f}"
                      f"             {r['statuses']}", flush=True)
                worst_ok = worst_ok and r["lost"] == 0 and r["duplicated"] == 0
                await asyncio.sleep(1.0)
        if schema:
            from sqlalchemy import create_engine, text

            admin = create_engine(db_url)
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()
        return 0 if worst_ok else 1
    finally:
        for p in reversed(procs):
            stop_process(p)
        if args.keep_logs:
            print(f"logs in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--database-url", help="default: a fresh SQLite file; a PostgreSQL URL gets its own schema")
    ap.add_argument("--processes", type=int, help="server processes (default 1 on SQLite, 2 on PostgreSQL)")
    ap.add_argument("--rates", type=lambda s: [int(x) for x in s.split(",")], default=[100, 250, 500])
    ap.add_argument("--seconds", type=float, default=10.0, help="length of each rate step")
    ap.add_argument("--users", type=int, default=500)
    ap.add_argument("--dup-fraction", type=float, default=0.02, help="share of bodies posted twice")
    ap.add_argument("--drain-timeout", type=float, default=30.0)
    ap.add_argument("--max-seconds", type=float, default=300.0, help="stop starting new steps after this")
    ap.add_argument("--keep-logs", action="store_true")
    ap.add_argument("--launcher", help="a Python file to run instead of `-m bot.cli` (same arguments)")
    args = ap.parse_args()
    import gc

    gc.set_threshold(50_000, 20, 100)  # its own collector's pauses would count as the server's latency
    try:  # the client takes CPU from the server on the same machine: the leaner loop when there is one
        import uvloop

        runner = uvloop.run
    except ImportError:
        runner = asyncio.run
    sys.exit(runner(main_async(args)))


if __name__ == "__main__":
    main()
