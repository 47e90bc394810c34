"""bench/scale.py, second half: console pages, exports and the server's cold start."""
from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "bench-password-1234"
PORT = int(os.environ.get("BENCH_PORT", "8105"))


def _env(url: str, schema: str | None) -> dict[str, str]:
    # Both channels configured (as in production), their APIs pointed at a closed local port: start-up
    # must not need them.
    env = dict(os.environ, DATABASE_URL=url, PYTHAINLP_READ_ONLY="1", SCHEDULER_ENABLED="false",
               LINE_CHANNEL_SECRET="bench-secret", LINE_CHANNEL_ACCESS_TOKEN="bench-token",
               LINE_API_BASE_URL="http://127.0.0.1:9", LINE_DATA_API_BASE_URL="http://127.0.0.1:9",
               TELEGRAM_BOT_TOKEN="123456:bench-token", TELEGRAM_API_BASE_URL="http://127.0.0.1:9")
    if schema:
        env["DATABASE_SCHEMA"] = schema
    return env


def bench_console(runtime, show, timed, ms) -> None:  # noqa: ANN001
    from fastapi.testclient import TestClient

    from bot.server import create_app
    from storage.repositories import console as console_repo

    with runtime.db.session() as s:
        console_repo.create_login(s, email="bench@example.go.th", password=PASSWORD, province=None)
    with TestClient(create_app(runtime=runtime, start_scheduler=False), follow_redirects=False) as client:
        page = client.get("/admin/login")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        res = client.post("/admin/login", data={"email": "bench@example.go.th", "password": PASSWORD,
                                                "csrf": csrf, "next": "/admin"})
        assert res.status_code == 303, res.text
        pages = [("overview", "/admin"),
                 ("directory", "/admin/orgs"), ("directory page 2", "/admin/orgs?page=2"),
                 ("directory province + kind", "/admin/orgs?province=พิษณุโลก&kind=public_benefit"),
                 ("directory search typo 'พัฒนาเด็กพิดโลก'", "/admin/orgs?q=พัฒนาเด็กพิดโลก"),
                 ("directory search substring 'ดงประคำ'", "/admin/orgs?q=ดงประคำ"),
                 ("deadlines", "/admin/deadlines"), ("compliance of deadline 1", "/admin/deadlines/1"),
                 ("compliance missing, page 2", "/admin/deadlines/1?status=missing&page=2"),
                 ("events", "/admin/events"), ("registrants of event 2", "/admin/events/2"),
                 ("broadcasts", "/admin/broadcasts"), ("broadcasts page 2", "/admin/broadcasts?page=2"),
                 ("audit", "/admin/audit"), ("audit page 3", "/admin/audit?page=3"),
                 ("inbox", "/admin/inbox"), ("reach", "/admin/reach"),
                 ("organizations nobody can reach", "/admin/reach/unreachable"),
                 ("organizations nobody can reach, page 2", "/admin/reach/unreachable?page=2"),
                 ("broadcast composer (reach counts)", "/admin/broadcasts/new")]
        for label, url in pages:
            client.get(url)
            secs, res = timed(lambda u=url: client.get(u), repeat=3)
            show(f"console {label} ({res.status_code}, {len(res.content) // 1024} KB)", ms(secs), "≤ 300 ms")


def _peak_rss_of(cmd: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """(seconds, peak RSS MB, output) of a child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t = time.perf_counter()
    out = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=900)
    secs = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-2000:])
    # ru_maxrss of children is the largest child so far: run the exports largest last or read it per run.
    return secs, max(peak, before) / 1024, out.stdout + out.stderr


def bench_export(url: str, schema: str | None, show) -> None:  # noqa: ANN001
    cli = str(ROOT / ".venv" / "bin" / "khruakhai")
    out_dir = Path(tempfile.mkdtemp(prefix="khruakhai-export-"))
    for fmt in ("csv", "xlsx"):
        target = out_dir / f"orgs.{fmt}"
        code = ("import resource, time\nfrom bot.cli import app\n"
                f"args = ['export', 'organizations', '--format', '{fmt}', '--out', {str(target)!r}, '--no-progress']\n"
                "try:\n    app(args)\nexcept SystemExit:\n    pass\n"
                "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1]\n"
                "print('PEAK', int(hwm) / 1024, 'CPU', time.process_time())")
        secs, _peak, output = _peak_rss_of([sys.executable, "-c", code], _env(url, schema))
        found = re.search(r"PEAK ([\d.]+) CPU ([\d.]+)", output)
        peak, cpu = float(found.group(1)), float(found.group(2))  # type: ignore[union-attr]
        rows = re.search(r"wrote (\d+)", output)
        show(f"export organizations {fmt.upper()} ({rows.group(1) if rows else '?'} rows, "
             f"{target.stat().st_size // 1024} KB)", f"{secs:.1f} s (CPU {cpu:.1f})", f"peak RSS {peak:.0f} MB "
             "(flat: the same at 10,000 and 50,000)")
    _ = cli


def bench_start(url: str, schema: str | None, show) -> None:  # noqa: ANN001
    """`khruakhai serve` from process start until /healthz answers; its RSS then."""
    cli = str(ROOT / ".venv" / "bin" / "khruakhai")
    env = _env(url, schema)
    t = time.perf_counter()
    proc = subprocess.Popen([cli, "serve", "--port", str(PORT), "--no-migrate"], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ready = None
    try:
        while time.perf_counter() - t < 60:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=1) as r:  # noqa: S310
                    if r.status == 200:
                        ready = time.perf_counter() - t
                        break
            except OSError:
                time.sleep(0.05)
        rss = 0.0
        with open(f"/proc/{proc.pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
            cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        with open(f"/proc/{proc.pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1]) / 1024
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    show("cold start: khruakhai serve until /healthz answers", f"{ready:.2f} s (CPU {cpu:.2f})" if ready
         else "no answer", "≤ 3 s")
    show("server RSS when ready", f"{rss:.0f} MB", "≤ 250 MB")
