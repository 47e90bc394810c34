"""Every change made in the console writes one audit row (who, what, when, details) in the same
transaction as the change."""
from __future__ import annotations

from typing import Any

from fastapi import Request
from sqlmodel import Session

from bot.console.auth import Officer
from storage.repositories import console as console_repo


def client_ip(request: Request | None) -> str | None:
    if request is None or request.client is None:
        return None
    return request.client.host


def record(session: Session, officer: Officer, action: str, *, province: str | None,
           target_type: str | None = None, target_id: Any = None, details: dict[str, Any] | None = None,
           request: Request | None = None) -> None:
    console_repo.record(session, action=action, login=officer.login, province=province,
                        target_type=target_type, target_id=target_id, details=details or {},
                        ip=client_ip(request))


def changes(obj: Any, values: dict[str, Any]) -> dict[str, list[Any]]:
    """Apply `values` to `obj`; return {field: [old, new]} for what actually changed (for the audit row)."""
    diff: dict[str, list[Any]] = {}
    for key, new in values.items():
        old = getattr(obj, key)
        if old != new:
            diff[key] = [_plain(old), _plain(new)]
            setattr(obj, key, new)
    return diff


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
