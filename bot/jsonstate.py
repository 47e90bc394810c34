"""JSON for conversation state: keeps dates, datetimes and Decimals round-tripping through the database."""
from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any


def encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, date):
        return {"$d": value.isoformat()}
    if isinstance(value, time):
        return {"$t": value.isoformat()}
    if isinstance(value, Decimal):
        return {"$dec": str(value)}
    if isinstance(value, tuple | list):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {k: encode(v) for k, v in value.items()}
    return value


def decode(value: Any) -> Any:
    if isinstance(value, dict):
        if len(value) == 1:
            (tag, raw), = value.items()
            if tag == "$dt":
                return datetime.fromisoformat(raw)
            if tag == "$d":
                return date.fromisoformat(raw)
            if tag == "$t":
                return time.fromisoformat(raw)
            if tag == "$dec":
                return Decimal(raw)
        return {k: decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v) for v in value]
    return value
