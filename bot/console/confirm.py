"""A confirmation step before what cannot be undone (publish an event, send a broadcast, verify or reject
an organization), done on the server: the action's form posts once, the console answers with a page
saying what will happen and to how many people, and only the same form posted again with
`confirmed=1` acts. It works without JavaScript under the console's strict CSP (no inline script)."""
from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from bot.console import render
from bot.console.auth import Officer


def confirmed(form: Any) -> bool:  # noqa: ANN401
    return (form.get("confirmed") or "") == "1"


def confirm_page(request: Request, officer: Officer, *, action: str, title: str, message: str, button: str,
                 back: str, fields: dict[str, Any] | None = None, warning: str | None = None,
                 reason: dict[str, str] | None = None) -> Response:
    """The page asking to confirm. `fields` are carried as hidden inputs (a list value gives several);
    `reason` asks for a text the action needs (name, label, hint)."""
    hidden: list[tuple[str, str]] = []
    for name, value in (fields or {}).items():
        for v in value if isinstance(value, list | tuple) else [value]:
            if v is not None and v is not False:
                hidden.append((name, "1" if v is True else str(v)))
    return render(request, "confirm.html", officer, active="", action=action, heading=title, message=message,
                  button=button, back=back, hidden=hidden, warning=warning, reason=reason)
