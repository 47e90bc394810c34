"""CSRF protection: every POST under /admin must carry the token of the visitor's session.

The token is an HMAC of the session id (kept in the signed session cookie), so it needs no storage and
changes at every login. Forms send it as the hidden field ``csrf``; fetch() calls as ``X-CSRF-Token``.
"""
from __future__ import annotations

import hashlib
import hmac

from fastapi import Request

from bot.console.auth import Refused, ensure_sid

FIELD = "csrf"
HEADER = "x-csrf-token"


def token_for(secret: str, sid: str) -> str:
    return hmac.new(secret.encode(), f"csrf:{sid}".encode(), hashlib.sha256).hexdigest()


def token(request: Request) -> str:
    return token_for(request.app.state.console.secret, ensure_sid(request))


async def protect(request: Request) -> None:
    """Router dependency: refuses (403) a POST whose token is missing or wrong."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    sent = request.headers.get(HEADER)
    if not sent:
        form = await request.form()  # Starlette caches it; the route's Form(...) parameters reuse it
        sent = form.get(FIELD)
    from bot.console.auth import read_session

    sid = read_session(request).get("sid")
    expected = token_for(request.app.state.console.secret, sid) if sid else None
    if not expected or not isinstance(sent, str) or not hmac.compare_digest(sent, expected):
        raise Refused(403, "console.error.csrf")
