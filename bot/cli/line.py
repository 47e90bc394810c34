"""`khruakhai line ...`: LINE Official Account set-up."""
from __future__ import annotations

from pathlib import Path

import typer

from bot.cli import app
from bot.wiring import register_all

line_app = typer.Typer(help="LINE: rich menu and checks.", no_args_is_help=True)
app.add_typer(line_app, name="line")


def _settings():  # noqa: ANN202
    from bot.config import get_settings

    settings = get_settings()
    if not settings.line_channel_access_token:
        typer.echo("LINE_CHANNEL_ACCESS_TOKEN is not set", err=True)
        raise typer.Exit(2)
    return settings


@line_app.command("setup")
def setup(locale: str = typer.Option("th", help="Language of the menu labels (th or en)."),
          keep_old: bool = typer.Option(False, "--keep-old", help="Keep earlier menus made by this command."),
          save_image: Path | None = typer.Option(None, help="Also write the rendered image to this file.")) -> None:
    """Create the default rich menu (the main menu's actions, Thai labels) and set it for every friend."""
    from bot import logs
    from bot.richmenu import setup as do_setup

    logs.setup()
    settings = _settings()
    register_all()  # the menu's tiles are the registered intents
    menu_id = do_setup(settings, locale=locale, replace=not keep_old, image_out=save_image)
    typer.echo(f"rich menu {menu_id} is now the default")


@line_app.command("render-menu")
def render_menu(out: Path = typer.Argument(..., help="PNG file to write."),
                locale: str = typer.Option("th")) -> None:
    """Only draw the rich menu image (no LINE call), to look at it."""
    from bot.richmenu import menu_tiles, render_image

    register_all()  # the menu's tiles are the registered intents
    out.write_bytes(render_image(menu_tiles(locale)))
    typer.echo(f"wrote {out}")
