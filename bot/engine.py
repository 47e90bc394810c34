"""The conversation engine: the only entry for conversations, whatever the channel.

`Engine.handle(msg)` loads the member's state, applies the words that work anywhere
(cancel, menu, help, back, language), routes to the active conversation or starts one,
saves the state and returns the replies. A crashing handler gets an apology with a
correlation id; its half-done changes are rolled back, so the state stays consistent.
"""
from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import timedelta
from typing import Any

from sqlalchemy import bindparam, inspect as sa_inspect
from sqlmodel import Session, select

from bot import i18n, offers
from bot.clock import Clock, clock as default_clock
from bot.config import Settings
from bot.context import Context
from bot.forms import typed_choice
from bot.member_lock import lock_members
from bot.messages import Address, Choice, IncomingMessage, Reply, cleaned
from bot.registry import COMMANDS, FALLBACKS, FLOWS, INTENTS, PREVIOUS_MISS, find_intent, menu_choices
from bot.turn_rows import defer_state_write, lookup, lookup_statement, state_snapshot, write_states
from storage.db import Database
from storage.models import ConversationState, Member, MemberIdentity

log = logging.getLogger(__name__)


OnTurn = Callable[[Session, list[Reply]], None]
OnTurns = Callable[[Session, list[int], list[list[Reply]]], None]


class TurnAborted(Exception):
    """Raised by a `handle(..., on_turn=)` hook to roll the turn back without an apology (the caller
    no longer owns the event, e.g. another server process took it over)."""


class OlderFirst(TurnAborted):
    """An older message of the same member is still waiting for its turn in another server process: this
    turn is rolled back and tried again shortly, so a member's answers follow their messages in order."""


# A photo sent outside any conversation starts this intent (an activity report: handlers/report_start.py).
PHOTOS_START = "report.photos"

GLOBAL_WORDS: dict[str, list[str]] = {
    "cancel": ["ยกเลิก", "cancel", "/cancel", "หยุด", "พอแล้ว", "ไม่เอาแล้ว"],
    "menu": ["เมนู", "menu", "/menu", "เมนูหลัก", "หน้าหลัก", "main menu"],
    "help": ["ช่วยเหลือ", "help", "/help", "วิธีใช้", "ช่วยด้วย"],
    "back": ["ย้อนกลับ", "back", "กลับ", "ย้อน"],
    "lang_en": ["english", "eng", "ภาษาอังกฤษ"],
    "lang_th": ["ภาษาไทย", "thai", "ไทย"],
}


class Engine:
    def __init__(self, db: Database, settings: Settings, clock: Clock = default_clock) -> None:
        self.db = db
        self.settings = settings
        self.clock = clock
        self._by_address: Any = None  # `bot.turn_rows.lookup_statement`, built on first use

    def handle(self, msg: IncomingMessage, *,
               on_turn: OnTurn | None = None) -> list[Reply]:
        """One turn. `on_turn(session, replies)` runs inside the turn's transaction, before the commit
        (the channels' inbox records "turn done" + replies atomically with the turn's changes); it may
        raise `TurnAborted` to roll everything back, which `handle` re-raises."""
        msg = cleaned(msg)  # control, zero-width and bidi characters never reach a parser or the database
        try:
            with self.db.session() as session:
                lock_members(session, (msg,))
                ctx = self._context(session, msg)
                out = ctx.notes + self._turn(ctx)
                self._save_state(ctx, out)
                write_states(session)
                if on_turn is not None:
                    on_turn(session, out)
                return out
        except TurnAborted:
            raise
        except Exception:
            correlation = uuid.uuid4().hex[:8]
            log.exception("handler failed [%s] for %s", correlation, msg.address.channel)
            return [self._apology(msg, correlation)]

    def handle_many(self, messages: Sequence[IncomingMessage], *,
                    on_turns: OnTurns | None = None) -> list[list[Reply] | TurnAborted]:
        """Several turns, of different members, in one transaction: what a busy server does with the
        messages waiting for the database, so it begins, looks up and commits once per batch instead
        of once per message. `on_turns(session, indexes, replies)` runs once before the commit with
        every turn's replies (the channels' inbox marks all those events "turned" in one statement).

        All or nothing: when any turn raises (a crashing handler, a lost lease) or the commit fails,
        the batch is rolled back and every turn runs again on its own through `handle`, so each gets
        exactly what it would have got alone (its replies, an apology, or its `TurnAborted`, returned
        in its place)."""
        messages = [cleaned(m) for m in messages]
        if len(messages) > 1:
            try:
                with self.db.session() as session:
                    lock_members(session, messages)
                    found = self._prefetch(session, messages)
                    outs: list[list[Reply]] = []
                    for msg in messages:
                        ctx = self._context(session, msg, found)
                        out = ctx.notes + self._turn(ctx)
                        self._save_state(ctx, out)
                        outs.append(out)
                    write_states(session)
                    if on_turns is not None:
                        on_turns(session, list(range(len(messages))), outs)
                return outs  # type: ignore[return-value]
            except Exception as exc:  # noqa: BLE001 - each turn runs again alone and meets its fate there
                log.info("a batch of %d turns failed (%s); running them one by one", len(messages), type(exc).__name__)
        results: list[list[Reply] | TurnAborted] = []
        for i, msg in enumerate(messages):
            hook = None if on_turns is None else (lambda session, replies, i=i: on_turns(session, [i], [replies]))
            try:
                results.append(self.handle(msg, on_turn=hook))
            except TurnAborted as exc:
                results.append(exc)
        return results

    def _prefetch(self, session: Session, messages: Sequence[IncomingMessage]) -> dict[str, tuple]:
        """State, identity and member of every address of a batch, in one query instead of three per
        turn. An address that comes twice is left to the per-turn lookups (its first turn may have
        created the rows)."""
        counts: dict[str, int] = {}
        for msg in messages:
            a = str(msg.address)
            counts[a] = counts.get(a, 0) + 1
        addresses = [a for a, n in counts.items() if n == 1]
        if not addresses:
            return {}
        return self._lookup(session, addresses)

    def _lookup(self, session: Session, addresses: list[str]) -> dict[str, tuple]:
        """{address: (state, identity, member)} (each None when there is none), in one statement."""
        if self._by_address is None:
            self._by_address = lookup_statement(self.db.is_sqlite)
        return lookup(session, self._by_address, addresses, sqlite=self.db.is_sqlite)

    @staticmethod
    def _save_state(ctx: Context, replies: list[Reply]) -> None:
        state = ctx.state
        if state.flow is None and state.locale is None and ctx.member is None:
            # Nothing worth keeping (e.g. consent declined, data deleted): keep no trace of the chat.
            if sa_inspect(state).persistent:
                ctx.session.delete(state)
            return
        if replies and not ctx.memo.get(offers.KEEP_OFFERS):
            offered = offers.offers_of(replies)  # the buttons the next postback may be (bot/offers.py)
            if offered != (state.offered or []):
                state.offered = offered or None
            _remember_offers(ctx, replies)  # with their labels, for a label typed instead of tapped
        if ctx.loaded is None:  # a new conversation state
            state.updated_at = ctx.clock.now()
            ctx.session.add(state)
            return
        now = state_snapshot(state)
        # `updated_at` only matters while a conversation runs (it expires, `_expire`; retention); a turn that
        # changed nothing outside one (a menu asked for again) writes nothing. Such a state leaves the session:
        # handlers assign equal values (`Context.end`), which marks it modified, and the commit's flush would
        # compare every column to find nothing to write.
        if state.flow is not None or now != ctx.loaded:
            state.updated_at = ctx.clock.now()
            defer_state_write(ctx.session, state)  # written with the batch's other states, before the commit
        else:
            ctx.session.expunge(state)

    def _apology(self, msg: IncomingMessage, correlation: str) -> Reply:
        locale = self.settings.default_locale
        try:
            with self.db.session() as session:
                state = session.get(ConversationState, str(msg.address))
                member = _member_for(session, str(msg.address))
                locale = (member.locale if member else None) or (state.locale if state else None) or locale
        except Exception:  # noqa: BLE001 - the database itself may be what failed
            pass
        return Reply(text=i18n.t("engine.apology", locale, ref=correlation))

    def _context(self, session: Session, msg: IncomingMessage, found: dict[str, tuple] | None = None) -> Context:
        address = str(msg.address)
        if found and address in found:
            state, identity, member = found.pop(address)
        else:
            state, identity, member = self._lookup(session, [address]).get(address, (None, None, None))
        loaded = None if state is None else state_snapshot(state)
        if state is None:  # data and updated_at given: pydantic inspects a default factory's signature per call
            state = ConversationState(address=address, data={}, updated_at=self.clock.now())
        ctx = Context(msg=msg, session=session, state=state, member=member, identity=identity,
                      settings=self.settings, clock=self.clock, engine=self, loaded=loaded)
        if msg.display_name and identity and identity.display_name != msg.display_name:
            identity.display_name = msg.display_name
            session.add(identity)
        self._expire(ctx)
        return ctx

    def _expire(self, ctx: Context) -> None:
        if not ctx.state.flow or ctx.state.updated_at is None:
            return
        age = ctx.clock.now() - _aware(ctx.state.updated_at)
        if age > timedelta(hours=self.settings.conversation_ttl_hours):
            ctx.end()
            ctx.notes.append(ctx.say("engine.expired"))

    # --- one turn ------------------------------------------------------------------------------
    def _turn(self, ctx: Context) -> list[Reply]:
        msg = ctx.msg
        if msg.kind == "unfollow":
            if ctx.identity:
                ctx.identity.reachable = False
                ctx.session.add(ctx.identity)
            return []
        if msg.kind in ("join", "leave"):
            return [ctx.say("engine.group_intro")] if msg.kind == "join" else []
        if msg.is_group:
            # Forms run only in 1:1 chats. In a group we answer only someone calling on the bot
            # (a menu word or a capability), not every line of the group's own conversation.
            text = msg.input.strip()
            # (an intent's own words only: 'ไปอบรมไหม' between colleagues is not a request to the bot)
            called = msg.kind == "follow" or text.startswith("go:") or _global_word(text) or \
                find_intent(text, own_words=False)
            return [ctx.say("engine.group_only_private")] if called else []
        if ctx.identity and not ctx.identity.reachable:
            ctx.identity.reachable = True  # they wrote to us, so we can reach them again
            ctx.session.add(ctx.identity)
        if msg.kind == "follow":
            return self._follow(ctx)
        # Whether the previous turn was a message nothing could place (handlers/tickets.py offers to
        # pass on a second one in a row); every turn forgets it unless it is one again.
        ctx.memo[PREVIOUS_MISS] = ctx.state.data.pop(PREVIOUS_MISS, None)
        picked = _typed_choice(ctx)
        if picked is not None:  # the label of a button the last reply offered, typed: that button
            msg = ctx.msg = replace(msg, postback=picked.value)
        claimed = offers.claimed_value(msg)
        if claimed is not None and not offers.was_offered(ctx.session, address=ctx.state.address,
                                                          offered=ctx.state.offered, value=claimed):
            return offers.not_offered(ctx)
        text = msg.input.strip()
        if text.startswith("go:"):
            return self._start_intent(ctx, text)
        word = _global_word(text) if text else None
        if word:
            return self._global(ctx, word)
        for hook in COMMANDS if ctx.signed_up else ():
            taken = hook(ctx)
            if taken is not None:
                return taken
        if ctx.flow:
            flow = FLOWS.get(ctx.flow)
            if flow is not None:
                return flow.handle(ctx)
            ctx.end()
        if not ctx.signed_up:  # a first sticker or photo is a hello like any other
            return INTENTS["signup"].start(ctx, None)
        found = find_intent(text) if text else None
        if found and found.allowed(ctx):
            return found.start(ctx, None)
        for take in FALLBACKS:  # each may take a message with or without text (photos)
            taken = take(ctx, text)
            if taken is not None:
                return taken
        if not text and any(a.kind == "image" for a in msg.attachments) and PHOTOS_START in INTENTS:
            return INTENTS[PHOTOS_START].start(ctx, None)  # photos first, the words of a report next
        if not text and msg.attachments:
            key = "engine.attachment_not_expected" if any(a.kind == "image" for a in msg.attachments) \
                else "engine.please_type"
            return [ctx.say(key, choices=menu_choices(ctx))]
        return [ctx.say("engine.not_understood", choices=menu_choices(ctx))]

    def _follow(self, ctx: Context) -> list[Reply]:
        if ctx.signed_up:
            name = ctx.member.full_name or ""  # type: ignore[union-attr]
            return [ctx.say("engine.welcome_back", name=name, choices=menu_choices(ctx))]
        return INTENTS["signup"].start(ctx, None)

    def _start_intent(self, ctx: Context, text: str) -> list[Reply]:
        _, _, rest = text.partition(":")
        name, _, arg = rest.partition(":")
        found = INTENTS.get(name)
        if found is None:
            return [ctx.say("engine.not_understood", choices=menu_choices(ctx))]
        if not ctx.signed_up and found.audience != "anyone":
            return INTENTS["signup"].start(ctx, None)
        if not found.allowed(ctx):
            return [ctx.say("engine.officers_only", choices=menu_choices(ctx))]
        ctx.end()  # a button from a card starts its conversation afresh
        return found.start(ctx, arg or None)

    def _global(self, ctx: Context, word: str) -> list[Reply]:
        if word == "cancel":
            had_flow = ctx.flow is not None
            flow = FLOWS.get(ctx.flow) if ctx.flow else None
            discard = getattr(flow, "discard", None)
            if discard is not None:
                discard(ctx)
            ctx.end()
            key = "engine.cancelled" if had_flow else "engine.nothing_to_cancel"
            return [ctx.say(key, choices=menu_choices(ctx))]
        if word == "menu":
            ctx.end()
            if not ctx.signed_up:
                return INTENTS["signup"].start(ctx, None)
            return [ctx.say("menu.title", choices=menu_choices(ctx))]
        if word == "help":
            help_reply = ctx.say("engine.help", choices=[] if ctx.flow else menu_choices(ctx))
            return [help_reply] + (self._reprompt(ctx) if ctx.flow else [])
        if word == "back":
            flow = FLOWS.get(ctx.flow) if ctx.flow else None
            if flow is None:
                return [ctx.say("engine.nothing_to_go_back", choices=menu_choices(ctx))]
            return flow.back(ctx)
        if word in ("lang_en", "lang_th"):
            return self.switch_language(ctx, "en" if word == "lang_en" else "th")
        return []

    def switch_language(self, ctx: Context, locale: str) -> list[Reply]:
        if ctx.member is not None:
            ctx.member.locale = locale
            ctx.session.add(ctx.member)
        ctx.state.locale = locale
        done = ctx.say("engine.language_set")
        if ctx.flow:
            return [done] + self._reprompt(ctx)
        if not ctx.signed_up:
            return [done] + INTENTS["signup"].start(ctx, None)
        return [Reply(text=done.text, choices=tuple(menu_choices(ctx)))]

    def _reprompt(self, ctx: Context) -> list[Reply]:
        flow = FLOWS.get(ctx.flow) if ctx.flow else None
        return flow.reprompt(ctx) if flow else []

    # --- used by channels and the outbox ----------------------------------------------------------
    def locale_of(self, address: Address) -> str:
        with self.db.session() as session:
            member = _member_for(session, str(address))
            if member:
                return member.locale
            state = session.get(ConversationState, str(address))
            return (state.locale if state else None) or self.settings.default_locale


# The lookups outside a turn, built once: a statement object memoizes its cache key, so a call neither rebuilds
# nor re-keys it (and a prebuilt select is ~3x cheaper than `session.get`, which builds its query each time).
_IDENTITY_BY_ADDRESS = select(MemberIdentity).where(MemberIdentity.address == bindparam("address"))


def _member_for(session: Session, address: str) -> Member | None:
    identity = session.exec(_IDENTITY_BY_ADDRESS, params={"address": address}).first()
    return session.get(Member, identity.member_id) if identity else None


def _aware(dt):  # noqa: ANN001, ANN202
    from datetime import timezone

    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


OFFERS = "_offers"  # the last reply's buttons, [label, value] pairs, kept in the conversation state's data


def _remember_offers(ctx: Context, replies: Sequence[Reply]) -> None:
    offers: list[list[str]] = []
    for reply in replies:
        for c in tuple(reply.choices) + (reply.card.buttons if reply.card else ()):
            if [c.label, c.value] not in offers:
                offers.append([c.label, c.value])
    if offers:
        ctx.state.data[OFFERS] = offers[:24]
    else:
        ctx.state.data.pop(OFFERS, None)


def _typed_choice(ctx: Context) -> Choice | None:
    """Typed text that is the label of one of the buttons the last reply offered (not its number:
    "2" may well be an answer)."""
    msg = ctx.msg
    if msg.postback is not None or not msg.text or msg.kind != "message":
        return None
    offered = [Choice(str(label), str(value)) for label, value in ctx.state.data.get(OFFERS, [])]
    return typed_choice(msg.text, offered, numbers=False)


def _global_word(text: str) -> str | None:
    from bot.thai import match_keyword

    return match_keyword(text, GLOBAL_WORDS)
