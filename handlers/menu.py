"""The main menu and the language choice."""
from __future__ import annotations

from bot.context import Context
from bot.messages import Reply
from bot.registry import INTENTS, add_intents, intent, menu_choices


@intent("menu", audience="anyone", order=0)
def show_menu(ctx: Context, arg: str | None) -> list[Reply]:
    if not ctx.signed_up:
        return INTENTS["signup"].start(ctx, None)
    return [ctx.say("menu.title", choices=menu_choices(ctx))]


@intent("language", audience="anyone", menu_key="menu.language", order=90)
def switch_language(ctx: Context, arg: str | None) -> list[Reply]:
    target = arg if arg in ("th", "en") else ("en" if ctx.locale == "th" else "th")
    return ctx.engine.switch_language(ctx, target)


def register() -> None:
    """Register what this module adds to the bot (called by the composition root, bot.wiring)."""
    add_intents(show_menu, switch_language)
