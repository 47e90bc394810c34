"""Channel adapters. Each owns its webhook route and turns platform events into `IncomingMessage`s
and our `Reply`s into platform messages; none decides what to say.

`mount_channels` asks each channel module to mount itself; a channel whose credentials are
missing is skipped with one log line and the rest of the server runs.
"""
from __future__ import annotations

import importlib
import logging

from fastapi import FastAPI

from bot.runtime import Runtime

log = logging.getLogger(__name__)

# Module names under bot.channels that expose `mount(app, runtime) -> bool`.
CHANNEL_MODULES = ("web", "line", "telegram")


def mount_channels(app: FastAPI, runtime: Runtime) -> list[str]:
    started = []
    for name in CHANNEL_MODULES:
        try:
            module = importlib.import_module(f"bot.channels.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"bot.channels.{name}":
                continue
            raise
        if module.mount(app, runtime):
            started.append(name)
    return started
