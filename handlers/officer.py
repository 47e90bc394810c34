"""Officer actions in the chat: verify newly registered organizations of their province."""
from __future__ import annotations

from bot.context import Context
from bot.messages import Choice, Reply
from bot.registry import add_intents, go, intent, menu_choices
from storage.models import Organization
from storage.repositories import organizations as orgs_repo


def _may_manage(ctx: Context, org: Organization) -> bool:
    m = ctx.member
    return m is not None and ctx.is_officer and (m.officer_province is None or m.officer_province == org.province)


@intent("org.verify", audience="officer", order=80)
def verify_org(ctx: Context, arg: str | None) -> list[Reply]:
    org = ctx.session.get(Organization, int(arg)) if arg and arg.isdigit() else None
    if org is None:
        return pending_orgs(ctx, None)
    if not _may_manage(ctx, org):
        return [ctx.say("officer.not_your_province", choices=menu_choices(ctx))]
    if org.verified:
        return [ctx.say("officer.already_verified", org=org.name, choices=menu_choices(ctx))]
    orgs_repo.verify(ctx.session, organization=org, officer_id=ctx.member.id if ctx.member else None)
    ctx.audit("org.verify", province=org.province, target_type="organization", target_id=org.id,
              details={"name": org.name})
    return [ctx.say("officer.verified", org=org.name, choices=[Choice(ctx.t("officer.pending_menu"), go("org.pending"))]
                    + menu_choices(ctx)[:5])]


@intent("org.pending", audience="officer", menu_key="menu.pending_orgs", order=50,
        words=("รอตรวจสอบ", "ตรวจสอบองค์กร", "pending"))
def pending_orgs(ctx: Context, arg: str | None) -> list[Reply]:
    province = ctx.member.officer_province if ctx.member else None
    orgs = orgs_repo.unverified(ctx.session, province=province, limit=12)
    if not orgs:
        return [ctx.say("officer.none_pending", choices=menu_choices(ctx))]
    lines = [f"{i}. {o.name} ({o.province}, {o.district or '-'})" for i, o in enumerate(orgs, 1)]
    choices = [Choice(f"✓ {i}. {o.name}", go("org.verify", o.id)) for i, o in enumerate(orgs, 1)]
    return [Reply(text=ctx.t("officer.pending_list", count=len(orgs)) + "\n" + "\n".join(lines),
                  choices=tuple(choices[:12]) + (Choice(ctx.t("menu.back_to_menu"), go("menu")),))]


def register() -> None:
    """Register what this module adds to the bot (called by the composition root, bot.wiring)."""
    add_intents(verify_org, pending_orgs)
