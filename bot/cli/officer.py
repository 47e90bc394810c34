from __future__ import annotations

import typer

from bot.cli import app
from bot.cli.common import resolve_province, runtime
from bot.messages import Address

officer_app = typer.Typer(help="Officers of the provincial offices.", no_args_is_help=True)
app.add_typer(officer_app, name="officer")


@officer_app.command("grant")
def grant(channel: str = typer.Option(..., help="line | telegram | web"),
          user_id: str = typer.Option(..., "--user-id", help="The platform's user id (LINE U…, Telegram number)."),
          province: str | None = typer.Option(None, help="Province they oversee; none = national.")) -> None:
    """Give a member the officer role."""
    from storage.repositories import members as members_repo

    try:
        address = Address(channel, user_id)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    prov = resolve_province(province)
    with runtime().db.session() as session:
        member = members_repo.grant_officer(session, address=address, province=prov)
        typer.echo(f"{address} is now an officer for {prov or 'all provinces'} (member {member.id})")
