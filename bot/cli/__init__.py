"""`khruakhai` command line. Each capability adds its sub-commands in a module of this package."""
from __future__ import annotations

import importlib

import typer

app = typer.Typer(help="khruakhai: a LINE and Telegram assistant for social-welfare organization networks.",
                  no_args_is_help=True, pretty_exceptions_enable=False)

# Modules that add commands to `app`; a module missing from this build is skipped.
COMMAND_MODULES = ("serve", "chat", "db", "officer", "officer_login", "export", "events", "deadlines", "reminders",
                   "broadcast", "line", "telegram")

for _name in COMMAND_MODULES:
    try:
        importlib.import_module(f"bot.cli.{_name}")
    except ModuleNotFoundError as _exc:
        if _exc.name != f"bot.cli.{_name}":
            raise
