"""Who speaks for an organization, in the chat: the representative's one-tap approve/decline of a member
asking to join (the card's buttons, accepted only where the bot sent them: `bot.offers`), and the reason
a member still waiting for that approval cannot register or report in the organization's name."""
from __future__ import annotations

import re

from bot.context import Context
from bot.membership import APPROVE, DECLINE, tell_outcome
from bot.messages import Reply
from bot.registry import add_command, menu_choices
from storage.models import Member, Organization, OrgJoinRequest
from storage.repositories import memberships

_DECISION = re.compile(rf"({re.escape(APPROVE)}|{re.escape(DECLINE)}):(\d+)")


def decide_join(ctx: Context) -> list[Reply] | None:
    found = _DECISION.fullmatch((ctx.msg.postback or ctx.msg.text or "").strip())
    if found is None or ctx.member is None:
        return None
    request = ctx.session.get(OrgJoinRequest, int(found.group(2)))
    if request is None or not memberships.may_decide(ctx.session, request=request, member=ctx.member):
        return [ctx.say("records.join.not_yours", choices=menu_choices(ctx))]
    person = ctx.session.get(Member, request.member_id)
    org = ctx.session.get(Organization, request.organization_id)
    name = (person.full_name if person else None) or "-"
    if not memberships.decide(ctx.session, request=request, approve=found.group(1) == APPROVE,
                              decided_by=ctx.member.id):
        return [ctx.say(f"records.join.already_{request.status}", person=name, choices=menu_choices(ctx))]
    tell_outcome(ctx.session, request=request, org=org, by_officer=False)  # type: ignore[arg-type]
    return [ctx.say(f"records.join.you_{request.status}", person=name, org=org.name if org else "-",
                    choices=menu_choices(ctx))]


def not_in_org(ctx: Context, key: str) -> list[Reply]:
    """Why the member cannot act in an organization's name: still waiting for approval, or no organization."""
    pending = memberships.pending_of(ctx.session, member_id=ctx.member.id) if ctx.member else None  # type: ignore[arg-type]
    if pending is not None:
        return [ctx.say("records.join.pending_blocks", org=pending[1].name, choices=menu_choices(ctx))]
    return [ctx.say(key, choices=menu_choices(ctx))]


def register() -> None:
    """Register what this module adds to the bot (called by the composition root, bot.wiring)."""
    add_command(decide_join)
