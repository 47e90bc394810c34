"""Settings, database, engine and clock, held together for the server, the CLI, the scheduler and tests.

Build it through the composition root, `bot.wiring.build`, which registers every capability first."""
from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock, clock as default_clock
from bot.config import Settings
from bot.engine import Engine
from bot.registry import INTENTS
from storage.db import Database


@dataclass
class Runtime:
    settings: Settings
    db: Database
    engine: Engine
    clock: Clock


def build(settings: Settings, *, clock: Clock | None = None, db: Database | None = None) -> Runtime:
    """`settings`: built once by the entry point (the CLI's `get_settings()`, a test's own) and passed down.
    The runtime alone: the engine knows only what has been registered (`bot.wiring.build` does that)."""
    if not INTENTS:  # a bot that answers "not understood" to everything would be a quiet failure
        raise RuntimeError("no conversation is registered: build the runtime with bot.wiring.build")
    db = db or Database(settings.database_url, schema=settings.database_schema)
    clk = clock or default_clock
    return Runtime(settings=settings, db=db, engine=Engine(db, settings, clk), clock=clk)
