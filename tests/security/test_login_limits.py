"""Console login: the lockout holds under parallel attempts (PostgreSQL counts each one), and one client
address that keeps guessing must wait, whatever accounts it tries."""
from __future__ import annotations

import threading

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from bot import i18n
from bot.server import create_app
from storage.models.console import OfficerLogin
from storage.repositories import console as console_repo
from tests.console.conftest import login

PASSWORD = "right-password-0123"
PARALLEL = 8  # more than the 5 wrong passwords that lock an account; within the connection pool


def _create(runtime, email: str) -> int:  # noqa: ANN001
    with runtime.db.session() as s:
        return console_repo.create_login(s, email=email, password=PASSWORD, province=None).id


def test_parallel_wrong_passwords_all_count_and_lock(runtime, monkeypatch) -> None:  # noqa: ANN001
    if runtime.settings.database_url.startswith("sqlite"):
        pytest.skip("parallel writers share a database on PostgreSQL (SQLite: one process)")
    login_id = _create(runtime, "plk@example.go.th")
    # Every attempt has read the account before any of them answers: the worst interleaving, every time.
    barrier = threading.Barrier(PARALLEL, timeout=30)
    real_check = console_repo.check_password

    def slow_wrong(password_hash: str, password: str) -> bool:
        ok = real_check(password_hash, password)
        if password != PASSWORD:
            barrier.wait()
        return ok

    monkeypatch.setattr(console_repo, "check_password", slow_wrong)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def attempt() -> None:
        try:
            with runtime.db.session() as s:
                outcomes.append(console_repo.authenticate(s, email="plk@example.go.th", password="wrong-guess").outcome)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=attempt) for _ in range(PARALLEL)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    with runtime.db.session() as s:
        row = s.get(OfficerLogin, login_id)
        assert row.failed_attempts == PARALLEL and row.locked_until is not None
        # locked: the right password is refused too
        assert console_repo.authenticate(s, email="plk@example.go.th", password=PASSWORD).outcome == "locked"
    assert outcomes.count("locked") >= PARALLEL - 4


def test_one_address_guessing_many_accounts_must_wait(runtime) -> None:  # noqa: ANN001
    runtime.settings.login_failures_per_address = 6
    _create(runtime, "nma@example.go.th")
    app = create_app(runtime=runtime, start_scheduler=False)
    with TestClient(app, follow_redirects=False, client=("203.0.113.7", 40000)) as guesser:
        for i in range(6):  # never the same account twice: no account lockout is reached
            assert login(guesser, f"guess{i}@example.go.th", "wrong-guess").status_code == 401
        refused = login(guesser, "nma@example.go.th", PASSWORD)  # even the right password, from this address
        assert refused.status_code == 429
        assert i18n.t("console.login.too_many_from_address", "th", minutes=15) in refused.text
    with TestClient(app, follow_redirects=False, client=("198.51.100.2", 40000)) as officer:
        assert login(officer, "nma@example.go.th", PASSWORD).status_code == 303  # another address is not affected
