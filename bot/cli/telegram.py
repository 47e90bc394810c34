"""`khruakhai telegram ...`: webhook and command list."""
from __future__ import annotations

import asyncio

import typer

from bot.cli import app

telegram_app = typer.Typer(help="Telegram: webhook and commands.", no_args_is_help=True)
app.add_typer(telegram_app, name="telegram")

WEBHOOK_PATH = "/webhooks/telegram"
COMMANDS = ("start", "menu", "help", "cancel", "lang")


def _settings():  # noqa: ANN202
    from bot.config import get_settings

    settings = get_settings()
    if not settings.telegram_bot_token:
        typer.echo("TELEGRAM_BOT_TOKEN is not set", err=True)
        raise typer.Exit(2)
    return settings


def webhook_url(url: str) -> str:
    """`https://bot.example.org` → `https://bot.example.org/webhooks/telegram`; a full URL is kept."""
    from urllib.parse import urlparse

    parsed = urlparse(url)
    if parsed.scheme != "https":
        raise typer.BadParameter("Telegram only calls https:// webhooks")
    if parsed.path in ("", "/"):
        return url.rstrip("/") + WEBHOOK_PATH
    return url


async def _set_webhook(settings, url: str, commands: bool) -> None:  # noqa: ANN001
    from telegram import BotCommand

    from bot import i18n
    from bot.channels.telegram import ALLOWED_UPDATES

    async with make_bot(settings, pool=2) as bot:
        await bot.set_webhook(url=url, secret_token=settings.telegram_webhook_secret.get_secret_value(),
                              allowed_updates=ALLOWED_UPDATES)
        if commands:
            for lang in ("th", "en"):
                cmds = [BotCommand(c, i18n.t(f"channels.cmd_{c}", lang)) for c in COMMANDS]
                await bot.set_my_commands(cmds, language_code=None if lang == "th" else lang)


@telegram_app.command("set-webhook")
def set_webhook(url: str = typer.Argument(..., help="Public https URL of this server (or of /webhooks/telegram)."),
                commands: bool = typer.Option(True, help="Also publish the command list (/start /menu ...).")) -> None:
    """Point Telegram at this server, with TELEGRAM_WEBHOOK_SECRET as the secret token."""
    settings = _settings()
    if not settings.telegram_webhook_secret:
        import secrets

        typer.echo("TELEGRAM_WEBHOOK_SECRET is not set; the webhook refuses calls without it. For example:\n"
                   f"  TELEGRAM_WEBHOOK_SECRET={secrets.token_urlsafe(32)}", err=True)
        raise typer.Exit(2)
    full = webhook_url(url)
    asyncio.run(_set_webhook(settings, full, commands))
    typer.echo(f"webhook set: {full}")


@telegram_app.command("delete-webhook")
def delete_webhook() -> None:
    """Remove the webhook (needed before long polling from another machine)."""
    async def run() -> None:
        async with make_bot(_settings(), pool=2) as bot:
            await bot.delete_webhook()

    asyncio.run(run())
    typer.echo("webhook deleted")


@telegram_app.command("info")
def info() -> None:
    """Show the bot and its webhook as Telegram sees them."""
    async def run() -> None:
        async with make_bot(_settings(), pool=2) as bot:
            hook = await bot.get_webhook_info()
            typer.echo(f"bot: @{bot.username}")
            typer.echo(f"webhook: {hook.url or '(none: polling)'}  pending updates: {hook.pending_update_count}")

    asyncio.run(run())


def make_bot(settings, *, pool: int = 2):  # noqa: ANN001, ANN201 - telegram.Bot
    """A python-telegram-bot `Bot` for the commands here (the server itself talks to Telegram through
    `bot.channels.telegram`)."""
    from telegram import Bot
    from telegram.request import HTTPXRequest

    base = settings.telegram_api_base_url.rstrip("/")
    return Bot(settings.telegram_bot_token.get_secret_value(), base_url=f"{base}/bot",
               base_file_url=f"{base}/file/bot", request=HTTPXRequest(connection_pool_size=pool, read_timeout=15))
