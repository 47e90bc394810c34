"""Polite words that are not a request: a thank-you gets a you're-welcome and the menu, not
"I don't understand"."""
from __future__ import annotations

from bot.context import Context
from bot.messages import Reply
from bot.registry import add_intents, intent, menu_choices
from handlers import phrasings


@intent("thanks", audience="anyone", order=100, words=phrasings.THANKS)
def youre_welcome(ctx: Context, arg: str | None) -> list[Reply]:
    return [ctx.say("smalltalk.youre_welcome", choices=menu_choices(ctx))]


def register() -> None:
    """Register what this module adds to the bot (called by the composition root, bot.wiring)."""
    add_intents(youre_welcome)
