"""Console secret: `serve` refuses to start behind a public URL without a real SECRET_KEY (anyone could
sign a console session with a known key); on a loopback address it runs with a warning."""
from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.delivery.test_processes import _free_port

ROOT = Path(__file__).resolve().parents[2]


def _env(tmp_path: Path, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.upper().startswith(("SECRET_KEY", "PUBLIC_BASE_URL", "DATABASE_", "LINE_", "TELEGRAM_"))}
    env.update({"DATABASE_URL": f"sqlite:///{tmp_path / 'k.db'}", "PYTHAINLP_READ_ONLY": "1", "PYTHONPATH": str(ROOT),
                "SCHEDULER_ENABLED": "false"})
    env.update(settings)
    return env


@pytest.mark.parametrize("secret", [None, "change-me-in-production", "x" * 31])
def test_serve_refuses_a_public_https_url_without_a_real_secret(tmp_path: Path, secret: str | None) -> None:
    env = _env(tmp_path, PUBLIC_BASE_URL="https://khruakhai.example.go.th")
    if secret is not None:
        env["SECRET_KEY"] = secret
    done = subprocess.run([sys.executable, "-m", "bot.cli", "serve", "--port", str(_free_port()), "--no-migrate"],
                          env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    reason = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(reason) == 1 and "SECRET_KEY" in reason[0] and "Traceback" not in done.stderr


def test_serve_runs_on_loopback_with_a_warning(tmp_path: Path) -> None:
    port = _free_port()
    log = tmp_path / "serve.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "serve", "--port", str(port)],
                                env=_env(tmp_path, PUBLIC_BASE_URL=f"http://127.0.0.1:{port}"), cwd=tmp_path,
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, log.read_text()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        assert "SECRET_KEY is not set" in log.read_text()
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_a_long_random_secret_is_accepted() -> None:
    from bot.config import Settings

    assert Settings(_env_file=None, secret_key="k" * 32, public_base_url="https://x.example").secret_key_problem() is None
    assert Settings(_env_file=None, public_base_url="http://localhost:8000").public_url_is_loopback
    assert not Settings(_env_file=None, public_base_url="http://10.0.0.5").public_url_is_loopback
