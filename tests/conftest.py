"""Shared fixtures: a migrated database per test (SQLite, and PostgreSQL when TEST_DATABASE_URL is set),
a runtime with a frozen clock, and an in-process chat for transcript tests."""
from __future__ import annotations

import os
import shutil
import uuid
from datetime import datetime
from pathlib import Path

os.environ.setdefault("PYTHAINLP_READ_ONLY", "1")

import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy import text

from bot.clock import BANGKOK, Clock
from bot.config import Settings
from bot.runtime import Runtime
from bot.wiring import build, register_all
from storage.db import Database
from storage.migrate import upgrade
from tests.transcript import Chat

PG_URL = os.environ.get("TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])
RUN_ID = uuid.uuid4().hex[:8]

pytest_plugins = ["tests.fakes.fixtures"]

# Property tests draw the same examples on every run (a derandomized profile), so a result never depends
# on the luck of a run and a failure in CI is the same failure on a laptop. To hunt for new failing
# examples, run with HYPOTHESIS_PROFILE=explore (random draws, more of them).
hypothesis_settings.register_profile("repeatable", derandomize=True, print_blob=True)
hypothesis_settings.register_profile("explore", derandomize=False, max_examples=1000, print_blob=True)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


@pytest.fixture(autouse=True, scope="session")
def registered_capabilities() -> None:
    """Every conversation, intent, audience and reminder source registered, as the server does at start
    (tests that only look things up in the registries, without building a runtime, need it too)."""
    register_all()


@pytest.fixture(autouse=True)
def fresh_process_state() -> None:
    """What the bot keeps per process (the long-button token memory and its database writer) starts
    empty in every test, as in a freshly started server: no test passes on what an earlier one left."""
    from bot import callback_values
    from bot.channels import telegram_format

    def reset() -> None:
        if callback_values._writer is not None:
            callback_values._writer.stop()
            callback_values._writer = None
        telegram_format.set_callback_store(None, None)
        with telegram_format._memory_lock:
            telegram_format._memory.clear()

    reset()
    yield
    reset()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_schema() -> str | None:
    """One fresh schema per run (dropped afterwards), so runs never collide."""
    if not PG_URL:
        yield None
        return
    schema = f"test_{RUN_ID}"
    admin = Database(PG_URL)
    with admin.engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    upgrade(PG_URL, schema=schema)
    yield schema
    for engine, _sql in _PG_RESET.values():
        engine.dispose()  # type: ignore[attr-defined]
    with admin.engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> tuple[str, str | None]:
    if request.param == "sqlite":
        path = tmp_path / "khruakhai.db"
        shutil.copy(sqlite_template, path)
        return f"sqlite:///{path}", None
    schema = request.getfixturevalue("pg_schema")
    _empty_pg_schema(schema)
    return PG_URL, schema  # type: ignore[return-value]


_PG_RESET: dict[str, tuple[object, str]] = {}


def _empty_pg_schema(schema: str) -> None:
    """Every table of the run's schema emptied and every id counter back at 1, in one round trip on one
    kept connection pool (TRUNCATE of every table cost ~75 ms a test; DELETE with the foreign-key triggers
    off and setval cost a few)."""
    if schema not in _PG_RESET:
        from sqlalchemy import create_engine

        engine = create_engine(PG_URL, pool_size=1)  # type: ignore[arg-type]
        with engine.connect() as conn:
            tables = [r[0] for r in conn.execute(text(
                "SELECT tablename FROM pg_tables WHERE schemaname = :s AND tablename <> 'alembic_version'"),
                {"s": schema})]
            sequences = [r[0] for r in conn.execute(text(
                "SELECT sequencename FROM pg_sequences WHERE schemaname = :s"), {"s": schema})]
        sql = ["SET LOCAL session_replication_role = replica"]
        sql += [f'DELETE FROM "{schema}"."{t}"' for t in tables]
        if sequences:
            sql.append("SELECT " + ", ".join(f"setval('\"{schema}\".\"{q}\"', 1, false)" for q in sequences))
        _PG_RESET[schema] = (engine, ";\n".join(sql))
    engine, sql = _PG_RESET[schema]
    with engine.begin() as conn:  # type: ignore[attr-defined]
        conn.exec_driver_sql(sql)


@pytest.fixture
def settings(database_url: tuple[str, str | None]) -> Settings:
    url, schema = database_url
    return Settings(_env_file=None, database_url=url, database_schema=schema, scheduler_enabled=False,
                    line_channel_secret=None, line_channel_access_token=None, telegram_bot_token=None)


@pytest.fixture
def clock() -> Clock:
    """The process clock, frozen on a Wednesday morning in Bangkok (inside working hours).

    It is the one clock object everything reads (model defaults included), so moving it moves time
    for the whole bot."""
    from bot.clock import clock as process_clock

    process_clock.set(datetime(2026, 11, 25, 10, 0, tzinfo=BANGKOK))
    yield process_clock
    process_clock.set(None)


@pytest.fixture
def runtime(settings: Settings, clock: Clock) -> Runtime:
    rt = build(settings, clock=clock)
    yield rt
    rt.db.dispose()


@pytest.fixture
def chat(runtime: Runtime) -> Chat:
    return Chat(runtime, "somsri")


@pytest.fixture
def new_chat(runtime: Runtime):  # noqa: ANN201
    """Make more members: `new_chat("name")`."""
    return lambda name: Chat(runtime, name)


@pytest.fixture
def cli(settings: Settings, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    """Run `khruakhai ARGS` in this process (typer's runner) against the test's database: `cli([...],
    input="...")` gives the exit code, stdout and stderr. Starting a Python per command cost seconds;
    tests/test_web_and_cli.py keeps one run in a real process for the entry point itself."""
    from typer.testing import CliRunner

    from bot.cli import app
    from bot.config import get_settings

    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    if settings.database_schema:
        monkeypatch.setenv("DATABASE_SCHEMA", settings.database_schema)
    else:
        monkeypatch.delenv("DATABASE_SCHEMA", raising=False)
    get_settings.cache_clear()
    yield lambda args, input=None: CliRunner().invoke(app, args, input=input)
    get_settings.cache_clear()
