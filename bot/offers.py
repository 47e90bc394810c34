"""Buttons: an answer-button's value is accepted only if the bot offered it in that conversation.

Inside a conversation, a button's value that carries an identifier (``org:12`` joins organization 12,
``dl:3`` picks a deadline, ``@event:5``, ``field:phone``: anything with a ``:`` that is not ``go:…``) is
taken by the form as an answer it trusts, so it is accepted only when the bot offered it to this
address: among the buttons of its last replies (kept with the conversation state, column ``offered``),
or in a proactive message the outbox holds for this address. Anything else gets a polite "this button
is no longer valid" and the current question again (or the menu). Typed text shaped like such a value
(``org:12``) is judged the same way. The engine applies this in one place for every channel.

``go:<intent>[:<id>]`` buttons start a conversation afresh; cards carry them for days (announcements,
reminders, officers' notices), so they are not tied to the last replies: the intent checks who may
start it, and its handler checks that the member may act on that id (their organization's report or
registration, an event of their audience, an officer's own province). Values without a ``:`` (``yes``,
``ข้าม``) mean what typing them means.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from sqlalchemy import bindparam
from sqlmodel import Session, select

from bot.context import Context
from bot.messages import IncomingMessage, Reply
from bot.registry import FLOWS, INTENTS, menu_choices
from storage.models.outbox import OutboxMessage, stored_content

log = logging.getLogger(__name__)

# Typed text that looks like a button value; link schemes are ordinary text.
_VALUE_LIKE = re.compile(r"@?[a-z][a-z_.]*:\S+")
_SCHEMES = ("http:", "https:", "mailto:", "tel:", "line:")
# How many of an address's latest outbox messages are searched for a button.
OUTBOX_LOOKBACK = 200


def needs_offer(value: str) -> bool:
    return ":" in value and not value.startswith("go:")


def claimed_value(msg: IncomingMessage) -> str | None:
    """The button value this message claims to be, when accepting it needs an offer."""
    if msg.postback is not None:
        value = msg.postback.strip()
    elif msg.text and _VALUE_LIKE.fullmatch(msg.text.strip()) and not msg.text.strip().startswith(_SCHEMES):
        value = msg.text.strip()
    else:
        return None
    return value if needs_offer(value) else None


def offers_of(replies: Iterable[Reply]) -> list[str]:
    """The values needing an offer among replies' choices and card buttons, in order, once each."""
    out: list[str] = []
    for r in replies:
        for c in r.choices:
            if c.value not in out and needs_offer(c.value):
                out.append(c.value)
        if r.card is not None:
            for b in r.card.buttons:
                if b.value not in out and needs_offer(b.value):
                    out.append(b.value)
    return out


def _in_content(content: list, value: str) -> bool:
    for r in content or ():
        if any(c.get("value") == value for c in r.get("choices") or ()):
            return True
        card = r.get("card") or {}
        if any(b.get("value") == value for b in card.get("buttons") or ()):
            return True
    return False


_RECENT_OUTBOX = (select(stored_content()).where(OutboxMessage.address == bindparam("address"))
                  .order_by(OutboxMessage.id.desc()).limit(OUTBOX_LOOKBACK))  # type: ignore[union-attr]


def was_offered(session: Session, *, address: str, offered: list[str] | None, value: str) -> bool:
    if offered and value in offered:
        return True
    return any(_in_content(content, value) for content in session.exec(_RECENT_OUTBOX, params={"address": address}))


KEEP_OFFERS = "offers.keep"  # ctx.memo flag: this turn's replies do not replace the offered buttons


def not_offered(ctx: Context) -> list[Reply]:
    """A button the bot never offered here, or no longer does: say so, then the current question (whose
    buttons become the valid ones) or the menu (the buttons offered before stay valid)."""
    log.info("refused a %s button that was not offered", ctx.msg.address.channel)
    expired = ctx.say("engine.button_not_offered")
    flow = FLOWS.get(ctx.flow) if ctx.flow else None
    if flow is not None:
        return [expired] + flow.reprompt(ctx)
    ctx.memo[KEEP_OFFERS] = True
    if not ctx.signed_up:
        return [expired] + INTENTS["signup"].start(ctx, None)
    return [Reply(text=expired.text, choices=tuple(menu_choices(ctx)))]
