"""เกียรติบัตรของฉัน: a member asks for their certificates again; each comes with fresh download links
(bot/certificates.py). Certificates are issued by officers in the console after the event."""
from __future__ import annotations

from bot.certificates import chat_replies
from bot.context import Context
from bot.messages import Reply
from bot.registry import add_intents, intent, menu_choices
from storage.repositories import training as training_repo

SHOWN = 3  # the latest few; an older one is asked from the office


@intent("cert.mine", needs_org=True, order=27,
        words=("เกียรติบัตรของฉัน", "เกียรติบัตร", "ขอเกียรติบัตร", "my certificates", "certificate"))
def my_certificates(ctx: Context, arg: str | None) -> list[Reply]:
    m = ctx.member
    found = training_repo.certificates_of_member(ctx.session, member_id=m.id) if m and m.id else []
    if not found:
        return [ctx.say("cert.mine_none", choices=menu_choices(ctx)[:6])]
    replies = [ctx.say("cert.mine_intro", count=len(found))]
    for cert, event in found[-SHOWN:]:
        replies += chat_replies(ctx.settings, cert, event, ctx.msg.address.channel, ctx.locale)
    last = replies[-1]
    replies[-1] = Reply(text=last.text, card=last.card, media=last.media, choices=tuple(menu_choices(ctx)[:6]))
    return replies


def register() -> None:
    """Register what this module adds to the bot (called by the composition root, bot.wiring)."""
    add_intents(my_certificates)
