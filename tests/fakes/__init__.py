"""Local fake LINE / Telegram API servers validating requests against the official specs.

See README.md in this directory.  Names are imported lazily so that
``python -m tests.fakes.server`` does not import its own module twice.
"""

from typing import Any

__all__ = ["FakeLine", "FakeTelegram", "ThreadedServer", "serve_in_thread"]


def __getattr__(name: str) -> Any:
    if name == "FakeLine":
        from .line_api import FakeLine
        return FakeLine
    if name == "FakeTelegram":
        from .telegram_api import FakeTelegram
        return FakeTelegram
    if name in ("ThreadedServer", "serve_in_thread"):
        from . import server
        return getattr(server, name)
    raise AttributeError(name)
