"""Log in and out. Five wrong passwords in a row lock a login for 15 minutes; every attempt is audited."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from bot.console import redirect, render, safe_next
from bot.console.audit import client_ip
from bot.console.auth import LoginRequired, Officer, clear_session, current_officer, new_sid, write_session
from storage.repositories import console as console_repo

router = APIRouter()


@router.get("/login")
def login_page(request: Request, next: str | None = None) -> Response:  # noqa: A002
    try:
        current_officer(request)
        return redirect(safe_next(next))
    except LoginRequired:
        pass
    return render(request, "login.html", None, next=safe_next(next), email="", error=None)


@router.post("/login")
def login_submit(request: Request, email: str = Form(""), password: str = Form(""),
                 next: str = Form("/admin")) -> Response:  # noqa: A002
    console = request.app.state.console
    ip = client_ip(request)
    if ip and _too_many_from(console, ip):
        # Many wrong passwords from this address, whatever the accounts: wait, without even checking.
        return render(request, "login.html", None, code=429, next=safe_next(next), email=email,
                      error="console.login.too_many_from_address", minutes=int(console_repo.LOCKOUT.total_seconds() // 60))
    with console.runtime.db.session() as session:
        result = console_repo.authenticate(session, email=email, password=password)
        account = result.account
        details = {"outcome": result.outcome}
        if result.outcome == "ok":
            action = "login.ok"
        elif result.just_locked:
            action = "login.locked"
        else:
            action = "login.failed"
        console_repo.record(session, action=action, login=account, email=console_repo.normalize_email(email),
                            province=account.province if account else None, target_type="login",
                            target_id=account.id if account else None, details=details, ip=client_ip(request))
        login = result.login
    if login is None:
        key = {"locked": "console.login.locked", "inactive": "console.login.inactive"}.get(
            result.outcome, "console.login.bad")
        minutes = 15
        if result.locked_until is not None:
            from bot.clock import clock

            minutes = max(1, -int(-(result.locked_until - clock.now()).total_seconds() // 60))
        return render(request, "login.html", None, code=401 if result.outcome == "bad" else 403,
                      next=safe_next(next), email=email, error=key, minutes=minutes)
    response = redirect(safe_next(next))
    write_session(request, response, {"sid": new_sid(), "lid": login.id, "v": login.session_version})
    return response


def _too_many_from(console, ip: str) -> bool:  # noqa: ANN001
    """The per-address limit (LOGIN_FAILURES_PER_ADDRESS wrong passwords in 15 minutes), from the audit
    log, so it holds across server processes."""
    from bot.clock import clock

    with console.runtime.db.session() as session:
        failures = console_repo.failures_from(session, ip=ip, since=clock.now() - console_repo.LOCKOUT)
    return failures >= console.settings.login_failures_per_address


@router.post("/logout")
def logout(request: Request, officer: Officer = Depends(current_officer)) -> Response:
    console = request.app.state.console
    with console.runtime.db.session() as session:
        login = console_repo.get(session, login_id=officer.login.id)  # type: ignore[arg-type]
        if login is not None:
            console_repo.end_sessions(session, login=login)
            console_repo.record(session, action="logout", login=login, province=login.province,
                                target_type="login", target_id=login.id, ip=client_ip(request))
    response = redirect("/admin/login")
    clear_session(request, response)
    return response
