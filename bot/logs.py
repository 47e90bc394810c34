"""Logging set-up. Secrets never reach the logs: tokens are redacted from every record."""
from __future__ import annotations

import logging
import re

# Telegram puts the bot token in the URL path; LINE tokens travel in headers we never log.
_PATTERNS = (re.compile(r"bot\d{3,}:[A-Za-z0-9_-]{20,}"), re.compile(r"(Bearer\s+)[A-Za-z0-9+/=._-]{16,}"))


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = message
        for pattern in _PATTERNS:
            redacted = pattern.sub(lambda m: (m.group(1) if m.groups() else "bot") + "***", redacted)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


def setup(level: int = logging.INFO) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs every request URL at INFO; Telegram URLs carry the token.
    for noisy in ("httpx", "httpcore", "telegram", "apscheduler", "alembic.runtime.migration"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
