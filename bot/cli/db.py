from __future__ import annotations

import typer

from bot.cli import app

db_app = typer.Typer(help="Database: migrations and demo data.", no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def upgrade() -> None:
    """Apply all migrations (Alembic)."""
    from bot.config import get_settings
    from storage.migrate import upgrade as do_upgrade

    settings = get_settings()
    do_upgrade(settings.database_url, schema=settings.database_schema)
    typer.echo("database is up to date")


@db_app.command("current")
def current() -> None:
    """Show the applied migration revisions."""
    from bot.config import get_settings
    from storage.migrate import current as show

    settings = get_settings()
    show(settings.database_url, schema=settings.database_schema)


@db_app.command("seed-demo")
def seed_demo() -> None:
    """Seed demo organizations and a training, if the database has no organizations yet."""
    from bot.cli.common import runtime
    from storage.demo import seed_if_empty

    added = seed_if_empty(runtime().db)
    typer.echo("demo data added" if added else "database not empty: nothing added")
