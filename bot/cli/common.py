"""Shared bits of the CLI: the runtime and the --now clock option."""
from __future__ import annotations

from datetime import datetime

import typer

from bot.config import get_settings
from bot.runtime import Runtime
from bot.wiring import build


def runtime() -> Runtime:
    """The runtime of a CLI command, with the process's one `Settings` (read from the environment once)."""
    return build(get_settings())


def parse_now(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(f"not an ISO date-time: {value}") from exc


def resolve_province(name: str | None) -> str | None:
    if name is None:
        return None
    from bot.thai import match_province

    province = match_province(name)
    if province is None:
        raise typer.BadParameter(f"unknown province: {name}")
    return province
