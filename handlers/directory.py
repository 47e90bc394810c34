"""ค้นหาเครือข่าย: find peer organizations that agreed to be listed. State diagram: docs/directory.mmd."""
from __future__ import annotations

from bot.context import Context
from bot.messages import Choice, Reply
from bot.registry import add_flows, add_intents, intent, menu_choices
from handlers import phrasings
from handlers.fields import KIND_KEYS, clean_text, show_kind
from storage.models import Organization
from storage.repositories import organizations as orgs_repo

MINE = "@mine"


def _kind_of(text: str) -> str | None:
    for kind, key in KIND_KEYS.items():
        if text == kind:
            return kind
    lowered = text.lower()
    if "สาธารณ" in lowered or "public" in lowered:
        return "public_benefit"
    if "สวัสดิการชุมชน" in lowered or "community" in lowered:
        return "community_welfare"
    return None


class DirectoryFlow:
    name = "directory"

    def reprompt(self, ctx: Context) -> list[Reply]:
        choices = [Choice(ctx.t("directory.my_province"), MINE)] + [
            Choice(ctx.t(key), kind) for kind, key in KIND_KEYS.items() if kind != "other"]
        return [ctx.say("directory.ask", choices=choices)]

    def back(self, ctx: Context) -> list[Reply]:
        ctx.end()
        return [ctx.say("menu.title", choices=menu_choices(ctx))]

    def handle(self, ctx: Context) -> list[Reply]:
        from bot.thai import match_province

        raw = ctx.msg.input.strip()
        text = clean_text(raw)
        province = kind = keyword = None
        if raw == MINE:
            org = ctx.session.get(Organization, ctx.member.organization_id) if ctx.member and ctx.member.organization_id else None
            province = org.province if org else (ctx.member.officer_province if ctx.member else None)
        else:
            kind = _kind_of(raw)
            if kind is None:
                province = match_province(text)
            if kind is None and province is None:
                keyword = text
        if not (province or kind or keyword):
            return [ctx.say("directory.need_query")] + self.reprompt(ctx)
        found = orgs_repo.directory(ctx.session, province=province, kind=kind, keyword=keyword, limit=10)
        again = [ctx.choice("directory.search_again", "go:directory"), ctx.choice("menu.back_to_menu", "go:menu")]
        ctx.end()
        if not found:
            return [ctx.say("directory.none", query=province or (show_kind(kind, ctx) if kind else keyword),
                            choices=again)]
        lines = [ctx.t("directory.row", name=o.name, kind=show_kind(o.kind, ctx), province=o.province,
                       district=o.district or "-", contact=o.contact_name or "-",
                       phone=_phone(o.phone)) for o in found]
        header = ctx.t("directory.results", count=len(found))
        return [Reply(text=header + "\n\n" + "\n\n".join(lines), choices=tuple(again))]


def _phone(phone: str | None) -> str:
    from bot.thai import format_phone

    return format_phone(phone) if phone else "-"


FLOW = DirectoryFlow()


@intent("directory", menu_key="menu.directory", order=60, words=phrasings.DIRECTORY)
def start_directory(ctx: Context, arg: str | None) -> list[Reply]:
    ctx.begin(FLOW.name)
    return FLOW.reprompt(ctx)


def register() -> None:
    """Register what this module adds to the bot (called by the composition root, bot.wiring)."""
    add_flows(FLOW)
    add_intents(start_directory)
