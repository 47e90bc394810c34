"""Link another chat account (LINE ↔ Telegram) to my membership with a one-time code.

``account.link`` (from "ข้อมูลของฉัน"): show a fresh code, valid 15 minutes, single use.
``account.redeem`` (open to anyone): the other account sends the code (typed, or Telegram's
``/start CODE``); the channel turns it into ``go:account.redeem:CODE``. Without a code it asks for one.
"""
from __future__ import annotations

from bot import account_links
from bot.context import Context
from bot.messages import Card, CardField, Reply
from bot.registry import add_flows, add_intents, intent, menu_choices


@intent("account.link", word_keys=("link.menu_label",), words=("เชื่อมบัญชี", "link account", "ผูกบัญชี"),
        order=72)
def show_code(ctx: Context, arg: str | None) -> list[Reply]:
    member = ctx.member
    assert member is not None and member.id is not None
    link = account_links.new_code(ctx.session, member_id=member.id, address=str(ctx.msg.address), now=ctx.clock.now())
    shown = account_links.format_code(link.code)
    minutes = int(account_links.CODE_TTL.total_seconds() // 60)
    fields = [CardField(ctx.t("link.code_label"), shown),
              CardField(ctx.t("link.valid_label"), ctx.t("link.valid_minutes", minutes=minutes))]
    deep = account_links.telegram_deep_link(link.code)
    text = ctx.t("link.how_to")
    card = Card(title=ctx.t("link.title"), fields=tuple(fields), text=text, link_url=deep)
    return [Reply(card=card, choices=tuple(menu_choices(ctx)[:6]))]


class RedeemFlow:
    """Waits for the code when the member chose "link" without sending one."""

    name = "account.redeem"

    def handle(self, ctx: Context) -> list[Reply]:
        code = account_links.normalize_code(ctx.msg.input)
        if code is None:
            return [ctx.say("link.not_a_code")] + self.reprompt(ctx)
        ctx.end()
        return _redeem(ctx, code)

    def back(self, ctx: Context) -> list[Reply]:
        ctx.end()
        return [ctx.say("engine.cancelled", choices=menu_choices(ctx))]

    def reprompt(self, ctx: Context) -> list[Reply]:
        return [ctx.say("link.ask_code")]


REDEEM_FLOW = RedeemFlow()


@intent("account.redeem", audience="anyone", words=("ใส่รหัสเชื่อมบัญชี", "enter link code"), order=73)
def redeem(ctx: Context, arg: str | None) -> list[Reply]:
    code = account_links.normalize_code(arg)
    if code is None:
        ctx.begin(REDEEM_FLOW.name)
        return REDEEM_FLOW.reprompt(ctx)
    return _redeem(ctx, code)


def _redeem(ctx: Context, code: str) -> list[Reply]:
    address = str(ctx.msg.address)
    status, member = account_links.redeem(ctx.session, code=code, address=address, now=ctx.clock.now())
    if status in ("linked", "already") and member is not None:
        from sqlmodel import select

        from storage.models import MemberIdentity

        ctx.end()
        ctx.member = member
        ctx.identity = ctx.session.exec(select(MemberIdentity).where(MemberIdentity.address == address)).first()
        ctx.state.locale = None
        key = "link.done" if status == "linked" else "link.already"
        return [ctx.say(key, name=member.full_name or "", choices=menu_choices(ctx))]
    if status == "taken":
        return [ctx.say("link.taken", choices=menu_choices(ctx))]
    return [ctx.say("link.invalid", choices=menu_choices(ctx) if ctx.signed_up else ())]


def register() -> None:
    """Register what this module adds to the bot (called by the composition root, bot.wiring)."""
    add_flows(REDEEM_FLOW)
    add_intents(show_code, redeem)
