"""Console sessions: a signed cookie (itsdangerous) naming the login and its session version.

The cookie is HttpOnly, SameSite=Lax, path /admin, and Secure when the request came over HTTPS or the
configured public URL is https. Every visitor gets a random session id (`sid`) first, which the CSRF
token is derived from; logging in replaces it (no session fixation). Logging out bumps the login's
session version, so a copied cookie stops working too.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any, TypeVar

from fastapi import Request
from fastapi.responses import Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from storage.models.console import OfficerLogin

T = TypeVar("T")

COOKIE = "khruakhai_console"
LANG_COOKIE = "khruakhai_console_lang"
SESSION_MAX_AGE = 12 * 3600  # a working day; then log in again
PATH = "/admin"


class LoginRequired(Exception):
    """Raised by `current_officer` when there is no valid session: the console redirects to the login page."""


class Refused(Exception):
    """403 (another province's data, or a forbidden action) / 404, shown as a console page."""

    def __init__(self, status: int, key: str) -> None:
        super().__init__(key)
        self.status = status
        self.key = key


@dataclass
class Officer:
    """The officer of this request."""

    login: OfficerLogin
    locale: str
    sid: str
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def province(self) -> str | None:
        return self.login.province

    @property
    def national(self) -> bool:
        return self.login.province is None

    def may_see(self, province: str | None) -> bool:
        return self.national or province == self.login.province

    def check(self, province: str | None) -> None:
        """Refuse (403) anything of another province."""
        if not self.may_see(province):
            raise Refused(403, "console.error.other_province")

    def fetch(self, session: Any, model: type[T], row_id: int, *, province: str = "province") -> T:
        """The row of `model` (an event, an organization, a ticket, a broadcast: anything that belongs to a
        province, named by the attribute `province`) with this id: 404 when there is none, 403 when it
        belongs to another province."""
        row = session.get(model, row_id)
        if row is None:
            raise Refused(404, "console.error.not_found")
        self.check(getattr(row, province))
        return row

    def scope(self, requested: str | None = None) -> str | None:
        """The province a list is limited to: always their own for a provincial officer; for a national
        administrator the one they picked (None = all)."""
        if not self.national:
            return self.login.province
        return requested or None


def serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="khruakhai.console.session")


def read_session(request: Request) -> dict[str, Any]:
    raw = request.cookies.get(COOKIE)
    if not raw:
        return {}
    console = request.app.state.console
    try:
        data = serializer(console.secret).loads(raw, max_age=SESSION_MAX_AGE)
    except BadSignature:
        return {}
    return data if isinstance(data, dict) else {}


def is_secure(request: Request) -> bool:
    console = request.app.state.console
    return request.url.scheme == "https" or console.settings.public_base_url.startswith("https://")


def write_session(request: Request, response: Response, data: dict[str, Any]) -> None:
    console = request.app.state.console
    response.set_cookie(COOKIE, serializer(console.secret).dumps(data), max_age=SESSION_MAX_AGE, path=PATH,
                        httponly=True, samesite="lax", secure=is_secure(request))


def clear_session(request: Request, response: Response) -> None:
    response.delete_cookie(COOKIE, path=PATH, httponly=True, samesite="lax", secure=is_secure(request))


def new_sid() -> str:
    return secrets.token_urlsafe(24)


def ensure_sid(request: Request) -> str:
    """The visitor's session id; a new one is made (and set by the middleware) when missing."""
    data = read_session(request)
    sid = data.get("sid")
    if not sid:
        sid = getattr(request.state, "console_new_sid", None) or new_sid()
        request.state.console_new_sid = sid
    return sid


def locale_of(request: Request) -> str:
    lang = request.cookies.get(LANG_COOKIE)
    return lang if lang in ("th", "en") else "th"


def current_officer(request: Request) -> Officer:
    """The logged-in officer, or LoginRequired. Checks the login still exists, is active and the cookie's
    session version is current."""
    cached = getattr(request.state, "console_officer", None)
    if cached is not None:
        return cached
    data = read_session(request)
    login_id, version, sid = data.get("lid"), data.get("v"), data.get("sid")
    if not (login_id and sid):
        raise LoginRequired()
    console = request.app.state.console
    with console.runtime.db.session() as session:
        login = session.get(OfficerLogin, login_id)
    if login is None or not login.active or login.session_version != version:
        raise LoginRequired()
    officer = Officer(login=login, locale=locale_of(request), sid=sid)
    request.state.console_officer = officer
    return officer
