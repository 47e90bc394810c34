"""`khruakhai officer create-login|set-password|list-logins|unlock`: accounts for the web console (/admin)."""
from __future__ import annotations

import typer

from bot.cli.common import resolve_province, runtime
from bot.cli.officer import officer_app


PASSWORD_ENV = "KHRUAKHAI_OFFICER_PASSWORD"  # read by the option parser (typer), never by the code


def _password(value: str | None) -> str:
    if value:
        return value
    return typer.prompt("Password (at least 10 characters)", hide_input=True, confirmation_prompt=True)


@officer_app.command("create-login")
def create_login(email: str = typer.Option(..., help="The officer's email (their login name)."),
                 province: str | None = typer.Option(None, help="Province they manage; leave out for a national administrator."),
                 name: str | None = typer.Option(None, help="Name shown in the console."),
                 password: str | None = typer.Option(None, envvar=PASSWORD_ENV, show_envvar=False,
                                                      help="Password; asked for when left out (or KHRUAKHAI_OFFICER_PASSWORD)."),
                 link_channel: str | None = typer.Option(None, "--link-channel", help="Link to their chat account: line | telegram | web."),
                 link_user_id: str | None = typer.Option(None, "--link-user-id", help="Their chat user id (with --link-channel).")) -> None:
    """Create a console login (password hashed with argon2)."""
    from bot.messages import Address
    from storage.repositories import console as console_repo
    from storage.repositories import members as members_repo

    prov = resolve_province(province)
    secret = _password(password)
    with runtime().db.session() as session:
        member_id = None
        if link_channel and link_user_id:
            member = members_repo.grant_officer(session, address=Address(link_channel, link_user_id), province=prov)
            member_id = member.id
        try:
            login = console_repo.create_login(session, email=email, password=secret, province=prov,
                                              display_name=name, member_id=member_id)
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from exc
        console_repo.record(session, action="login.create", email="cli", province=prov, target_type="login",
                            target_id=login.id, details={"email": login.email, "province": prov})
        typer.echo(f"console login {login.email} created for {prov or 'all provinces'} (id {login.id})")


@officer_app.command("set-password")
def set_password(email: str = typer.Option(...),
                 password: str | None = typer.Option(None, envvar=PASSWORD_ENV, show_envvar=False,
                                                     help="New password; asked for when left out (or KHRUAKHAI_OFFICER_PASSWORD).")) -> None:
    """Set a new console password (also unlocks the login and logs out its sessions)."""
    from storage.repositories import console as console_repo

    secret = _password(password)
    with runtime().db.session() as session:
        login = console_repo.by_email(session, email=email)
        if login is None:
            raise typer.BadParameter(f"no console login for {email}")
        try:
            console_repo.set_password(session, login=login, password=secret)
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from exc
        console_repo.record(session, action="login.password", email="cli", province=login.province,
                            target_type="login", target_id=login.id, details={"email": login.email})
        typer.echo(f"password of {login.email} changed")


@officer_app.command("list-logins")
def list_logins() -> None:
    """Console logins with their province and lock state."""
    from bot.clock import clock
    from storage.repositories import console as console_repo

    with runtime().db.session() as session:
        for login in console_repo.logins(session):
            locked = login.locked_until is not None and login.locked_until > clock.now()
            typer.echo(f"{login.id}\t{login.email}\t{login.province or 'national'}\t"
                       f"{'locked' if locked else ('active' if login.active else 'disabled')}")
