"""Wires settings, database and engine together for the server, the CLI and tests."""
from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock, clock as default_clock
from bot.config import Settings
from bot.engine import Engine
from storage.db import Database


@dataclass
class Runtime:
    settings: Settings
    db: Database
    engine: Engine
    clock: Clock


def build(settings: Settings, *, clock: Clock | None = None, db: Database | None = None) -> Runtime:
    """`settings`: built once by the entry point (the CLI's `get_settings()`, a test's own) and passed down."""
    db = db or Database(settings.database_url, schema=settings.database_schema)
    clk = clock or default_clock
    return Runtime(settings=settings, db=db, engine=Engine(db, settings, clk), clock=clk)
