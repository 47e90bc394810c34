"""Logging set-up. Neither secrets nor personal data reach the logs.

Every record that reaches the handler (from any logger: ours, sqlalchemy, uvicorn.error, httpx…) goes
through `redact`, its message and its traceback alike: tokens, phone numbers, chat addresses and user
ids, the row values a database error quotes, and the input a validation error echoes. SQL parameters
are never logged in the first place (`hide_parameters=True` on every engine, storage/db.py).
"""
from __future__ import annotations

import logging
import re

_SECRETS = (
    # Telegram puts the bot token in the URL path; LINE tokens travel in headers we never log.
    (re.compile(r"bot\d{3,}:[A-Za-z0-9_-]{20,}"), "bot***"),
    (re.compile(r"(Bearer\s+)[A-Za-z0-9+/=._-]{16,}"), r"\1***"),
)
_PERSONAL = (
    # what PostgreSQL quotes of a row: "Key (address)=(line:U…)", "Failing row contains (…)"
    (re.compile(r"(Key \([^)\n]*\)=\().*"), r"\1***)"),
    (re.compile(r"(Failing row contains \().*"), r"\1***)"),
    # pydantic's echo of the input it refused
    (re.compile(r"(input_value=)('[^'\n]*'|\"[^\"\n]*\"|[^\s,]+)"), r"\1***"),
    # chat addresses and LINE user ids
    (re.compile(r"\b(line|telegram|web):[^\s'\",)\]}]+"), r"\1:***"),
    (re.compile(r"\bU[0-9a-f]{32}\b"), "U***"),
    # Thai phone numbers, however they are written (081-234-5678, +66 81 234 5678, 021234567)
    (_PHONE := re.compile(r"(?<![\d.])(?:\+66|0)[\s-]?\d(?:[\s.-]?\d){7,8}(?![\d])"), "***"),
)
_FORMATTER = logging.Formatter()


def redact(text: str) -> str:
    """`text` without secrets and personal data (used for log records and the audit log)."""
    for pattern, repl in _SECRETS + _PERSONAL:
        text = pattern.sub(repl, text)
    return text


def redact_phones(text: str) -> str:
    """`text` with every phone number masked (the audit log's details)."""
    return _PHONE.sub("***", text)


class RedactSecrets(logging.Filter):
    """A handler filter: the message, the traceback and the stack of every record are redacted."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = _FORMATTER.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
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
