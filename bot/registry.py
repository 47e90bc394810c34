"""Conversations and the intents that start them, registered by each handler module's `register()`.

An intent is something a member can ask for from anywhere: typed words (matched tolerantly:
particles, stretched letters, one-letter typos), a menu button, or a postback ``go:<intent>[:arg]``
sent by a card.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, Protocol

from bot import i18n
from bot.context import Context
from bot.messages import Choice, Reply

Audience = Literal["anyone", "member", "officer"]
StartFn = Callable[[Context, str | None], list[Reply]]


class Flow(Protocol):
    """A multi-turn conversation. Its progress lives in `ctx.state.data`."""

    name: str

    def handle(self, ctx: Context) -> list[Reply]: ...

    def back(self, ctx: Context) -> list[Reply]: ...

    def reprompt(self, ctx: Context) -> list[Reply]: ...

    # Optional: `discard(ctx)` throws away what the flow saved along the way when the person says
    # "ยกเลิก" (the engine then tells them nothing unconfirmed was kept, and it must be true).


@dataclass
class Intent:
    name: str
    start: StartFn
    words: tuple[str, ...] = ()  # extra literal trigger words (both languages)
    menu_key: str | None = None  # message key of its menu label; None = not in the menu
    audience: Audience = "member"
    order: int = 100
    word_keys: tuple[str, ...] = field(default=())  # message keys whose th and en texts trigger it
    # Only shown in the menu to members of an organization (reports, trainings); officers of the
    # provincial office have none. Started anyway, the handler explains what is needed.
    needs_org: bool = False

    def triggers(self) -> list[str]:
        words = list(self.words)
        for key in ((self.menu_key,) if self.menu_key else ()) + self.word_keys:
            for lang in i18n.LANGUAGES:
                if i18n.has(key, lang):
                    words.append(i18n.t(key, lang))
        return words

    def allowed(self, ctx: Context) -> bool:
        if self.audience == "anyone":
            return True
        if self.audience == "officer":
            return ctx.is_officer
        return ctx.signed_up


# Filled by each handler module's `register()`, called by the composition root (bot.wiring.register_all),
# never as a side effect of importing a module. Adding the same thing twice changes nothing.
FLOWS: dict[str, Flow] = {}
INTENTS: dict[str, Intent] = {}
# A hook returns replies when it takes the message, None when it does not.
Hook = Callable[[Context], "list[Reply] | None"]
# Typed commands that work even inside a conversation (e.g. an officer's "ตอบ #12 …").
COMMANDS: list[Hook] = []
# Take a message of a signed-up member that no intent matched (an activity report typed without
# "ส่งรายงาน" first, a question for the office): each gets the message's text ("" for photos alone) and
# returns its replies, or None to let the next one (then "not understood") answer. Asked in the order added.
Fallback = Callable[[Context, str], "list[Reply] | None"]
FALLBACKS: list[Fallback] = []
# Short requests in a member's own words ('มีอบรมไหมคะ'), read by bot.thai.frames: (vocabulary, frames),
# set by `add_frames`.
OWN_WORDS: list = []
PREVIOUS_MISS = "_miss"  # state data / ctx.memo key: the previous turn's message nothing could place
_INTENT_ATTR = "registry_intent"


def intent(name: str, *, words: tuple[str, ...] = (), menu_key: str | None = None,
           audience: Audience = "member", order: int = 100,
           word_keys: tuple[str, ...] = (), needs_org: bool = False) -> Callable[[StartFn], StartFn]:
    """Decorator: describe `fn(ctx, arg)` as the start of intent `name` (its words, menu place, audience).
    It is registered when the handler module's `register()` passes it to `add_intents`."""

    def deco(fn: StartFn) -> StartFn:
        setattr(fn, _INTENT_ATTR, Intent(name, fn, words, menu_key, audience, order, word_keys, needs_org))
        return fn

    return deco


def add_intents(*starts: StartFn) -> None:
    """Register intents, each given by its start function (decorated with `intent`)."""
    for fn in starts:
        it: Intent = getattr(fn, _INTENT_ATTR)
        INTENTS[it.name] = it
    _keyword_table.cache_clear()


def add_frames(words: dict[str, tuple[str, ...]], frames: tuple) -> None:
    """Words by concept and the frames (bot.thai.frames) that read requests in a member's own words."""
    from bot.thai.frames import Vocabulary

    OWN_WORDS[:] = [(Vocabulary(words), tuple(frames))]


def add_flows(*flows: Flow) -> None:
    for flow in flows:
        FLOWS[flow.name] = flow


def add_command(fn: Hook) -> None:
    if fn not in COMMANDS:
        COMMANDS.append(fn)


def add_fallback(fn: Fallback) -> None:
    if fn not in FALLBACKS:
        FALLBACKS.append(fn)


def _cache_clearable(fn):  # noqa: ANN001, ANN202
    cache: dict[str, object] = {}

    def wrapper():  # noqa: ANN202
        if "v" not in cache:
            cache["v"] = fn()
        return cache["v"]

    wrapper.cache_clear = cache.clear  # type: ignore[attr-defined]
    return wrapper


@_cache_clearable
def _keyword_table() -> dict[str, list[str]]:
    return {name: it.triggers() for name, it in INTENTS.items()}


def find_intent(text: str, *, own_words: bool = True) -> Intent | None:
    """The intent a message asks for: it is one of an intent's words, or else (`own_words`) a short request
    whose words fit one of the frames."""
    from bot.thai import match_keyword

    name = match_keyword(text, _keyword_table())
    if name is None and own_words and OWN_WORDS:
        from bot.thai.frames import match_frame

        name = match_frame(text, *OWN_WORDS[0])
    return INTENTS.get(name) if name else None


def menu_choices(ctx: Context) -> list[Choice]:
    has_org = ctx.member is not None and ctx.member.organization_id is not None
    items = sorted((it for it in INTENTS.values()
                    if it.menu_key and it.allowed(ctx) and (has_org or not it.needs_org)), key=lambda i: i.order)
    return [Choice(ctx.t(it.menu_key), f"go:{it.name}") for it in items][:13]  # type: ignore[arg-type]


def go(intent_name: str, arg: str | int | None = None) -> str:
    """The postback value that starts an intent from a button."""
    return f"go:{intent_name}" + (f":{arg}" if arg is not None else "")
