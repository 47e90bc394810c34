"""The officer web console at /admin: server-rendered pages (Jinja2), Thai first with an English switch.

`mount(app, runtime)` is called by `bot.server.create_app`. Pages live one module per area
(`login`, `overview`, `directory`, `org_page`, `org_members`, `joins`, `events`, `reports`, `report_records`,
`broadcasts`, `auditlog`, `exports`, `inbox`, `reach`); `auth` (sessions),
`csrf` and `audit` are shared. Every POST is CSRF-checked by a router dependency; every page needs a
login; a provincial officer sees and changes only their province (`Officer.check` / `Officer.scope`).
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from bot import i18n
from bot.console import csrf
from bot.console.auth import (
    LANG_COOKIE,
    LoginRequired,
    Officer,
    Refused,
    current_officer,
    is_secure,
    locale_of,
    write_session,
)
from bot.runtime import Runtime
from bot.thai import format_phone

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
# Console pages: their script and style are files of this origin, no inline code, nothing from elsewhere.
PAGE_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
            "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
PAGE_MODULES = ("login", "overview", "directory", "events", "reports", "broadcasts", "auditlog", "exports",
                "inbox", "reach", "checkin", "certificates", "org_members", "when", "report_records", "org_page", "joins")


class Console:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.settings = runtime.settings
        self.secret = runtime.settings.secret_key.get_secret_value()
        self.env = Environment(loader=FileSystemLoader(str(HERE / "templates")),
                               autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)
        self.env.globals.update(format_date=i18n.format_date, format_datetime=i18n.format_datetime,
                                format_date_range=i18n.format_date_range, format_number=i18n.format_number,
                                quote=quote)
        self.env.filters["phone"] = lambda digits: format_phone(str(digits)) if digits else ""
        problem = runtime.settings.secret_key_problem()
        if problem:
            log.warning("%s: set it before exposing the console", problem)


def render(request: Request, template: str, officer: Officer | None = None, *, code: int = 200,
           active: str = "", **values: Any) -> HTMLResponse:
    """A console page. Templates get `t(key, **values)` in the officer's language, the CSRF token and
    the date helpers."""
    console: Console = request.app.state.console
    locale = officer.locale if officer else locale_of(request)

    def t(key: str, **kw: Any) -> str:
        return i18n.t(key, locale, **kw)

    done = request.query_params.get("done", "")
    flash = t(done) if done.startswith("console.flash.") and i18n.has(done) else None
    if values.pop("stale_flash", False):  # the page's state has moved on since the action it reports
        flash = None
    html = console.env.get_template(template).render(
        t=t, locale=locale, officer=officer, csrf_token=csrf.token(request), active=active,
        path=request.url.path, query=str(request.url.query), request=request, flash=flash, **values)
    response = HTMLResponse(html, status_code=code)
    new_sid = getattr(request.state, "console_new_sid", None)
    if new_sid:  # first visit: give the visitor a session id for the CSRF token of the login form
        write_session(request, response, {"sid": new_sid})
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = PAGE_CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    return response


def redirect(url: str, done: str | None = None) -> RedirectResponse:
    """303 after a POST; `done` is a message key shown once on the next page."""
    if done:
        url += ("&" if "?" in url else "?") + "done=" + done
    return RedirectResponse(url, status_code=303)


def safe_next(url: str | None) -> str:
    """Only console paths: never redirect off-site after login or a language switch."""
    if url and url.startswith("/admin") and not url.startswith("//") and "\\" not in url:
        return url
    return "/admin"


def _login_redirect(request: Request, exc: LoginRequired) -> Response:
    if request.method == "GET":
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/admin/login?next={quote(target)}", status_code=303)
    return RedirectResponse("/admin/login", status_code=303)


def _refused(request: Request, exc: Refused) -> Response:
    try:
        officer = current_officer(request)
    except LoginRequired:
        officer = None
    return render(request, "error.html", officer, code=exc.status, message_key=exc.key)


def mount(app: FastAPI, runtime: Runtime) -> None:
    import importlib

    app.state.console = Console(runtime)
    app.add_exception_handler(LoginRequired, _login_redirect)  # type: ignore[arg-type]
    app.add_exception_handler(Refused, _refused)  # type: ignore[arg-type]
    router = APIRouter(prefix="/admin", dependencies=[Depends(csrf.protect)], include_in_schema=False)

    @router.get("/static/console.css")
    def stylesheet() -> Response:
        return Response((HERE / "static" / "console.css").read_text(encoding="utf-8"), media_type="text/css",
                        headers={"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"})

    @router.get("/static/console.js")
    def script() -> Response:
        return Response((HERE / "static" / "console.js").read_text(encoding="utf-8"), media_type="text/javascript",
                        headers={"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"})

    @router.get("/lang/{code}")
    def switch_language(request: Request, code: str, next: str | None = None) -> Response:  # noqa: A002
        response = RedirectResponse(safe_next(next), status_code=303)
        if code in i18n.LANGUAGES:
            response.set_cookie(LANG_COOKIE, code, max_age=365 * 86400, path="/admin", samesite="lax",
                                httponly=True, secure=is_secure(request))
        return response

    app.include_router(router)
    for name in PAGE_MODULES:
        module = importlib.import_module(f"bot.console.{name}")
        app.include_router(module.router, prefix="/admin", dependencies=[Depends(csrf.protect)],
                           include_in_schema=False)
