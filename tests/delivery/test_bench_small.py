"""A small run of bench/broadcast.py: 500 members (30 on Telegram, paced at 30/s), with 429s and 5xx (the full
100,000-member run takes ~12 minutes; see docs/delivery.md)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_small_broadcast_bench_has_no_duplicates_or_missing(tmp_path) -> None:  # noqa: ANN001
    env = {**os.environ, "PYTHAINLP_READ_ONLY": "1"}
    env = {k: v for k, v in env.items() if not k.startswith(("DELIVERY_", "DATABASE_"))}
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "broadcast.py"), "--members", "500",
                          "--line-share", "0.94", "--json"],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=240)
    assert out.returncode == 0, out.stdout + out.stderr
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    assert figures["duplicates"] == 0 and figures["missing"] == 0
    assert figures["result"]["delivered"] == 500
    # Speed and memory are figures the bench prints (see docs/delivery.md), not assertions here.
