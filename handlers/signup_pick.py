"""Sign-up: several organizations resemble the name typed — the member picks theirs at the read-back.

The list is shown above the name question (one message), the member answers the person questions, and
the read-back offers one button per organization: the tap that picks the organization is the tap that
confirms. So a member found among look-alikes signs up in as many turns as one typing the whole name
(greeting, consent, name, person, confirm). Typing a listed organization's number or name at the name
question picks it there; "ลงทะเบียนองค์กรใหม่", offered at both, registers a new one instead (signup.py).
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from bot.context import Context
from bot.forms import CONFIRM, EDIT, typed_choice
from bot.messages import Choice, Reply
from storage.models import Organization

LATER = "later"  # the `org` value while the member has yet to pick among `org_candidates`
NEW_ORG = "new"  # the `org` value of a new organization (signup.NEW)


def defer_pick(ctx: Context, form: Any, found: list[tuple[Organization, float]]) -> None:  # noqa: ANN401
    """Remember the look-alikes and go on to the person questions, the list shown above them (the name
    question offers "ลงทะเบียนองค์กรใหม่" too)."""
    form.set_value(ctx, "org", LATER)
    ctx.data["org_candidates"] = [org.id for org, _ in found]
    lines = "\n".join(f"{i}. {org.name} ({org.province})" for i, (org, _) in enumerate(found, 1))
    ctx.notes.append(ctx.say("signup.pick_at_readback", matches=lines))


def pending(form: Any, ctx: Context) -> bool:  # noqa: ANN401
    return form.values(ctx).get("org") == LATER


def candidates(ctx: Context) -> list[Organization]:
    out = []
    for org_id in ctx.data.get("org_candidates") or []:
        org = ctx.session.get(Organization, org_id)
        if org is not None:
            out.append(org)
    return out


def candidate_choices(ctx: Context) -> list[Choice]:
    return [Choice(f"{i}. {org.name}", f"org:{org.id}") for i, org in enumerate(candidates(ctx), 1)]


def new_org_choice(ctx: Context) -> Choice:
    return ctx.choice("signup.register_new_org", NEW_ORG)


def wants_new(ctx: Context, text: str) -> bool:
    """"ลงทะเบียนองค์กรใหม่" tapped or typed while the pick is still to come."""
    return text == NEW_ORG or typed_choice(text, [new_org_choice(ctx)], numbers=False) is not None


def forget(ctx: Context) -> None:
    ctx.data.pop("org_candidates", None)


def _picked(ctx: Context, text: str) -> Organization | None:
    choice = typed_choice(text, candidate_choices(ctx))
    if choice is None:
        return None
    return ctx.session.get(Organization, int(choice.value[4:]))


def on_person_answer(form: Any, ctx: Context, text: str) -> list[Reply] | None:  # noqa: ANN401
    """At the name question with the pick still to come: a listed organization typed (its number or name)
    is picked now. None: an ordinary answer."""
    if ctx.data.get("step") != "full_name":
        return None
    org = _picked(ctx, text)
    if org is None:
        return None
    form.set_value(ctx, "org", org.id)
    forget(ctx)
    return [ctx.say("signup.org_picked", org=f"{org.name} ({org.province})")] + form.reprompt(ctx)


def summary(ctx: Context, replies: list[Reply]) -> list[Reply]:
    """The read-back with the organizations as its confirming buttons."""
    picks = candidate_choices(ctx)
    buttons = (*picks, new_org_choice(ctx), ctx.choice("form.edit", EDIT), ctx.choice("form.cancel", "ยกเลิก"))
    hint = ctx.t("signup.pick_to_confirm")
    out = []
    for reply in replies:
        if reply.card is not None:
            reply = replace(reply, card=replace(reply.card, text=hint, buttons=buttons), text=hint, choices=buttons)
        out.append(reply)
    return out


def on_summary(form: Any, ctx: Context, text: str) -> list[Reply] | None:  # noqa: ANN401
    """At the read-back: a listed organization tapped (or its number or name typed) picks it and confirms.
    "ยืนยัน" alone asks which. None: the form's own read-back handling (edit, cancel, corrections)."""
    from bot.thai import parse_yes_no

    org = _picked(ctx, text)
    if org is not None:
        form.set_value(ctx, "org", org.id)
        forget(ctx)
        values = form.values(ctx)
        ctx.end()
        return form.on_confirm(ctx, values)
    if text == CONFIRM or parse_yes_no(text) is True:
        return [ctx.say("signup.pick_first")] + form.reprompt(ctx)
    return None
