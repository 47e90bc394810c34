"""CSRF protection: every POST under /admin must carry the token of the visitor's session.

The token is an HMAC of the session id (kept in the signed session cookie), so it needs no storage and
changes at every login. Forms send it as the hidden field ``csrf``; fetch() calls as ``X-CSRF-Token``.
"""
from __future__ import annotations

import hashlib
import hmac

from fastapi import Request
from starlette.datastructures import FormData

from bot.console.auth import Refused, ensure_sid
from bot.messages import clean_typed

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
    if request.headers.get("content-type", "").startswith(("application/x-www-form-urlencoded",
                                                           "multipart/form-data")):
        form = await request.form()  # Starlette caches it; the route's Form(...) parameters reuse it
        clean_form(form)
        sent = sent or form.get(FIELD)
    from bot.console.auth import read_session

    sid = read_session(request).get("sid")
    expected = token_for(request.app.state.console.secret, sid) if sid else None
    if not expected or not isinstance(sent, str) or not hmac.compare_digest(sent, expected):
        raise Refused(403, "console.error.csrf")


def clean_form(form: FormData) -> None:
    """Remove control, zero-width and bidi characters from every text field of a console form, in place:
    FastAPI reads the form once and this dependency runs before the route's `Form(...)` parameters are
    taken from it, so every console form (and `await request.form()` in a route) gets the cleaned values."""
    items = [(k, clean_typed(v) if isinstance(v, str) else v) for k, v in form.multi_items()]
    if any(a[1] is not b[1] for a, b in zip(items, form.multi_items(), strict=True)):
        form._list = items  # noqa: SLF001 - an immutable multidict, rebuilt with the same keys
        form._dict = {k: v for k, v in items}  # noqa: SLF001
