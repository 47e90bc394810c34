"""Run Alembic migrations programmatically (used by `khruakhai db upgrade`, `make run` and tests).

Each capability adds its own migration branching from the foundation, so `upgrade` goes to
"heads": independent branches (outbox, events, reports, console) apply in any order.
"""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str, *, schema: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    cfg.attributes["schema"] = schema
    return cfg


def upgrade(url: str, *, schema: str | None = None, revision: str = "heads") -> None:
    command.upgrade(alembic_config(url, schema=schema), revision)


def downgrade(url: str, *, schema: str | None = None, revision: str = "base") -> None:
    command.downgrade(alembic_config(url, schema=schema), revision)


def current(url: str, *, schema: str | None = None) -> None:
    command.current(alembic_config(url, schema=schema), verbose=False)
