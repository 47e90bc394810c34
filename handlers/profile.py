"""ข้อมูลของฉัน: see, correct and delete what is stored about me. State diagram: docs/profile.mmd."""
from __future__ import annotations

from typing import Any

from bot.context import Context
from bot.forms import EDIT, Field, Form
from bot.messages import Card, CardField, Reply
from bot.registry import add_flows, add_intents, go, intent, menu_choices
from handlers import phrasings
from handlers.fields import (
    parse_district, parse_person_name, parse_phone_field, parse_text, parse_yes_no_field, show_kind,
    show_phone, show_yes_no, yes_no_answer, yes_no_choices,
)
from storage.models import Organization
from storage.repositories import members as members_repo
from storage.repositories import memberships
from storage.repositories import organizations as orgs_repo


def _my_card(ctx: Context) -> Card:
    m = ctx.member
    assert m is not None
    org = ctx.session.get(Organization, m.organization_id) if m.organization_id else None
    rows = [
        CardField(ctx.t("signup.label.full_name"), m.full_name or "-"),
        CardField(ctx.t("signup.label.position"), m.position or "-"),
        CardField(ctx.t("signup.label.phone"), show_phone(m.phone, ctx) if m.phone else "-"),
    ]
    if org is not None:
        rows += [
            CardField(ctx.t("signup.label.org_name"), org.name),
            CardField(ctx.t("signup.label.kind"), show_kind(org.kind, ctx)),
            CardField(ctx.t("signup.label.province"), org.province),
            CardField(ctx.t("signup.label.district"), org.district or "-"),
            CardField(ctx.t("signup.label.certification_no"), org.certification_no or "-"),
            CardField(ctx.t("signup.label.listed"), show_yes_no(org.listed, ctx)),
            CardField(ctx.t("profile.verified"), show_yes_no(org.verified, ctx)),
        ]
    elif (pending := memberships.pending_of(ctx.session, member_id=m.id)) is not None:  # type: ignore[arg-type]
        rows.append(CardField(ctx.t("records.join.profile_pending"), pending[1].name))
    if ctx.is_officer:
        rows.append(CardField(ctx.t("profile.officer_of"), m.officer_province or ctx.t("profile.national")))
    buttons = (ctx.choice("menu.edit_profile", go("profile.edit")),
               ctx.choice("menu.delete_me", go("profile.delete")),
               ctx.choice("link.menu_label", go("account.link")))  # channels: link LINE <-> Telegram
    return Card(title=ctx.t("profile.title"), fields=tuple(rows), buttons=buttons)


@intent("profile.show", menu_key="menu.my_data", order=70, words=phrasings.PROFILE_SHOW)
def show_profile(ctx: Context, arg: str | None) -> list[Reply]:
    card = _my_card(ctx)
    return [Reply(card=card, text=ctx.t("profile.intro"), choices=tuple(card.buttons) + tuple(menu_choices(ctx)[:4]))]


class ProfileForm(Form):
    name = "profile.edit"
    title = "profile.edit_title"
    fields = (
        Field("full_name", "profile.ask_name", parse_person_name, example="signup.example_name",
              label="signup.label.full_name"),
        Field("position", "signup.ask_position", parse_text(2, 120), example="signup.example_position",
              label="signup.label.position"),
        Field("phone", "signup.ask_phone", parse_phone_field, example="signup.example_phone", show=show_phone,
              label="signup.label.phone"),
        Field("district", "signup.ask_district", parse_district, example="signup.example_district",
              label="signup.label.district", when=lambda v: "district" in v),
        Field("listed", "signup.ask_listed", parse_yes_no_field, choices=yes_no_choices, show=show_yes_no,
              label="signup.label.listed", when=lambda v: "listed" in v),
    )

    def on_confirm(self, ctx: Context, values: dict[str, Any]) -> list[Reply]:
        m = ctx.member
        assert m is not None
        m.full_name, m.position, m.phone = values["full_name"], values["position"], values["phone"]
        ctx.session.add(m)
        org = ctx.session.get(Organization, m.organization_id) if m.organization_id else None
        if org is not None:
            if "district" in values:
                org.district = values["district"]
            if "listed" in values:
                org.listed = bool(values["listed"])
            ctx.session.add(org)
        return [ctx.say("profile.saved", choices=menu_choices(ctx))]


EDIT_FORM = ProfileForm()


@intent("profile.edit", menu_key="menu.edit_profile", order=71, words=phrasings.PROFILE_EDIT)
def edit_profile(ctx: Context, arg: str | None) -> list[Reply]:
    m = ctx.member
    assert m is not None
    values: dict[str, Any] = {"full_name": m.full_name, "position": m.position, "phone": m.phone}
    org = ctx.session.get(Organization, m.organization_id) if m.organization_id else None
    if org is not None:
        values.update(district=org.district, listed=org.listed)
    return EDIT_FORM.start(ctx, values, at=_field_named(ctx.msg.input, values) or EDIT)


# The words that name one field in a request to change it: 'เบอร์เปลี่ยนค่ะ', 'ขอแก้ตำแหน่ง' go to that question.
FIELD_WORDS = (("phone", ("เบอร์", "โทร", "phone")), ("position", ("ตำแหน่ง", "position")),
               ("district", ("อำเภอ", "เขต", "district")), ("listed", ("ทำเนียบ", "directory")),
               ("full_name", ("ชื่อ", "นามสกุล", "name")))


def _field_named(text: str, values: dict[str, Any]) -> str | None:
    """The one field `text` names (None: none, or several)."""
    low = (text or "").lower()
    if "องค์กร" in low:  # 'แก้ชื่อองค์กร' is not the member's own name
        return None
    named = [field for field, words in FIELD_WORDS if field in values and any(w in low for w in words)]
    return named[0] if len(named) == 1 else None


class DeleteFlow:
    """Asks once more, then erases the member's personal data."""

    name = "profile.delete"

    def handle(self, ctx: Context) -> list[Reply]:
        answer = yes_no_answer(ctx)
        if answer is None:
            return [ctx.say("form.yes_or_no")] + self.reprompt(ctx)
        no = not answer
        ctx.end()
        if no:
            return [ctx.say("profile.delete_kept", choices=menu_choices(ctx))]
        member = ctx.member
        assert member is not None
        org_id = member.organization_id
        org_removed = False
        if org_id is not None and not orgs_repo.is_referenced(ctx.session, organization_id=org_id,
                                                              except_member_id=member.id):
            org = ctx.session.get(Organization, org_id)
            members_repo.erase_personal_data(ctx.session, member=member, current_address=str(ctx.msg.address))
            ctx.session.flush()
            if org is not None:
                ctx.session.delete(org)
                org_removed = True
        else:
            org = ctx.session.get(Organization, org_id) if org_id else None
            if org is not None and org.contact_name == member.full_name:
                org.contact_name, org.phone = None, None  # they were the contact: that is personal data too
                ctx.session.add(org)
            members_repo.erase_personal_data(ctx.session, member=member, current_address=str(ctx.msg.address))
        ctx.member = None
        ctx.identity = None
        ctx.state.locale = None
        key = "profile.deleted_with_org" if org_removed else "profile.deleted"
        return [ctx.say(key)]

    def back(self, ctx: Context) -> list[Reply]:
        ctx.end()
        return show_profile(ctx, None)

    def reprompt(self, ctx: Context) -> list[Reply]:
        return [ctx.say("profile.delete_confirm", choices=[ctx.choice("profile.delete_yes", "yes"),
                                                           ctx.choice("profile.delete_no", "no")])]


DELETE_FLOW = DeleteFlow()


@intent("profile.delete", menu_key=None, word_keys=("menu.delete_me",), words=("ลบข้อมูล", "delete my data"))
def delete_me(ctx: Context, arg: str | None) -> list[Reply]:
    ctx.begin(DELETE_FLOW.name)
    return DELETE_FLOW.reprompt(ctx)


def register() -> None:
    """Register what this module adds to the bot (called by the composition root, bot.wiring)."""
    add_flows(EDIT_FORM, DELETE_FLOW)
    add_intents(show_profile, edit_profile, delete_me)
