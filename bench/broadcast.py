"""Broadcast benchmark: N members (80% LINE, 20% Telegram) against local fake LINE/Telegram servers that
enforce the platform rate limits and answer 1% of sends with 429 and 1% with 500.

    .venv/bin/python bench/broadcast.py --members 100000          # the full run (~12 minutes: Telegram 30/s)
    .venv/bin/python bench/broadcast.py --members 2000            # a quick one
    .venv/bin/python bench/broadcast.py --members 100000 --line-only   # only the 80,000 LINE members

Prints wall time, calls made, the achieved rate as a fraction of the allowed rate per channel, duplicate
and missing deliveries (from the fakes' own records) and the peak RSS of the sending process.
Targets: duplicates 0, missing 0; LINE within 1.2x of the rate-limit bound; Telegram >= 28 msg/s
sustained; peak RSS < 300 MB. Only 127.0.0.1 traffic; every wait is bounded.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PYTHAINLP_READ_ONLY", "1")

LINE_TOKEN = "bench-line-token"
TG_TOKEN = "123456789:BENCH-khruakhai-token"


def start_fake(kind: str, args: argparse.Namespace) -> tuple[subprocess.Popen, str]:
    cmd = [sys.executable, "-m", "tests.fakes.server", kind, "--port", "0", "--token",
           LINE_TOKEN if kind == "line" else TG_TOKEN, "--fail-429", str(args.fail_429),
           "--fail-500", str(args.fail_500), "--seed", str(args.seed)]
    if not args.no_rate_limits:
        cmd.append("--rate-limits")
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = proc.stdout.readline() if proc.stdout else ""
        if line.startswith("READY "):
            return proc, line.split()[1]
    proc.kill()
    raise RuntimeError(f"fake {kind} did not start")


def fetch(url: str, timeout: float = 120) -> dict:
    with urllib.request.urlopen(url, timeout=timeout) as resp:  # noqa: S310 - 127.0.0.1 only
        return json.loads(resp.read())


def fetch_all(base: str, what: str) -> list[dict]:
    items: list[dict] = []
    since = 0
    for _ in range(10_000):  # bounded
        page = fetch(f"{base}/__fake/{what}?since={since}")
        if not page["items"]:
            return items
        items.extend(page["items"])
        since = page["next"]
    return items


def seed(db, n: int, line_share: float, line_only: bool = False) -> tuple[list[str], list[int]]:  # noqa: ANN001
    from sqlalchemy import insert

    from bot.clock import db_now
    from storage.models import Member, MemberIdentity, Organization

    now = db_now()
    n_line = int(n * line_share)
    if line_only:
        n = n_line
    line_ids = ["U" + uuid.UUID(int=i + 1).hex for i in range(n_line)]
    tg_ids = [700_000_000 + i for i in range(n - n_line)]
    step = 5000
    with db.session() as s:
        for start in range(0, n, step):
            stop = min(n, start + step)
            s.execute(insert(Organization), [
                {"id": i + 1, "name": f"องค์กร {i}", "name_key": f"k{i}", "kind": "public_benefit",
                 "province": "พิษณุโลก", "listed": True, "verified": True, "is_demo": False, "created_at": now}
                for i in range(start, stop)])
            s.execute(insert(Member), [
                {"id": i + 1, "organization_id": i + 1, "locale": "th", "role": "member", "consent_at": now,
                 "announcements_opt_out": False, "is_demo": False, "created_at": now} for i in range(start, stop)])
            s.execute(insert(MemberIdentity), [
                {"member_id": i + 1, "channel": "line" if i < n_line else "telegram",
                 "address": f"line:{line_ids[i]}" if i < n_line else f"telegram:{tg_ids[i - n_line]}",
                 "reachable": True, "created_at": now} for i in range(start, stop)])
    return line_ids, tg_ids


def rate_window(calls: list[dict], ops: set[str], key: str) -> tuple[int, float]:
    times = sorted(c["at"] for c in calls if c.get(key) in ops)
    if len(times) < 2:
        return len(times), 0.0
    return len(times), times[-1] - times[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--members", type=int, default=100_000)
    ap.add_argument("--line-share", type=float, default=0.8)
    ap.add_argument("--fail-429", type=float, default=0.01)
    ap.add_argument("--fail-500", type=float, default=0.01)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--database-url", default=None, help="default: a new SQLite file in a temp dir")
    ap.add_argument("--no-rate-limits", action="store_true")
    ap.add_argument("--line-only", action="store_true",
                    help="seed only the LINE share of --members (no Telegram: seconds instead of minutes)")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = ap.parse_args()

    from bot.clock import clock
    from bot.config import Settings
    from bot.delivery import Drainer, broadcast_counts
    from bot.outbox import create_broadcast
    from bot.config import DeliveryConfig
    from bot.wiring import build
    from storage.migrate import upgrade
    from storage.models import Broadcast

    tmp = tempfile.mkdtemp(prefix="khruakhai-bench-")
    url = args.database_url or f"sqlite:///{tmp}/bench.db"
    line_proc, line_url = start_fake("line", args)
    tg_proc, tg_url = start_fake("telegram", args)
    try:
        upgrade(url)
        settings = Settings(_env_file=None, database_url=url, line_channel_secret="x",
                            line_channel_access_token=LINE_TOKEN, line_api_base_url=line_url,
                            telegram_bot_token=TG_TOKEN, telegram_api_base_url=tg_url, scheduler_enabled=False,
                            quiet_hours_start=0, quiet_hours_end=0)  # the bench must not wait for the morning
        clock.set(None)
        rt = build(settings)
        t = time.perf_counter()
        line_ids, tg_ids = seed(rt.db, args.members, args.line_share, args.line_only)
        print(f"seeded {len(line_ids) + len(tg_ids):,} members in {time.perf_counter() - t:.1f} s "
              f"({len(line_ids):,} LINE, {len(tg_ids):,} Telegram)", flush=True)
        cfg = DeliveryConfig(_env_file=None)
        with rt.db.session() as s:
            bid = create_broadcast(s, text="ขอเชิญร่วมเวทีเสวนาเครือข่ายองค์การสวัสดิการสังคม จังหวัดพิษณุโลก",
                                   audience={"name": "province", "param": "*"}, scope_province=None).id

        async def run() -> float:
            drainer = Drainer(rt, cfg)
            start = time.perf_counter()
            last = start
            try:
                for _ in range(10_000):  # bounded: each pass ends when nothing is due
                    await drainer.drain()
                    with rt.db.session() as s:
                        b = s.get(Broadcast, bid)
                        if b.status == "done":
                            break
                    await asyncio.sleep(0.2)
                    if time.perf_counter() - last > 15:
                        with rt.db.session() as s:
                            print(f"  {time.perf_counter() - start:6.0f} s {dict(broadcast_counts(s, bid))}", flush=True)
                        last = time.perf_counter()
            finally:
                await drainer.aclose()
            return time.perf_counter() - start

        wall = asyncio.run(run())
        peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        with rt.db.session() as s:
            b = s.get(Broadcast, bid)
            result = {"total": b.total, "delivered": b.delivered, "failed": b.failed, "unreachable": b.unreachable}

        line_state = fetch(f"{line_url}/__fake/state")
        tg_state = fetch(f"{tg_url}/__fake/state")
        line_calls = fetch_all(line_url, "calls")
        tg_calls = fetch_all(tg_url, "calls")
        lc = line_state["delivered_counts"]
        tc = tg_state["delivered_counts"]
        dup = sum(max(0, v - 1) for v in lc.values()) + sum(max(0, v - 1) for v in tc.values())
        missing = sum(1 for u in line_ids if lc.get(u, 0) == 0) + sum(1 for c in tg_ids if tc.get(str(c), 0) == 0)

        n_line_calls, line_window = rate_window(line_calls, {"multicast", "pushMessage"}, "operation")
        line_status = Counter(str(c["status"]) for c in line_calls if c.get("operation") in ("multicast", "pushMessage"))
        line_bound = n_line_calls / cfg.line_multicast_rate
        n_tg_calls, tg_window = rate_window(tg_calls, {"sendMessage"}, "method")
        tg_status = Counter(str(c["status"]) for c in tg_calls if c.get("method") == "sendMessage")
        tg_ok = tg_status.get("200", 0)
        tg_rate = tg_ok / tg_window if tg_window else 0.0
        line_rate = n_line_calls / line_window if line_window else float("inf")
        figures = {
            "members": len(line_ids) + len(tg_ids), "wall_seconds": round(wall, 1), "result": result,
            "line": {"calls": n_line_calls, "status": dict(line_status), "window_seconds": round(line_window, 3),
                     "rate_limit_bound_seconds": round(line_bound, 3),
                     "window_over_bound": round(line_window / line_bound, 2) if line_bound else None,
                     "achieved_calls_per_s": round(line_rate, 1),
                     "fraction_of_allowed": round(line_rate / cfg.line_multicast_rate, 2)},
            "telegram": {"calls": n_tg_calls, "status": dict(tg_status), "window_seconds": round(tg_window, 1),
                         "delivered_per_s": round(tg_rate, 2),
                         "fraction_of_allowed": round(tg_rate / cfg.telegram_rate, 3)},
            "duplicates": dup, "missing": missing, "peak_rss_mb": round(peak_rss_mb, 1),
        }
        print(f"\nmembers            {len(line_ids) + len(tg_ids):,} ({len(line_ids):,} LINE, {len(tg_ids):,} Telegram)")
        print(f"wall time          {wall:.1f} s (expand + send + record; seeding excluded)")
        print(f"result             {result}")
        print(f"LINE calls         {n_line_calls} {dict(line_status)} in {line_window:.2f} s; "
              f"rate-limit bound {line_bound:.2f} s ({n_line_calls} calls / {cfg.line_multicast_rate:.0f} per s) "
              f"-> {figures['line']['window_over_bound']}x the bound; {line_rate:.0f} calls/s = "
              f"{figures['line']['fraction_of_allowed']:.2f} of the allowed rate")
        print(f"Telegram calls     {n_tg_calls} {dict(tg_status)} in {tg_window:.1f} s; {tg_rate:.2f} messages/s "
              f"delivered = {figures['telegram']['fraction_of_allowed']:.3f} of the allowed 30/s")
        print(f"duplicates         {dup}")
        print(f"missing            {missing}")
        print(f"peak RSS           {peak_rss_mb:.0f} MB (this process)")
        if args.json:
            print(json.dumps(figures))
    finally:
        for p in (line_proc, tg_proc):
            p.terminate()
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()


if __name__ == "__main__":
    main()
