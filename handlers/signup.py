"""Sign-up: PDPA consent, then link to an organization (fuzzy name search) or register a new one.

Nothing personal is stored before consent; declining stores nothing. State diagram: docs/signup.mmd.
Asks little: the directory question is a consent button, an organization typed by its exact name is
taken, a part of a name only one organization resembles is proposed above the name question, the name searched for becomes a new organization's name, the office's province (OFFICE_PROVINCE)
is the default, the certificate number is added from the read-back, and name, position and phone
may come in one message.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from bot import outbox
from bot.context import Context
from bot.forms import SUMMARY, Field, Form, Invalid, Reask, typed_choice
from bot.labels import shorten
from bot.membership import ask_representative
from bot.messages import Card, CardField, Choice, Reply
from bot.registry import add_flows, add_intents, go, intent, menu_choices
from handlers import phrasings
from handlers import signup_pick as pick
from handlers.events import open_events, start_register
from handlers.fields import (
    clean_text, display_name_choices, kind_choices, parse_kind, parse_org_name,
    parse_phone_field, parse_position, parse_province_field, parse_yes_no_field, show_kind, show_phone,
    read_district, read_person, show_yes_no, yes_no_answer, yes_no_choices,
)
from storage.models import Organization
from storage.repositories import members as members_repo
from storage.repositories import memberships
from storage.repositories import organizations as orgs_repo

NEW = pick.NEW_ORG  # the `org` value of a new organization


def _is_new(v: dict[str, Any]) -> bool:
    return v.get("org") == NEW


def _needs_org(v: dict[str, Any]) -> bool:
    # Officers granted from the CLI work for the provincial office, not for an organization.
    return not v.get("officer")


UNLISTED = "yes_unlisted"


def _consent_choices(ctx: Context) -> list[Choice]:
    return [ctx.choice("signup.consent_yes", "yes"), ctx.choice("signup.consent_yes_unlisted", UNLISTED),
            ctx.choice("signup.consent_no", "no")]


def _parse_consent(raw: str, ctx: Context) -> bool:
    # The directory question folded into consent: "agree, but keep us out of the directory".
    ctx.data["unlisted"] = raw == UNLISTED
    return True if raw == UNLISTED else parse_yes_no_field(raw, ctx)


def _after_consent(ctx: Context, agreed: bool) -> list[Reply] | None:
    if agreed:
        ctx.data["consent_at"] = ctx.clock.now().isoformat()
        return None
    return [ctx.say("signup.consent_declined", choices=[ctx.choice("signup.start_again", "go:signup")])]


def _matches(ctx: Context) -> list[tuple[Organization, float]]:
    query = FORM.values(ctx).get("org_query") or ""
    key = ("signup.org_search", query)  # the prompt and its choices show the same search
    if key not in ctx.memo:
        ctx.memo[key] = orgs_repo.search(ctx.session, query=query, limit=5)
    return ctx.memo[key]


def _org_choices(ctx: Context) -> list[Choice]:
    choices = [Choice(f"{i}. {org.name}", f"org:{org.id}") for i, (org, _) in enumerate(_matches(ctx), 1)]
    choices.append(ctx.choice("signup.register_new_org", NEW))
    return choices


def _org_prompt_values(ctx: Context) -> dict[str, object]:
    found = _matches(ctx)
    if not found:
        return {"matches": ctx.t("signup.no_match", query=FORM.values(ctx).get("org_query", ""))}
    lines = [f"{i}. {org.name} ({org.province})" for i, (org, _) in enumerate(found, 1)]
    return {"matches": ctx.t("signup.matches_intro") + "\n" + "\n".join(lines)}


def _parse_org_query(raw: str, ctx: Context) -> str:
    """The name searched for. An organization typed by its whole name is taken without a list (a part
    of it, or a misspelling, gets the list to choose from)."""
    query = parse_org_name(raw, ctx)
    FORM.set_value(ctx, "org_query", query)
    found = _matches(ctx)
    key = _squash(query)
    exact = [org for org, _ in found if _squash(org.name) == key]
    if len(exact) == 1:
        FORM.set_value(ctx, "org", exact[0].id)
        ctx.notes.append(ctx.say("signup.org_found", org=f"{exact[0].name} ({exact[0].province})"))
    elif len(found) == 1 and found[0][1] >= STRONG_MATCH and len(key) >= 5 and not _reads_as_whole_name(query):
        # One organization resembles the part typed: proposed, answered by going on (no yes/no turn); the
        # name question offers "ไม่ใช่องค์กรนี้", and the read-back shows it again. A whole name typed
        # (มูลนิธิ…) that is not in the directory may be a new one next to a similar name: the list.
        org = found[0][0]
        FORM.set_value(ctx, "org", org.id)
        ctx.data["org_guessed"] = True
        ctx.notes.append(ctx.say("signup.org_guessed", org=f"{org.name} ({org.province})"))
    elif len(alike := [m for m in found if m[1] >= STRONG_MATCH]) > 1 and not _reads_as_whole_name(query):
        # Several resemble a part of a name: listed now, picked at the read-back (the pick confirms).
        # A whole name typed (มูลนิธิ…) that is not in the directory, or only faint resemblances (maybe a
        # new organization), get the list with "ลงทะเบียนองค์กรใหม่" instead.
        pick.defer_pick(ctx, FORM, alike)
    return query


STRONG_MATCH = 80.0  # fuzzy score of a part of the name (พัฒนาเด็ก → มูลนิธิพัฒนาเด็ก… scores ~81)
NOT_THIS_ORG = "org:other"


def _full_name_choices(ctx: Context) -> list[Choice]:
    choices = display_name_choices(ctx)
    if ctx.data.get("org_guessed"):
        choices.append(ctx.choice("signup.not_this_org", NOT_THIS_ORG))
    elif pick.pending(FORM, ctx):
        choices.append(pick.new_org_choice(ctx))
    return choices


def _squash(name: str) -> str:
    return clean_text(name).lower().replace(" ", "")


def _reads_as_whole_name(query: str) -> bool:
    from bot.thai.people import ORG_WORDS

    return any(w in query and len(query.replace(w, "").strip()) >= 3 for w in ORG_WORDS)  # not just "ชมรม"


def _start_new_org(ctx: Context) -> None:
    """Defaults of a new organization, shown in the read-back: the name searched for when it reads as a
    whole name (มูลนิธิ…, ชมรม…), the office's own province, listed unless consent said otherwise."""
    values = FORM.values(ctx)
    query = values.get("org_query") or ""
    if "org_name" not in values and _reads_as_whole_name(query):
        FORM.set_value(ctx, "org_name", query)
    if "province" not in values and ctx.settings.office_province:
        from bot.thai import match_province

        office = ctx.settings.office_province
        FORM.set_value(ctx, "province", match_province(office) or office)
    if "listed" not in values:
        FORM.set_value(ctx, "listed", not ctx.data.get("unlisted"))
    if "certification_no" not in values:
        FORM.set_value(ctx, "certification_no", None)


def _parse_org(raw: str, ctx: Context) -> int | str:
    if raw == NEW:
        _start_new_org(ctx)
        return NEW
    if raw.startswith("org:") and raw[4:].isdigit():
        org = ctx.session.get(Organization, int(raw[4:]))
        if org is None:
            raise Invalid()
        return org.id  # type: ignore[return-value]
    query = clean_text(raw)
    if len(query) < 2:
        raise Invalid()
    # Not one of the choices: take it as a new search.
    query = parse_org_name(raw, ctx)
    FORM.set_value(ctx, "org_query", query)
    raise Reask()


def _show_org(value: Any, ctx: Context) -> str:
    if value == NEW:
        return ctx.t("signup.new_org")
    if value == pick.LATER:
        return ctx.t("signup.org_pick_below")
    org = ctx.session.get(Organization, int(value))
    return f"{org.name} ({org.province})" if org else "-"


def _district_prompt_values(ctx: Context) -> dict[str, object]:
    return {"province": FORM.values(ctx).get("province") or "-"}


def _org_name_choices(ctx: Context) -> list[Choice]:
    query = FORM.values(ctx).get("org_query")
    return [Choice(shorten(query), query)] if query else []


def _parse_cert(raw: str, ctx: Context) -> str:
    text = clean_text(raw)
    if not any(ch.isdigit() for ch in text) or len(text) > 60:
        raise Invalid("signup.bad_cert")
    from bot.thai import normalize

    return normalize(text)


def _parse_full_name(raw: str, ctx: Context) -> str:
    """Name, and the position and phone when the same message has them (not asked again)."""
    person = read_person(raw, ctx)
    if person.position:
        FORM.set_value(ctx, "position", person.position)
    if person.phone:
        FORM.set_value(ctx, "phone", person.phone)
    return person.name


def _parse_district(raw: str, ctx: Context) -> str:
    province = FORM.values(ctx).get("province")
    district, typed_province = read_district(raw, province)
    if typed_province and typed_province != province:  # "ปากช่อง จ.นครราชสีมา": another province too
        FORM.set_value(ctx, "province", typed_province)
    return district


def _retention_periods(ctx: Context) -> dict[str, object]:
    """The consent text states how long things are kept (bot/retention.py, the RETENTION_* settings)."""
    return {"delivery_days": ctx.settings.retention_delivery_days,
            "unfinished_days": ctx.settings.retention_unfinished_conversation_days}


class SignupForm(Form):
    name = "signup"
    title = "signup.summary_title"
    fields = (
        Field("consent", "signup.consent", _parse_consent, choices=_consent_choices,
              after=_after_consent, editable=False, prompt_values=_retention_periods),
        Field("org_query", "signup.ask_org", _parse_org_query, example="signup.example_org", editable=False,
              when=_needs_org),
        Field("org", "signup.pick_org", _parse_org, choices=_org_choices, show=_show_org,
              prompt_values=_org_prompt_values, when=_needs_org),
        Field("org_name", "signup.ask_org_name", parse_org_name, example="signup.example_org",
              choices=_org_name_choices, when=_is_new, aliases=("ชื่อองค์กร", "ชื่อมูลนิธิ", "ชื่อชมรม")),
        Field("kind", "signup.ask_kind", parse_kind, choices=kind_choices, show=show_kind, when=_is_new,
              aliases=("ประเภท",)),
        Field("province", "signup.ask_province", parse_province_field, example="signup.example_province",
              when=_is_new, aliases=("จังหวัด", "จ.")),
        Field("district", "signup.ask_district_in", _parse_district, example="signup.example_district", when=_is_new,
              prompt_values=_district_prompt_values, aliases=("อำเภอ", "อ.", "เขต")),
        Field("certification_no", "signup.ask_cert", _parse_cert, example="signup.example_cert",
              optional=True, when=_is_new, ask=False, aliases=("เลขที่รับรอง", "เลขรับรอง", "หนังสือรับรอง")),
        Field("listed", "signup.ask_listed", parse_yes_no_field, choices=yes_no_choices, show=show_yes_no,
              when=_is_new, ask=False, aliases=("ทำเนียบ",)),
        Field("full_name", "signup.ask_name", _parse_full_name, example="signup.example_name",
              choices=_full_name_choices, aliases=("ชื่อ", "ชื่อนามสกุล", "ชื่อ-สกุล", "name")),
        Field("position", "signup.ask_position", parse_position, example="signup.example_position"),
        Field("phone", "signup.ask_phone", parse_phone_field, example="signup.example_phone", show=show_phone,
              aliases=("เบอร์", "เบอร์โทรศัพท์", "โทรศัพท์", "โทร", "phone")),
    )

    def handle(self, ctx: Context) -> list[Reply]:
        if ctx.data.get("step") == "full_name" and ctx.data.get("org_guessed"):
            picked = typed_choice(ctx.msg.input.strip(), [ctx.choice("signup.not_this_org", NOT_THIS_ORG)],
                                  numbers=False)
            if picked is not None or yes_no_answer(ctx) is False:
                # "ไม่ใช่องค์กรนี้" tapped, or "ไม่ใช่ค่ะ" typed: the list, to pick another or search again
                v = dict(ctx.data["v"])
                v.pop("org", None)
                ctx.data["v"] = v
                ctx.data.pop("org_guessed")
                return self._goto(ctx, "org")
        if pick.pending(self, ctx) and ctx.data.get("step") != "org":
            text = ctx.msg.input.strip()
            if pick.wants_new(ctx, text):  # none of the look-alikes: a new organization, its questions next
                self.set_value(ctx, "org", _parse_org(NEW, ctx))
                pick.forget(ctx)
                if ctx.data.get("step") == SUMMARY:
                    ctx.data["editing"] = True  # each answer then returns to the read-back
                return self._goto(ctx, self._next_field(ctx, after=None))
            taken = (pick.on_summary(self, ctx, text) if ctx.data.get("step") == SUMMARY
                     else pick.on_person_answer(self, ctx, text))
            if taken is not None:
                return taken
        return super().handle(ctx)

    def _summary(self, ctx: Context) -> list[Reply]:
        replies = super()._summary(ctx)
        return pick.summary(ctx, replies) if pick.pending(self, ctx) else replies

    def on_confirm(self, ctx: Context, values: dict[str, Any]) -> list[Reply]:
        from datetime import datetime

        session = ctx.session
        org: Organization | None = None
        if values.get("officer"):
            pass
        elif values["org"] == NEW:
            org = orgs_repo.create(session, name=values["org_name"], kind=values["kind"],
                                   province=values["province"], district=values.get("district"),
                                   certification_no=values.get("certification_no"),
                                   contact_name=values["full_name"], phone=values["phone"],
                                   listed=bool(values.get("listed", True)))
        else:
            org = session.get(Organization, int(values["org"]))
            if org is None:  # deleted while the member was typing
                return [ctx.say("signup.org_gone")] + self.start(ctx)
        consent_at = datetime.fromisoformat(ctx.data["consent_at"]) if ctx.data.get("consent_at") else None
        existing = ctx.member
        # Someone already speaks for an organization picked from the directory: joining waits for them.
        waits = org is not None and values["org"] != NEW and memberships.needs_approval(
            session, org=org, member_id=existing.id if existing else None)
        if existing is not None:  # an officer granted before signing up, or a returning member
            existing.full_name, existing.position, existing.phone = (
                values["full_name"], values["position"], values["phone"])
            existing.consent_at = consent_at or ctx.clock.now()
            existing.locale = ctx.locale
            session.add(existing)
            member = existing
        else:
            member = members_repo.create(session, address=ctx.msg.address, organization_id=None,
                                         full_name=values["full_name"], position=values["position"],
                                         phone=values["phone"], locale=ctx.locale, consent_at=consent_at,
                                         display_name=ctx.msg.display_name)
        ctx.member = member
        if org is None:
            member.organization_id = None
            return [ctx.say("signup.done_officer", choices=menu_choices(ctx))]
        if waits:
            rep = memberships.representative(session, org)
            request = memberships.request_join(session, org=org, member=member)
            ask_representative(session, request=request, member=member, org=org,
                               representative_id=rep.id)  # type: ignore[union-attr, arg-type]
            return [ctx.say("records.join.pending", org=org.name, choices=menu_choices(ctx))]
        memberships.join(session, org=org, member=member)
        if values["org"] == NEW:
            _tell_officers(ctx, org, member.id)  # type: ignore[arg-type]
            done = ctx.say("signup.done", org=org.name, choices=menu_choices(ctx))
            return [replace(done, text=f"{done.text}\n\n{ctx.t('records.org.unverified_note')}")]
        return [ctx.say("signup.done", org=org.name, choices=menu_choices(ctx))]


def _tell_officers(ctx: Context, org: Organization, member_id: int) -> None:
    """New organization in a province: its officers (and national ones) are told, with a verify button."""
    for officer in members_repo.officers_for(ctx.session, province=org.province):
        if officer.id == member_id:
            continue
        loc = officer.locale
        from bot import i18n

        card = Card(
            title=i18n.t("officer.new_org_title", loc),
            fields=(CardField(i18n.t("signup.label.org_name", loc), org.name),
                    CardField(i18n.t("signup.label.province", loc), org.province),
                    CardField(i18n.t("signup.label.district", loc), org.district or "-"),
                    CardField(i18n.t("signup.label.full_name", loc), org.contact_name or "-")),
            buttons=(Choice(i18n.t("officer.verify_button", loc), go("org.verify", org.id)),),
        )
        for address in members_repo.addresses(ctx.session, member_id=officer.id):  # type: ignore[arg-type]
            outbox.enqueue(ctx.session, key=f"notice:new_org:{org.id}:{address}", address=address,
                           replies=[Reply(text=i18n.t("officer.new_org", loc, org=org.name), card=card)],
                           kind="notice", member_id=officer.id, urgent=False)


FORM = SignupForm()


@intent("signup", audience="anyone", words=phrasings.SIGNUP)
def start_signup(ctx: Context, arg: str | None) -> list[Reply]:
    if ctx.signed_up:
        if ctx.member is not None and ctx.member.organization_id is not None and open_events(ctx):
            return start_register(ctx, None)  # "สมัคร" once signed up, with trainings open: a training is meant
        return [ctx.say("signup.already", choices=menu_choices(ctx))]
    intro = [ctx.say("signup.welcome")]
    replies = FORM.start(ctx, {"officer": True} if ctx.is_officer else None, intro=intro)
    if ctx.msg.display_name:  # offered later as a one-tap answer to "your name?"
        ctx.data["display_name"] = ctx.msg.display_name[:60]
    return replies


def register() -> None:
    """Register what this module adds to the bot (called by the composition root, bot.wiring)."""
    add_flows(FORM)
    add_intents(start_signup)
